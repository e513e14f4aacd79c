"""Sports & Fitness: yoga, strength training, running, racket sports."""

from marketplace.demo.departments._base import department, leaf

DEPARTMENT = department(
    "Sports & Fitness",
    brands="Stride|Ironbark|Flowstate|Kinetic Nine|Bluefield|Redline Athletic|Tempo Sport",
    series="Pro|Active|Training|Studio|Endurance|Power|Core|Motion",
    care="Wipe it down after every session.|Store it away from heat and direct sun.|Let it "
    "air dry after sweaty sessions.",
    pictogram="sports",
    models="2.0|Pro|Elite|Lite|X",
    leaves=[
        leaf(
            "Yoga & Pilates",
            required="material|thickness",
            nouns="Yoga Mat|Yoga Block=Set of 2|Yoga Strap=2.5 m/3 m|Meditation Cushion|Pilates "
            "Ring|Mat Carry Strap",
            adjectives="Non-Slip|Eco|Travel|Studio-Grade",
            materials="Natural Rubber|Cork|TPE|Organic Cotton|Jute",
            features="A grippy surface holds steady even in a hot class.|Alignment lines help "
            "with positioning.|It is free from PVC and phthalates.|It rolls up tight and "
            "weighs little.",
            uses="daily practice at home|hot yoga classes|travel|stretching after a run",
            price=(12, 120),
            axis="colour",
            axis_values="Sage|Plum|Sand|Slate Blue|Charcoal|Blush",
            noun_prices={
                "Yoga Mat": (29, 120),
                "Yoga Block": (14, 38),
                "Yoga Strap": (9, 22),
                "Meditation Cushion": (29, 80),
                "Pilates Ring": (15, 40),
                "Mat Carry Strap": (9, 25),
            },
            vocab={"thickness": "3 mm|4 mm|6 mm|8 mm"},
        ),
        leaf(
            "Strength Training",
            required="brand|level",
            nouns="Dumbbell=Hex/Round|Kettlebell=Competition/Classic|Weight Plate=Olympic/"
            "Bumper|Ankle Weights=Pair|Medicine Ball=Slam/Wall",
            adjectives="Rubber-Coated|Cast Iron|Knurled|Colour-Coded",
            features="A knurled handle gives a secure grip.|The rubber coating protects floors "
            "and keeps the noise down.|Weights are accurate to within 2%.|It is built for "
            "home gyms and commercial gyms alike.",
            uses="home workouts|progressive strength training|HIIT classes|rehabilitation "
            "exercises",
            price=(15, 180),
            axis="weight",
            suffix="",
            noun_prices={"Ankle Weights": (15, 40), "Medicine Ball": (25, 70)},
            vocab={"level": "Beginner|Intermediate|Advanced|All levels"},
        ),
        leaf(
            "Running",
            required="brand|material",
            nouns="Running Shorts=5-Inch/7-Inch|Running Tights|Running Vest=5 L/12 L|Running "
            "Jacket=Reflective/Windproof|Running Cap|Running Socks=3-Pack",
            adjectives="Lightweight|Breathable|Reflective|Quick-Dry",
            materials="Recycled Polyester|Merino Blend|Nylon Ripstop|Technical Mesh",
            features="Flatlock seams stop chafing on long runs.|A zipped pocket holds keys and "
            "a gel.|Reflective trims keep you visible on dark mornings.|It wicks sweat and dries "
            "in minutes.",
            uses="marathon training|easy morning miles|trail races|winter runs",
            price=(12, 160),
            axis="size",
            noun_prices={
                "Running Shorts": (25, 65),
                "Running Tights": (35, 95),
                "Running Vest": (45, 160),
                "Running Jacket": (60, 160),
                "Running Cap": (12, 35),
                "Running Socks": (12, 30),
            },
        ),
        leaf(
            "Racket Sports",
            required="brand|level",
            nouns="Tennis Racket|Padel Racket|Badminton Set|Pickleball Paddle Set|Tennis Balls="
            "Can of 3/Can of 4|Racket Bag",
            adjectives="Lightweight|Control|Power|All-Court",
            features="A balanced frame gives control without losing power.|The grip is "
            "replaceable and comes pre-wrapped.|A padded cover is included.|Approved for club "
            "and league play.",
            uses="club matches|learning the game|weekend doubles|coaching sessions",
            price=(10, 220),
            axis="colour",
            axis_values="Black|Navy|Ivory|Forest Green|Mustard",
            vocab={"level": "Beginner|Intermediate|Advanced|All levels"},
            noun_prices={
                "Tennis Balls": (4, 12),
                "Badminton Set": (25, 70),
                "Racket Bag": (29, 90),
            },
        ),
    ],
)
