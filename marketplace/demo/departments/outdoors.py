"""Outdoors: camping, hiking, cycling."""

from marketplace.demo.departments._base import department, leaf

DEPARTMENT = department(
    "Outdoors",
    brands="Northwind|Ridgeback|Fjellstad|Cairn & Co|Granite Peak|Tamarack",
    series="Trail|Summit|Ridge|Basecamp|Alpine|Cascade|Backcountry|Timberline",
    care="Dry it fully before storing to prevent mildew.|Rinse off salt and grit after each trip."
    "|Store it loosely in a cool, dry place between adventures.",
    pictogram="outdoors",
    models="2|UL|Pro|XT|Lite",
    leaves=[
        leaf(
            "Camping",
            required="brand|packed_weight",
            nouns="Tent=1-Person/2-Person/3-Person/4-Person|Sleeping Bag=3-Season/Summer/Winter|"
            "Sleeping Pad=Self-Inflating/Insulated|Camp Stove=Single-Burner/Two-Burner|Camping "
            "Hammock=Single/Double|Camp Chair=Compact/High-Back",
            adjectives="Ultralight|Packable|Lightweight|Weatherproof",
            features="It packs down small enough to strap to a daypack.|It was field-tested "
            "through a wet Scottish autumn before it went on sale.|Every seam and joint is built "
            "to survive being packed and unpacked hundreds of times.|Spare parts are sold "
            "separately, so one broken part is not the end of the trip.",
            uses="wild camping weekends|long-distance treks|festival season|family campsite "
            "holidays",
            price=(29, 420),
            axis="colour",
            axis_values="Olive|Sand|Forest Green|Rust|Slate Blue|Charcoal",
            noun_prices={
                "Tent": (120, 420),
                "Sleeping Bag": (60, 280),
                "Sleeping Pad": (35, 160),
                "Camp Stove": (29, 140),
                "Camping Hammock": (29, 90),
                "Camp Chair": (29, 120),
            },
            vocab={"packed_weight": "480 g|920 g|1.4 kg|1.9 kg|2.6 kg"},
        ),
        leaf(
            "Hiking",
            required="brand|activity",
            nouns="Daypack=18 L/24 L/30 L|Trekking Poles=Carbon/Folding|Hydration Bladder=2 L/"
            "3 L|Hiking Socks=Crew/Quarter|Rain Jacket=Packable/3-Layer|Fleece Midlayer=Grid/"
            "Quarter-Zip",
            adjectives="Lightweight|Technical|All-Season|Packable",
            features="It shrugs off a sudden shower and dries fast.|Reflective details help you "
            "be seen at dusk.|It is designed with mountain guides and tested on the fells.|"
            "Recycled fabrics cut its footprint without cutting performance.",
            uses="long days on the trail|hut-to-hut treks|rainy coastal paths|early alpine starts",
            price=(15, 280),
            axis="colour",
            axis_values="Olive|Navy|Rust|Charcoal|Mustard|Slate Blue",
            noun_prices={
                "Daypack": (45, 180),
                "Trekking Poles": (35, 160),
                "Hydration Bladder": (19, 45),
                "Hiking Socks": (15, 28),
                "Rain Jacket": (90, 280),
                "Fleece Midlayer": (49, 140),
            },
            vocab={"activity": "Day hiking|Trail running|Backpacking|Mountaineering"},
        ),
        leaf(
            "Cycling",
            required="brand|bike_type",
            nouns="Bike Light Set=400 Lumen/800 Lumen|Cycling Helmet=Road/Commuter|Saddle Bag="
            "0.8 L/1.5 L|Frame Pump=Mini/Track|Bike Lock=U-Lock/Folding|Cycling Gloves="
            "Fingerless/Full-Finger",
            adjectives="Lightweight|Reflective|Aero|Rechargeable",
            features="It fits in seconds without tools.|It shrugs off winter grit and rain "
            "for years.|Reflective accents add visibility on winter commutes.|It is tested to the "
            "relevant European safety standard.",
            uses="winter commutes|long Sunday rides|gravel adventures|city riding",
            price=(14, 190),
            axis="colour",
            axis_values="Black|Graphite|Mustard|Forest Green|Ivory",
            noun_prices={
                "Bike Light Set": (25, 90),
                "Cycling Helmet": (45, 190),
                "Saddle Bag": (14, 45),
                "Frame Pump": (19, 60),
                "Bike Lock": (35, 120),
                "Cycling Gloves": (15, 45),
            },
            vocab={"bike_type": "Road|Gravel|Mountain|City|All bikes"},
        ),
    ],
)
