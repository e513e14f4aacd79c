"""The synonym list a new marketplace starts with, and how to install it.

Written the way a merchandiser curates one: the other names buyers use for a kind of product
(couch for sofa, nightstand for bedside table), British and American spellings, and colour
names shoppers use for a shade (blush is a pink, navy is a blue). Shade ↔ family rules are
equivalences so a shade finds its family and the family finds the shade; two shades of one
family do not find each other. Analysis ranks a synonym's matches below the buyer's own words,
so "navy" puts navy products before other blues.

Admins edit the list afterwards. `install_default_synonyms()` only adds the rules that are
missing, so running it again changes nothing (and a rule an admin edited stays as edited).
"""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.search.models import SearchSynonym
from marketplace.search.synonyms import InvalidSynonymRule, parse_rule

DEFAULT_NOTE = "default list"

_FURNITURE = (
    "sofa, couch, settee, davenport, chesterfield",
    "loveseat, love seat, two seater sofa, 2 seater sofa",
    "sectional, sectional sofa, corner sofa, l-shaped sofa, modular sofa",
    "sofa bed, sleeper sofa, pull-out couch, futon",
    "armchair, arm chair, accent chair, club chair, easy chair, lounge chair, reading chair",
    "recliner, reclining chair, lounger",
    "coffee table, cocktail table, center table, centre table, living room table",
    "side table, end table, accent table, lamp table",
    "console table, sofa table, entryway table, hall table",
    "nightstand, night stand, bedside table, night table, bedside cabinet, bedside drawers, "
    "bedside stand",
    "dresser, chest of drawers, bureau, drawer chest, tallboy, chest, drawers, lowboy",
    "wardrobe, armoire, clothes closet, clothes cabinet, closet cabinet, closet, clothes cupboard",
    "bookcase, bookshelf, book shelf, shelving unit, shelf unit, etagere, bookshelves, shelving, "
    "book rack",
    "tv stand, tv console, tv unit, tv cabinet, media console, media cabinet, media stand, "
    "entertainment center, entertainment centre, entertainment unit, tv table, tv bench, "
    "media unit",
    "dining table, kitchen table, dinner table, dining room table, breakfast table, dinette table",
    "dining chair, side chair, kitchen chair, dining room chair",
    "office chair, desk chair, computer chair, task chair, swivel chair, ergonomic chair, "
    "executive chair, gaming chair",
    "desk, writing desk, computer desk, work desk, study desk, office desk, workstation, "
    "writing table, study table",
    "standing desk, sit stand desk, height adjustable desk",
    "bar stool, barstool, counter stool, kitchen stool, breakfast bar stool, high stool",
    "ottoman, footstool, foot stool, pouf, pouffe, footrest, hassock",
    "bed frame, bed base, bedstead, platform bed, bedframe",
    "bunk bed, bunk beds, loft bed",
    "headboard, bed head",
    "vanity table, dressing table, makeup table, makeup vanity",
    "coat rack, coat stand, hall tree, coat tree",
    "shoe rack, shoe organizer, shoe organiser, shoe storage, shoe cabinet",
    "filing cabinet, file cabinet",
    "sideboard, buffet, credenza",
    "patio furniture, outdoor furniture, garden furniture",
)

_LIGHTING = (
    "floor lamp, standing lamp, standard lamp, torchiere, floor light, tall lamp",
    "table lamp, desk lamp, bedside lamp, reading lamp, nightstand lamp, side lamp, accent lamp",
    "pendant light, pendant lamp, hanging light, hanging lamp, ceiling pendant, drop light, "
    "pendant",
    "ceiling light, ceiling lamp, flush mount light, ceiling fixture",
    "wall light, wall lamp, wall sconce, sconce",
    "string lights, fairy lights, twinkle lights",
    "lampshade, lamp shade",
    "light bulb, lightbulb, bulb",
    "chandelier, ceiling chandelier",
)

