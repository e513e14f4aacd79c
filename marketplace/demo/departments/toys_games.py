"""Toys & Games: building toys, board games, jigsaw puzzles."""

from marketplace.demo.departments._base import department, leaf

_AGES = "0-2 years|3-5 years|6-8 years|8-12 years|12+ years|Adults"

DEPARTMENT = department(
    "Toys & Games",
    brands="Tinker & Twig|Bright Acorn|Little Orbit|Puzzlewick|Marbleroo|Hopscotch Works|"
    "Kite & Kin",
    series="Discovery|Adventure|Classic|Explorer|Rainbow|Junior|Family|Builder|Meadow|Voyager",
    care="Wipe clean with a damp cloth.|Contains small parts, so keep it away from children under "
    "three.|Surface-wash only and air dry.",
    pictogram="toys",
    models="Mini|Plus|XL",
    leaves=[
        leaf(
            "Building Toys",
            required="age_range|material",
            nouns="Block Set|Magnetic Tile Set|Marble Run|Construction Kit|Stacking Tower",
            adjectives="Creative|STEM|Starter|Open-Ended",
            materials="Beechwood|Birch Plywood|Recycled Plastic|Maple",
            features="Pieces are finished with water-based, child-safe paints.|It is compatible "
            "with the rest of the range, so the builds keep growing.|Rounded corners and sturdy "
            "joins stand up to enthusiastic play.|An illustrated idea booklet is included.",
            uses="rainy afternoons|open-ended play|early engineering skills|playing together",
            price=(18, 120),
            axis="pieces",
            axis_values="24 pieces|60 pieces|120 pieces|250 pieces",
            vocab={"age_range": _AGES},
        ),
        leaf(
            "Board Games",
            required="age_range|players",
            nouns="Strategy Game|Family Card Game|Cooperative Adventure Game|Word Game|Dice Game|"
            "Party Game",
            adjectives="Award-Winning|Quick-Play|Pocket|Deluxe",
            features="A game takes about 30 minutes, so there is always time for a rematch.|The "
            "rules fit on one page and are easy to teach.|Sturdy linen-finish cards survive "
            "years of shuffling.|It is just as fun with two players as with a full table.",
            uses="family game night|holiday evenings|travel|a quick game after dinner",
            price=(12, 85),
            axis="edition",
            axis_values="Standard|Deluxe|Travel",
            suffix="",
            vocab={"age_range": _AGES, "players": "1-4 players|2 players|2-4 players|2-6 players"},
        ),
        leaf(
            "Jigsaw Puzzles",
            required="age_range|theme",
            nouns="Landscape Jigsaw Puzzle|Botanical Jigsaw Puzzle|Vintage Map Jigsaw Puzzle|"
            "Wildlife Jigsaw Puzzle|Art Print Jigsaw Puzzle|Cityscape Jigsaw Puzzle|Ocean Jigsaw "
            "Puzzle",
            adjectives="Eco-Friendly|Premium|Family|Collector's",
            features="Thick recycled board pieces click together snugly.|A poster of the "
            "finished image is in the box.|Every piece is a different shape, so no near "
            "misses.|Printed with plant-based inks on recycled board.",
            uses="slow Sunday afternoons|a screen-free evening|puzzle lovers|winter holidays",
            price=(14, 45),
            axis="pieces",
            axis_values="300 pieces|500 pieces|1000 pieces|1500 pieces",
            suffix="",
            vocab={"age_range": _AGES, "theme": "Nature|Travel|Art|Animals|Food"},
        ),
    ],
)
