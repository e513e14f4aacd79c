"""Garden: tools, planters and pots, seeds and bulbs."""

from marketplace.demo.departments._base import department, leaf

DEPARTMENT = department(
    "Garden",
    brands="Greenhouse Row|Potting Shed|Hazel & Fern|Terracotta Lane|Wildroot|Old Orchard|"
    "Bramblegate",
    series="Heritage|Allotment|Cottage|Kitchen Garden|Orchard|Meadow|Courtyard|Potting|"
    "Walled Garden|Greenhouse",
    care="Clean off the soil and oil the blade before storing it for winter.|Bring it indoors "
    "before the first hard frost.|Rinse it and let it dry in the sun.",
    pictogram="garden",
    models="No. 1|No. 4|No. 7",
    leaves=[
        leaf(
            "Garden Tools",
            required="material",
            nouns="Hand Trowel|Pruning Shears|Garden Fork|Hori Hori Knife|Hand Weeder|Watering "
            "Can=5 L/9 L",
            adjectives="Ash-Handled|Ergonomic|Heavy-Duty|Lifetime",
            materials="Stainless Steel|Carbon Steel|Forged Steel|Galvanised Steel",
            features="It is made to survive heavy clay and years of hard use, season after "
            "season.|A hanging hole makes shed storage tidy.|It comes with a lifetime "
            "guarantee against breakage.|The ergonomic grip reduces strain during long sessions.",
            uses="weeding raised beds|pruning roses|allotment digging|potting on seedlings",
            price=(9, 85),
            axis="handle",
            axis_values="Ash|Beech|Oak",
            suffix="",
        ),
        leaf(
            "Planters & Pots",
            required="material|drainage",
            nouns="Plant Pot|Hanging Planter|Window Box|Raised Bed=Small/Large|Self-Watering "
            "Planter|Herb Planter",
            adjectives="Frost-Proof|Handmade|Lightweight|Glazed",
            materials="Terracotta|Glazed Stoneware|Recycled Plastic|Galvanised Steel|Concrete",
            features="It is frost-proof, so it can stay outside all year.|A drainage hole stops "
            "roots from rotting.|Each one is thrown by hand, so no two are quite the same.|"
            "Feet underneath lift it off the patio to drain freely.",
            uses="balcony herb gardens|houseplant collections|patio displays|growing salad on "
            "a windowsill",
            price=(9, 140),
            axis="diameter",
            axis_values="12 cm|17 cm|22 cm|30 cm",
            vocab={"drainage": "Drainage hole|Drainage hole and saucer|No hole (cachepot)"},
        ),
        leaf(
            "Seeds & Bulbs",
            required="sowing_season|sunlight",
            nouns="Tomato Seeds|Wildflower Seed Mix|Herb Seed Collection|Tulip Bulbs|Sweet Pea "
            "Seeds|Salad Leaf Seeds",
            adjectives="Heirloom|Organic|Pollinator-Friendly|Open-Pollinated",
            features="Seeds are packed for this season and tested for germination.|Sowing "
            "instructions are printed on every packet.|They are grown without synthetic "
            "pesticides.|Saved seed will come true next year.",
            uses="a first vegetable patch|feeding the bees|a cutting garden|windowsill growing",
            price=(3, 24),
            axis="pack",
            axis_values="Single|Pack of 3|Pack of 6",
            suffix="",
            vocab={
                "sowing_season": "Spring|Late spring|Autumn|Spring and autumn",
                "sunlight": "Full sun|Partial shade|Full sun to partial shade",
            },
        ),
    ],
)