_HOME_DECOR = (
    "throw pillow, cushion, accent pillow, decorative pillow, toss pillow, scatter cushion, "
    "sofa pillow, couch pillow, throw cushion",
    "seat cushion, chair cushion, chair pad",
    "pillow cover, cushion cover, pillow sham",
    "area rug, rug, carpet, floor rug",
    "runner rug, hallway runner, hall runner",
    "doormat, door mat, welcome mat, entrance mat",
    "throw blanket, throw, sofa throw, blanket throw",
    "curtains, drapes, draperies, drapery, curtain panels, window curtains, window panels",
    "blinds, window blinds, roller blinds, roller shades, window shades",
    "wall mirror, hanging mirror, decorative mirror",
    "floor mirror, full length mirror, standing mirror, cheval mirror",
    "wall clock, hanging clock",
    "alarm clock, bedside clock",
    "vase, flower vase, bud vase",
    "planter, plant pot, flower pot, flowerpot, pot planter, plant container, plant holder, "
    "garden pot",
    "picture frame, photo frame",
    "wall art, art print, canvas print, poster, wall decor, wall hanging",
    "candle holder, candlestick, candle stick, tealight holder",
    "artificial plant, fake plant, faux plant, artificial flowers, fake flowers",
    "storage basket, basket, storage bin, storage box",
    "bookends, book ends",
)

_BED_AND_BATH = (
    "bed sheets, sheet set, bedsheets, bed linen, sheets, fitted sheet, flat sheet",
    "duvet cover, comforter cover, quilt cover, doona cover",
    "duvet, comforter, doona, continental quilt",
    "quilt, coverlet, bedspread",
    "pillowcase, pillow case, pillowslip, pillow slip",
    "mattress topper, mattress pad, featherbed",
    "electric blanket, heated blanket",
    "bath towel, bath sheet, shower towel",
    "hand towel, guest towel",
    "washcloth, wash cloth, face cloth, facecloth",
    "beach towel, pool towel",
    "shower curtain, bath curtain, shower liner",
    "bath mat, bath rug, bathroom rug, shower mat",
    "towel rack, towel rail, towel bar, towel holder",
    "bathrobe, bath robe, robe, dressing gown",
    "soap dispenser, soap pump, lotion dispenser",
    "toilet brush, loo brush",
)

_KITCHEN = (
    "frying pan, skillet, fry pan, frypan, omelette pan, omelet pan",
    "saucepan, sauce pan, cooking pot",
    "stock pot, stockpot, soup pot",
    "dutch oven, casserole dish, cocotte",
    "wok, stir fry pan",
    "cookware set, pots and pans, pot and pan set, pan set, pot set, cookware",
    "chef knife, chef's knife, chefs knife, cook's knife, cooks knife, kitchen knife, "
    "cooking knife",
    "knife set, knife block, knife block set",
    "coffee mug, mug, coffee cup, tea mug",
    "tea cup, teacup",
    "travel mug, travel cup, commuter mug",
    "water bottle, drink bottle, drinking bottle, hydration bottle, sports bottle, "
    "reusable bottle, flask, insulated bottle",
    "tumbler, insulated tumbler",
    "dinnerware set, dinner set, dish set, dishes set, plates and bowls, tableware set, "
    "crockery set, place setting",
    "cutlery, flatware, silverware, cutlery set, flatware set",
    "wine glass, wine glasses, stemware",
    "drinking glasses, glassware, glass tumblers",
    "cutting board, chopping board, carving board",
    "baking sheet, sheet pan, cookie sheet, baking tray, oven tray",
    "colander, strainer",
    "kettle, tea kettle, electric kettle",
    "coffee maker, coffee machine, espresso machine, coffeemaker",
    "blender, smoothie maker",
    "food processor, chopper",
    "mixing bowl, prep bowl",
    "oven mitt, oven glove, pot holder",
    "tea towel, dish towel, dish cloth, kitchen towel",
    "food storage containers, food containers, meal prep containers",
    "utensil set, kitchen utensils, cooking utensils",
    "spatula, turner, flipper",
    "microwave, microwave oven",
    "fridge, refrigerator",
    "air fryer, airfryer",
    "toaster, bread toaster",
)

