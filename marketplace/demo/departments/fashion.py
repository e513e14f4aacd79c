"""Fashion: shoes, clothing, bags and jewellery."""

from marketplace.demo.departments._base import department, leaf

_SHOE_FEATURES = (
    "A cushioned footbed and a flexible sole make them comfortable from the first wear.|The "
    "sole is stitched, not glued, so a cobbler can resole them for years to come.|They run "
    "true to size; if you are between sizes, go up half a size.|Leather linings let your "
    "feet breathe on warm days."
)
_CLOTHING_FEATURES = (
    "The relaxed cut layers easily over a T-shirt or under a coat.|It is pre-washed, so it "
    "will not shrink in the wash.|Deep side pockets are big enough for a phone.|It is made in "
    "a small, family-run workshop we have worked with for years.|Corozo buttons and French "
    "seams finish it off inside and out."
)

DEPARTMENT = department(
    "Fashion",
    brands="Marlow & Finch|Linden Row|Easton Supply|Sienna Vale|Harbourline|Wren Atelier",
    series="Harbour|Weekend|City|Heritage|Essential|Coast|Field|Atelier",
    care="Machine wash cold, inside out, and dry flat to keep its shape.|Brush off dirt once dry "
    "and treat with a protective spray each season.|Hand-wash cold or dry clean.",
    pictogram="fashion",
    leaves=[
        leaf(
            "Women's Shoes",
            required="brand|material",
            nouns="Ankle Boots=Block-Heel/Lug-Sole/Flat|Loafers=Penny/Chunky|Ballet Flats="
            "Square-Toe/Pointed-Toe|Sneakers=Low-Top/High-Top|Chelsea Boots=Lug-Sole/Classic|"
            "Sandals=Slide/Strappy/Platform",
            adjectives="Handmade|Cushioned|Everyday|Resoleable",
            materials="Full-Grain Leather|Suede|Recycled Canvas|Nubuck|Vegan Leather",
            features=_SHOE_FEATURES,
            uses="all-day walking in the city|the office and dinner after|weekend errands|"
            "travelling light",
            price=(55, 260),
            axis="shoe_size",
        ),
        leaf(
            "Men's Shoes",
            required="brand|material",
            nouns="Derby Shoes=Plain-Toe/Brogue|Chelsea Boots=Lug-Sole/Classic|Sneakers=Low-Top/"
            "High-Top|Loafers=Penny/Tassel|Desert Boots|Boat Shoes",
            adjectives="Handmade|Goodyear-Welted|Everyday|Resoleable",
            materials="Full-Grain Leather|Suede|Recycled Canvas|Nubuck|Waxed Leather",
            features=_SHOE_FEATURES,
            uses="all-day walking in the city|the office and dinner after|weekend errands|"
            "travelling light",
            price=(60, 290),
            axis="shoe_size",
        ),
        leaf(
            "Women's Clothing",
            required="brand|material",
            nouns="Shirt Dress=Midi/Mini/Maxi|Cardigan=Cropped/Longline|Wide-Leg Trousers|Wrap "
            "Skirt=Midi/Maxi|Button-Down Shirt=Relaxed/Oversized|Jumpsuit=Utility/Sleeveless",
            adjectives="Relaxed|Tailored|Easy-Fit|Garment-Dyed",
            materials="Linen|Organic Cotton|Merino Wool|Recycled Wool Blend|Lyocell Twill",
            features=_CLOTHING_FEATURES,
            uses="warm holidays|the office|slow weekends|layering through the seasons",
            price=(39, 220),
            axis="size",
        ),
        leaf(
            "Men's Clothing",
            required="brand|material",
            nouns="Oxford Shirt=Slim-Fit/Regular-Fit|Chore Jacket|Crew-Neck Sweater|Chinos="
            "Slim/Straight|Overshirt|T-Shirt=Pocket/Heavyweight",
            adjectives="Relaxed|Tailored|Easy-Fit|Garment-Dyed",
            materials="Organic Cotton|Linen|Merino Wool|Brushed Twill|Waxed Cotton",
            features=_CLOTHING_FEATURES,
            uses="the office|slow weekends|cool evenings|travelling light",
            price=(29, 240),
            noun_prices={"T-Shirt": (25, 55), "Chinos": (59, 140), "Chore Jacket": (89, 240)},
            axis="size",
        ),
        leaf(
            "Bags & Wallets",
            required="brand|material",
            nouns="Tote Bag=Large/Zip-Top|Backpack=15-Inch Laptop/Roll-Top|Crossbody Bag=Mini/"
            "Everyday|Bifold Wallet|Card Holder|Weekender Bag",
            adjectives="Handmade|Minimalist|Water-Resistant|Everyday",
            materials="Full-Grain Leather|Waxed Canvas|Recycled Nylon|Cork|Vegetable-Tanned "
            "Leather",
            features="Solid brass hardware will not tarnish or snap.|An inside zip pocket keeps "
            "keys and cards apart from everything else.|Edges are burnished and hand-painted.|It "
            "develops a rich patina with use.",
            uses="the daily commute|weekend trips|market runs|carrying only the essentials",
            price=(29, 320),
            noun_prices={"Bifold Wallet": (29, 120), "Card Holder": (19, 80)},
            axis="colour",
            axis_values="Black|Tan|Chestnut|Olive|Navy|Stone",
        ),
        leaf(
            "Jewellery",
            required="material",
            nouns="Hoop Earrings=Small/Chunky|Pendant Necklace=Pearl/Initial|Stacking Ring|Chain "
            "Bracelet=Fine/Paperclip|Stud Earrings=Tiny/Pearl|Signet Ring",
            adjectives="Handmade|Dainty|Minimalist|Recycled",
            materials="Sterling Silver|14k Gold Vermeil|Recycled Brass|Solid 9k Gold",
            features="Every piece is cast and polished by hand in our studio.|It is nickel-free "
            "and safe for sensitive skin.|It arrives in a recycled gift box with a care card.|"
            "It is made to layer with the rest of the collection.",
            uses="everyday wear|gift-giving|special occasions|layering",
            price=(25, 380),
            axis="finish",
            axis_values="Polished|Brushed|Hammered",
            suffix="",
        ),
    ],
)
