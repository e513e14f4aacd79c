"""Home & Kitchen: cookware, knives, coffee and tea, bedding, candles."""

from marketplace.demo.departments._base import department, leaf

DEPARTMENT = department(
    "Home & Kitchen",
    brands="Hearthstone|Copperleaf|Juniper House|Alder & Oak|Bramble Kitchen|Saltmarsh|Ashcombe",
    series="Classic|Heritage|Everyday|Artisan|Signature|Farmhouse|Studio|Coastal",
    care="Hand-wash in warm soapy water and dry straight away.|Wipe clean with a damp cloth and "
    "avoid abrasive scourers.|Easy to look after: a quick rinse is usually all it needs.",
    pictogram="home",
    models="No. 3|No. 5|No. 8",
    leaves=[
        leaf(
            "Cookware",
            group="Kitchen",
            required="brand|material",
            nouns="Skillet=8-Inch/10-Inch/12-Inch|Sauté Pan=3-Quart/4-Quart|Saucepan=1.5-Quart/"
            "2-Quart/3-Quart|Dutch Oven=4-Quart/5.5-Quart/7-Quart|Stockpot=8-Quart/12-Quart|"
            "Grill Pan=10-Inch/12-Inch",
            adjectives="Heavy-Bottomed|Induction-Ready|Oven-Safe|Rivet-Free",
            materials="Cast Iron|Enamelled Cast Iron|Tri-Ply Stainless Steel|Carbon Steel|"
            "Hard-Anodised Aluminium",
            features="It heats evenly across the base, so nothing scorches on one side.|The long "
            "handle stays cool on the hob and a helper handle makes it easy to lift when full.|It "
            "works on gas, electric, ceramic and induction hobs and goes in the oven up to 260 °C."
            "|Pouring lips on both sides let you drain sauces without drips.|A tight-fitting lid "
            "locks in moisture for slow braises.",
            uses="weeknight stir-fries and Sunday roasts|searing steaks and slow braises|family "
            "stews and one-pot pasta|frying eggs and flipping pancakes",
            price=(25, 240),
            axis="finish",
            axis_values="Matte Black|Brushed Steel|Sage|Cream|Cherry Red|Deep Teal",
            suffix="",
        ),
        leaf(
            "Kitchen Knives",
            group="Kitchen",
            required="brand|blade_material",
            nouns="Chef's Knife=6-Inch/8-Inch/10-Inch|Santoku Knife=5-Inch/7-Inch|Paring Knife="
            "3.5-Inch/4-Inch|Bread Knife=9-Inch/10-Inch|Nakiri Knife=6.5-Inch|Utility Knife="
            "5-Inch/6-Inch",
            adjectives="Forged|Hand-Sharpened|Full-Tang|Hammered",
            features="The blade is sharpened by hand to a 15-degree edge that glides through ripe "
            "tomatoes.|A full tang and balanced bolster make long prep sessions easier on the "
            "wrist.|The handle is sealed against water and shaped for a comfortable pinch grip.|It "
            "arrives in a protective blade guard, ready for a drawer or a knife roll.",
            uses="daily vegetable prep|breaking down whole chickens|fine herb work and garnishes|"
            "slicing crusty sourdough",
            price=(18, 190),
            axis="handle",
            axis_values="Walnut|Olive Wood|Black Pakkawood|Green Micarta",
            suffix="",
            vocab={
                "blade_material": "German stainless steel|Japanese VG-10 steel|Damascus-clad "
                "VG-10|High-carbon stainless steel"
            },
        ),
        leaf(
            "Coffee & Tea",
            group="Kitchen",
            required="brand|capacity",
            nouns="Pour-Over Coffee Maker|French Press|Gooseneck Kettle|Cold Brew Jar|Teapot with "
            "Infuser|Milk Frother",
            adjectives="Double-Walled|Precision|Barista|Compact",
            materials="Borosilicate Glass|Stainless Steel|Stoneware|Copper-Finish Steel",
            features="A fine mesh filter keeps grounds out of the cup and lets the oils "
            "through.|The double-walled body keeps drinks hot for longer and stays cool to hold.|"
            "Markings on the side take the guesswork out of ratios.|Every part comes apart for "
            "cleaning and is dishwasher-safe.",
            uses="a slow Saturday-morning brew|the first cup before work|loose-leaf teas and "
            "herbal infusions|iced coffee on summer afternoons",
            price=(19, 140),
            axis="colour",
            axis_values="Black|Ivory|Sage|Terracotta|Slate Blue|Brushed Steel",
            vocab={"capacity": "350 ml|600 ml|800 ml|1 litre|1.2 litres"},
        ),
        leaf(
            "Bedding",
            required="material",
            nouns="Duvet Cover Set|Sheet Set|Quilted Coverlet|Fitted Sheet|Pillowcase Pair",
            adjectives="Stonewashed|Breathable|Garment-Dyed|Hotel-Quality",
            materials="Linen|Organic Cotton Percale|Cotton Sateen|Lyocell|Brushed Cotton Flannel",
            features="It is pre-washed for a soft, lived-in feel from the very first night.|The "
            "fabric breathes, so it stays cool in summer and cosy in winter.|The fabric softens "
            "further with every wash.|It is woven and finished in a family-run mill.",
            uses="a calm, restful bedroom|guest rooms and holiday lets|warm summer nights|layering "
            "through the seasons",
            price=(35, 260),
            axis="bed_size",
        ),
        leaf(
            "Candles & Home Fragrance",
            required="wax|burn_time",
            nouns="Soy Candle|Beeswax Pillar Candle|Coconut Wax Candle|Reed Diffuser|Room Spray|"
            "Travel Tin Candle",
            adjectives="Hand-Poured|Small-Batch|Double-Wick|Signature",
            features="Each one is hand-poured in small batches and cured for two weeks for a "
            "fuller scent.|The cotton wick burns cleanly, without the soot of paraffin.|Fragrance "
            "oils are phthalate-free and blended in-house.|The glass vessel can be washed out and "
            "reused once it is finished.",
            uses="slow evenings at home|a long bath after work|making a guest room feel welcoming|"
            "cosy winter afternoons",
            price=(12, 58),
            axis="candle_size",
            axis_values="Travel|Classic|Large",
            suffix="scent",
            vocab={
                "wax": "Soy|Coconut|Beeswax|Rapeseed",
                "burn_time": "25 hours|40 hours|55 hours|70 hours",
            },
        ),
    ],
)