_APPAREL = (
    "t-shirt, tee, tee shirt, tshirt",
    "hoodie, hooded sweatshirt, sweatshirt, hoody, pullover hoodie, hooded top",
    "sweater, jumper, pullover, knit sweater, knitwear",
    "cardigan, knit cardigan",
    "jeans, denim pants, denim trousers, denim jeans",
    "pants, trousers, slacks",
    "leggings, yoga pants, tights",
    "shorts, short pants",
    "rain jacket, raincoat, rain coat, waterproof jacket, rain shell, rain mac, slicker, anorak",
    "puffer jacket, down jacket, puffer coat, quilted jacket",
    "winter coat, parka, overcoat",
    "blazer, sport coat, suit jacket",
    "dress shirt, button down shirt, button-up shirt, oxford shirt",
    "polo shirt, polo",
    "tank top, vest top, singlet, sleeveless top",
    "pajamas, pyjamas, pjs, sleepwear, nightwear",
    "swimsuit, swimwear, bathing suit, swimming costume, swim suit",
    "swim trunks, board shorts, swim shorts",
    "underwear, undies, briefs, boxers",
    "beanie, knit hat, toque, winter hat, bobble hat",
    "baseball cap, ball cap, cap",
    "scarf, muffler",
    "gloves, mittens",
    "watch, wristwatch, wrist watch, timepiece",
    "smartwatch, smart watch, fitness tracker",
    "sunglasses, sun glasses, sunnies, shades",
    "wallet, billfold, bifold wallet, card wallet, card holder, cardholder",
    "handbag, purse, shoulder bag",
    "tote bag, tote, shopper bag",
    "backpack, rucksack, daypack, knapsack, back pack, bookbag, school bag",
    "duffel bag, duffle bag, gym bag, holdall, weekender bag, weekend bag",
    "suitcase, luggage, trolley case, roller bag, carry-on",
    "crossbody bag, cross body bag, sling bag",
    "fanny pack, bum bag, belt bag, waist bag",
    "laptop bag, laptop case, laptop sleeve, computer bag",
    "jewelry, jewellery",
    "earrings, ear rings",
)

_SHOES = (
    "sneakers, trainers, tennis shoes, running shoes, athletic shoes, sports shoes, "
    "gym shoes, kicks",
    "ankle boots, booties",
    "rain boots, wellies, wellington boots, gumboots, rubber boots",
    "hiking boots, walking boots, trekking boots",
    "flip flops, flip-flops, jandals",
    "slides, sliders, pool slides",
    "slippers, house shoes",
    "loafers, slip-ons, slip on shoes",
    "heels, high heels, stilettos",
)

_ELECTRONICS = (
    "headphones, headset, over-ear headphones, on-ear headphones, earphones",
    "earbuds, ear buds, earphones, in-ear headphones, wireless earbuds",
    "bluetooth speaker, wireless speaker, portable speaker, bt speaker, boombox",
    "smart speaker, voice assistant speaker",
    "power bank, portable charger, battery pack, external battery, portable battery, "
    "battery bank, powerbank",
    "charging cable, charger cable, charge cable, charging cord, charger cord, usb cable, "
    "phone cable, charging lead, charger lead, usb cord, data cable",
    "wall charger, charging plug, charger plug, power adapter, charging brick",
    "phone case, phone cover, mobile case, mobile cover, cell phone case, smartphone case, "
    "cellphone case, phone shell",
    "screen protector, screen guard, tempered glass protector",
    "computer mouse, wireless mouse, pc mouse, laptop mouse, optical mouse",
    "keyboard, computer keyboard, mechanical keyboard, pc keyboard",
    "laptop, notebook computer, laptop computer",
    "monitor, computer monitor, computer screen, pc monitor",
    "tv, television, telly, smart tv",
    "webcam, web camera, web cam",
    "router, wifi router, wireless router",
    "external hard drive, external drive, portable hard drive",
    "usb stick, flash drive, thumb drive, usb drive, pen drive, memory stick",
    "memory card, sd card, micro sd card",
    "game controller, gamepad, controller, joypad",
    "extension cord, extension lead, power strip, surge protector",
    "tablet stand, ipad stand",
    "camera, digital camera",
)

