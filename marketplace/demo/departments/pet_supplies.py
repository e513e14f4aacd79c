"""Pet Supplies: dog beds, cat toys and scratchers, bowls and feeders."""

from marketplace.demo.departments._base import department, leaf

DEPARTMENT = department(
    "Pet Supplies",
    brands="Fernhill|Good Boy Goods|Whisker & Wag|Pawsley|Barkwell|Tailwind Pets|Mossy Paw",
    series="Cosy|Everyday|Adventure|Classic|Playtime|Comfort|Outdoor|Calm",
    care="The cover unzips and is machine-washable at 30 °C.|Rinse after each use and let it air "
    "dry.|Check it regularly and replace it once worn.",
    pictogram="pets",
    models="Plus|Original|2.0",
    leaves=[
        leaf(
            "Dog Beds",
            required="material",
            nouns="Bolster Dog Bed|Orthopaedic Dog Bed|Donut Bed|Crate Mat|Travel Bed|Raised "
            "Dog Cot",
            adjectives="Washable|Calming|Water-Resistant|Non-Slip",
            materials="Recycled Polyester|Waxed Canvas|Faux Shearling|Cotton Canvas|Corduroy",
            features="Raised sides give anxious dogs something to lean on.|The memory-foam base "
            "supports older joints.|A non-slip underside keeps it put on wooden floors.|It is "
            "filled with fibre made from recycled bottles.",
            uses="older dogs with stiff joints|long naps by the fire|crate training|car journeys",
            price=(29, 210),
            axis="pet_size",
        ),
        leaf(
            "Cat Toys & Scratchers",
            required="material|pet_type",
            nouns="Cardboard Scratcher=Wave/Lounge|Scratching Post=60 cm/80 cm|Catnip Toys=Set "
            "of 3/Set of 5|Cat Tunnel|Puzzle Feeder|Window Perch",
            adjectives="Interactive|Refillable|Durable|Compact",
            materials="Sisal|Recycled Cardboard|Organic Cotton|Felted Wool",
            features="Organic catnip is grown and dried on a small farm.|It is sturdy enough for "
            "a full stretch and a serious scratch.|It saves your sofa from claws.|The pieces are "
            "stitched tight, with no small parts to swallow.",
            uses="indoor cats with energy to burn|kittens learning to play|saving the sofa|"
            "quiet afternoons",
            price=(6, 35),
            axis="colour",
            axis_values="Natural|Sage|Blush|Charcoal|Mustard",
            vocab={"pet_type": "Cat|Kitten"},
            noun_prices={"Scratching Post": (35, 95), "Window Perch": (29, 69)},
        ),
        leaf(
            "Bowls & Feeders",
            required="material|pet_type",
            nouns="Dog Bowl=Small/Large|Slow Feeder Bowl|Raised Feeder=Single/Double|Water "
            "Fountain=2 L/3 L|Treat Jar|Travel Water Bottle",
            adjectives="Non-Slip|Dishwasher-Safe|Weighted|Tip-Proof",
            materials="Stoneware|Stainless Steel|Bamboo Fibre|Silicone",
            features="A rubber ring underneath stops it sliding across the floor.|It is "
            "dishwasher-safe and will not hold on to smells.|The glaze is lead-free and "
            "food-safe.|It encourages slower eating, which helps digestion.",
            uses="fast eaters|multi-pet homes|long walks|keeping the kitchen floor dry",
            price=(9, 85),
            axis="colour",
            axis_values="Ivory|Sage|Terracotta|Slate Blue|Charcoal",
            vocab={"pet_type": "Dog|Cat|Puppy|Kitten"},
        ),
    ],
)
