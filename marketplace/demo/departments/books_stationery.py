"""Books & Stationery: notebooks, pens, art supplies."""

from marketplace.demo.departments._base import department, leaf

DEPARTMENT = department(
    "Books & Stationery",
    brands="Paper Lantern|Inkwell & Quire|Folio Works|Graphite House|Marginalia|Quarto & Co|"
    "Deckle Edge|Blue Heron Press",
    series="Studio|Field|Archive|Pocket|Atelier|Daily|Classic|Journeyman",
    care="Keep it dry and out of direct sunlight to stop the paper yellowing.|Store it flat."
    "|Replace the cap after use so the ink does not dry out.",
    pictogram="stationery",
    models="No. 2|No. 5|No. 8",
    leaves=[
        leaf(
            "Notebooks & Journals",
            required="paper_size|ruling",
            nouns="Hardcover Notebook|Softcover Journal|Sketchbook|Travel Journal|Weekly "
            "Planner|Bullet Journal",
            adjectives="Lay-Flat|Thread-Bound|Fountain-Pen-Friendly|Recycled-Paper",
            features="The 100 gsm paper takes fountain-pen ink without bleeding through.|A "
            "ribbon marker and an elastic closure keep your place.|It lies completely flat when "
            "open.|Numbered pages and an index make notes easy to find again.",
            uses="daily journaling|meeting notes|sketching on the go|planning the year ahead",
            price=(8, 45),
            axis="colour",
            axis_values="Black|Navy|Sage|Terracotta|Mustard|Plum",
            vocab={
                "paper_size": "A5|A6|B5|Pocket (9 x 14 cm)|Letter",
                "ruling": "Dotted|Lined|Blank|Grid",
            },
        ),
        leaf(
            "Pens & Pencils",
            required="brand|ink_colour",
            nouns="Fountain Pen=Fine Nib/Medium Nib|Gel Pen Set=0.5 mm/0.7 mm|Fineliner Set="
            "6-Colour/12-Colour|Mechanical Pencil=0.5 mm/0.7 mm|Brush Pen Set|Rollerball Pen",
            adjectives="Refillable|Everyday|Precision|Heritage",
            materials="Brass|Aluminium|Resin|Recycled Plastic",
            features="The ink is quick-drying, so left-handers do not smudge.|A weighted barrel "
            "makes long writing sessions comfortable.|Refills are easy to find and easy to "
            "swap.|It glides across the page without skipping.",
            uses="everyday writing|lettering and journaling|note-taking in lectures|sketching",
            price=(6, 140),
            axis="colour",
            axis_values="Black|Navy|Forest Green|Terracotta|Ivory|Brass",
            noun_prices={"Fountain Pen": (25, 140), "Mechanical Pencil": (6, 30)},
            vocab={"ink_colour": "Black|Blue-Black|Royal Blue|Assorted|Sepia"},
        ),
        leaf(
            "Art Supplies",
            required="brand|medium",
            nouns="Paint Set=12-Colour/24-Colour/36-Colour|Brush Set=6-Piece/10-Piece|Drawing "
            "Pad=A4/A3|Travel Kit=Pocket/Field|Sketching Set=12-Piece/24-Piece",
            adjectives="Artist-Grade|Student|Professional|Compact",
            materials="Watercolour|Gouache|Acrylic|Oil Pastel|Graphite",
            material_key="medium",
            features="Highly pigmented colours stay vivid on paper.|Everything fits in a tin "
            "small enough for a coat pocket.|The paper is acid-free, so your work will not "
            "yellow.|It is lightfast-tested, so finished pieces keep their colour.",
            uses="plein-air painting|learning a new medium|urban sketching|creative evenings",
            price=(9, 120),
            axis="pack",
            axis_values="Single|Pack of 2",
            suffix="",
        ),
    ],
)