_OUTDOOR_AND_SPORTS = (
    "grill, barbecue, barbeque, bbq, bar-b-q, barbecue grill",
    "patio chair, outdoor chair, garden chair, lawn chair, deck chair, porch chair, garden seat, "
    "patio seat",
    "patio table, outdoor table, garden table",
    "patio umbrella, outdoor umbrella, garden umbrella, parasol, market umbrella, sun umbrella, "
    "sunshade",
    "garden hose, water hose, hose pipe, hosepipe, hose",
    "sleeping bag, sleep sack, sleepsack, sleeping sack",
    "camping tent, tent, camp tent",
    "camping chair, camp chair, folding camp chair",
    "cooler, cool box, ice chest, cool bag",
    "fire pit, firepit, fire bowl",
    "lawn mower, lawnmower, grass cutter",
    "flashlight, torch",
    "headlamp, head torch, headtorch",
    "dumbbells, hand weights, free weights, dumbbell set, weights, weight set",
    "yoga mat, exercise mat, fitness mat, workout mat, gym mat, pilates mat",
    "resistance bands, exercise bands, workout bands",
    "jump rope, skipping rope",
    "exercise bike, stationary bike, spin bike",
    "treadmill, running machine",
    "bicycle, bike",
    "bird feeder, bird table",
)

_BEAUTY_AND_CARE = (
    "moisturizer, moisturiser, face cream, facial moisturizer, face lotion",
    "lip balm, chapstick, lip salve",
    "lipstick, lip colour, lip color",
    "nail polish, nail varnish, nail lacquer, nail colour, nail color",
    "perfume, fragrance, eau de parfum, scent",
    "body wash, shower gel",
    "hand cream, hand lotion",
    "sunscreen, sunblock, sun cream, sun lotion",
    "eyeliner, eye liner",
    "makeup, make-up, cosmetics",
    "cleanser, face wash, facial cleanser",
    "hair dryer, hairdryer, blow dryer, hair drier",
    "hair straightener, flat iron, straighteners",
    "curling iron, curling wand, curling tongs",
    "razor, shaver",
    "toothbrush, tooth brush",
    "deodorant, antiperspirant",
)

_TOYS_BABY_PET = (
    "stuffed animal, plush toy, soft toy, plushie, cuddly toy",
    "building blocks, building bricks, construction toy",
    "jigsaw puzzle, jigsaw",
    "board game, tabletop game",
    "toy car, model car, die-cast car",
    "stroller, pushchair, pram, buggy",
    "crib, cot, baby bed",
    "diaper, nappy",
    "pacifier, dummy, soother",
    "high chair, highchair, feeding chair",
    "onesie, bodysuit, babygrow",
    "dog bed, pet bed",
    "cat tree, cat tower, cat condo",
    "litter box, litter tray",
    "leash, dog leash, dog lead",
    "pet carrier, cat carrier, dog carrier",
    "aquarium, fish tank",
)

_HOME_AND_OFFICE = (
    "vacuum cleaner, vacuum, hoover",
    "space heater, portable heater, electric heater",
    "air conditioner, air con, ac unit",
    "air purifier, air cleaner",
    "washing machine, washer",
    "clothes iron, steam iron",
    "ladder, step ladder, stepladder",
    "toolbox, tool box, tool chest",
    "tape measure, measuring tape",
    "cordless drill, power drill, drill driver",
    "notebook, notepad, journal, jotter",
    "desk organizer, desk organiser, desk tidy",
    "whiteboard, dry erase board, white board",
)

_MATERIALS_AND_FEATURES = (
    "aluminum, aluminium",
    "stainless steel, stainless, inox",
    "faux leather, vegan leather, pu leather, leatherette, synthetic leather",
    "wood, wooden, timber",
    "rattan, wicker",
    "wool, woolen, woollen",
    "velvet, velour",
    "wireless, cordless",
    "waterproof, water resistant, water-resistant",
    "non slip, non-slip, anti slip, anti-slip, nonslip",
    "nonstick, non stick, non-stick",
    "noise cancelling, noise canceling, noise cancellation, anc",
    "foldable, folding, collapsible",
    "king, king size, king-size",
    "queen, queen size, queen-size",
    "set of 2, 2-pack, 2 pack, pair",
    "mid-century, mid century, mid-century modern, mcm",
    "boho, bohemian, boho chic",
    "scandinavian, scandi, nordic",
    "coastal, nautical, seaside",
    "minimalist, minimal, minimalistic",
    "traditional, classic",
    "vintage, retro",
    "organizer, organiser",
    "color, colour",
    "multicolor, multicolour, multi-color, multi-colour, multicoloured, multicolored",
)

# Colour families: a shade finds its family, and the family finds each of its shades.
_COLOURS = (
    "gray, grey",
    "charcoal, gray",
    "charcoal, dark gray, dark grey, anthracite, graphite, gunmetal",
    "slate, gray",
    "heather gray, heather grey",
    "navy, blue",
    "navy, navy blue, midnight blue, dark blue",
    "cobalt, blue",
    "indigo, blue",
    "azure, blue",
    "sapphire, blue",
    "cerulean, blue",
    "periwinkle, blue",
    "teal, turquoise",
    "teal, aqua",
    "teal, peacock blue",
    "teal, petrol blue",
    "teal, seafoam",
    "sage, sage green",
    "olive, green",
    "emerald, green",
    "mint, green",
    "moss, green",
    "lime, green",
    "jade, green",
    "blush, pink",
    "rose, pink",
    "dusty rose, pink",
    "fuchsia, pink",
    "magenta, pink",
    "salmon, pink",
    "coral, pink",
    "coral, orange",
    "peach, orange",
    "apricot, orange",
    "tangerine, orange",
    "pumpkin, orange",
    "rust, terracotta",
    "clay, terracotta",
    "burnt orange, terracotta",
    "sienna, terracotta",
    "brick, terracotta",
    "crimson, red",
    "scarlet, red",
    "ruby, red",
    "maroon, burgundy",
    "oxblood, burgundy",
    "merlot, burgundy",
    "bordeaux, burgundy",
    "wine red, burgundy",
    "wine, burgundy",
    "mustard, yellow",
    "ochre, yellow",
    "lemon, yellow",
    "canary, yellow",
    "saffron, yellow",
    "golden, gold",
    "ivory, white",
    "cream, white",
    "off white, off-white, white",
    "eggshell, white",
    "pearl, white",
    "alabaster, white",
    "tan, beige",
    "khaki, beige",
    "camel, beige",
    "sand, beige",
    "taupe, beige",
    "oatmeal, beige",
    "ecru, beige",
    "greige, beige",
    "chocolate, brown",
    "espresso, brown",
    "mocha, brown",
    "chestnut, brown",
    "cognac, brown",
    "caramel, brown",
    "onyx, black",
    "ebony, black",
    "platinum, silver",
    "undyed, natural",
    "unbleached, natural",
    "lavender, purple",
    "lilac, purple",
    "violet, purple",
    "plum, purple",
    "mauve, purple",
    "aubergine, purple",
)

DEFAULT_SYNONYM_RULES: tuple[str, ...] = (
    *_FURNITURE,
    *_LIGHTING,
    *_HOME_DECOR,
    *_BED_AND_BATH,
    *_KITCHEN,
    *_APPAREL,
    *_SHOES,
    *_ELECTRONICS,
    *_OUTDOOR_AND_SPORTS,
    *_BEAUTY_AND_CARE,
    *_TOYS_BABY_PET,
    *_HOME_AND_OFFICE,
    *_MATERIALS_AND_FEATURES,
    *_COLOURS,
)


def install_default_synonyms() -> int:
    """Add the default rules the list does not have yet (compared as parsed); returns how many.

    Flushes, never commits: the caller owns the transaction.
    """
    existing = set()
    for text in db.session.scalars(select(SearchSynonym.rule)):
        try:
            existing.add(str(parse_rule(text)))
        except InvalidSynonymRule:
            continue
    added = 0
    for text in DEFAULT_SYNONYM_RULES:
        canonical = str(parse_rule(text))
        if canonical in existing:
            continue
        db.session.add(SearchSynonym(rule=canonical, note=DEFAULT_NOTE, is_active=True))
        existing.add(canonical)
        added += 1
    db.session.flush()
    return added
