"""Electronics: headphones, speakers, phone and computer accessories, smart home."""

from marketplace.demo.departments._base import department, leaf

DEPARTMENT = department(
    "Electronics",
    brands="Auralis|Voltway|Kestrel Labs|Tessellate|Brightwire|Quillon|Neonode",
    series="Studio|Pulse|Nova|Air|Flex|Wave|Core|Orbit",
    care="Keep it away from moisture and clean it with a dry microfibre cloth.|Firmware updates "
    "install from the companion app.|It is covered by a two-year limited warranty.",
    pictogram="electronics",
    models="2|3|Pro|Max|Mini|S|X|Lite|SE",
    leaves=[
        leaf(
            "Headphones",
            group="Audio",
            required="brand|connectivity",
            nouns="Over-Ear Headphones|On-Ear Headphones|In-Ear Earphones|Studio Monitor "
            "Headphones|Sport Earphones",
            adjectives="Noise-Cancelling|Lightweight|Foldable|Closed-Back|Open-Back|Hi-Res",
            features="40 mm drivers deliver a warm low end without muddying voices.|Memory-foam "
            "cushions stay comfortable through a long-haul flight.|A built-in microphone keeps "
            "calls clear, even on a busy street.|Physical buttons let you skip tracks without "
            "reaching for your phone.|A hard travel case is included.",
            uses="commutes and long flights|focused work in an open-plan office|mixing and "
            "podcast editing|late-night listening",
            price=(29, 349),
            axis="colour",
            axis_values="Black|Ivory|Navy|Sage|Graphite|Sand",
            vocab={"connectivity": "Bluetooth 5.3|Wired 3.5 mm|USB-C|Bluetooth 5.3 and 3.5 mm"},
        ),
        leaf(
            "Speakers",
            group="Audio",
            required="brand|connectivity",
            nouns="Portable Speaker|Bookshelf Speakers|Soundbar|Smart Speaker|Waterproof Speaker",
            noun_prices={"Portable Speaker": (39, 149), "Waterproof Speaker": (39, 129)},
            adjectives="Compact|Rugged|360-Degree|Stereo",
            features="Room-filling sound comes with a surprisingly tight bass.|Two units pair "
            "into a stereo set in seconds.|The battery lasts a full day of playback.|A fabric "
            "grille and rounded edges look at home on a bookshelf.",
            uses="garden parties|a kitchen radio upgrade|movie nights|weekends away",
            price=(39, 399),
            axis="colour",
            axis_values="Black|Stone|Olive|Slate Blue|Terracotta",
            vocab={"connectivity": "Bluetooth 5.3|Wi-Fi and Bluetooth|AirPlay 2 and Bluetooth"},
        ),
        leaf(
            "Phone Accessories",
            required="brand|compatibility",
            nouns="Phone Case=Slim/Shockproof/Clear/Leather|Wireless Charging Pad=15 W/Magnetic "
            "15 W|USB-C Charging Cable=1 m Braided/2 m Braided/3 m|Power Bank=10,000 mAh/20,000 "
            "mAh|Car Phone Mount=Magnetic/Vent Clip|Screen Protector=2-Pack/3-Pack",
            adjectives="Slim|Premium|Essential|Travel",
            features="It supports fast charging where your phone does.|Raised edges protect the "
            "screen and camera when the phone lands face down.|Tested to 10,000 bends at the "
            "cable joints.|Nothing to install: it works straight out of the box.",
            uses="busy days away from a socket|road trips|the bedside table|everyday protection",
            price=(9, 79),
            axis="colour",
            axis_values="Black|Ivory|Navy|Sage|Blush|Clear",
            noun_prices={
                "Phone Case": (12, 49),
                "USB-C Charging Cable": (9, 25),
                "Screen Protector": (9, 25),
                "Power Bank": (29, 79),
            },
            vocab={
                "compatibility": "iPhone 15|iPhone 14|Pixel 8|Galaxy S24|Universal USB-C|"
                "Qi-compatible phones"
            },
        ),
        leaf(
            "Computer Accessories",
            required="brand|connectivity",
            nouns="Mechanical Keyboard=75%/Full-Size/Tenkeyless|Wireless Mouse=Ergonomic/Compact|"
            "USB-C Hub=7-in-1/10-in-1|Laptop Stand=Adjustable/Folding|Webcam=1080p/4K|Desk Mat="
            "Large/Extended",
            adjectives="Slim|Premium|Essential|Low-Profile",
            features="It switches between three devices at the press of a key.|Aluminium "
            "housing keeps it cool and sturdy.|It works with macOS, Windows, ChromeOS and Linux "
            "without drivers.|Non-slip feet keep it in place on any desk.",
            uses="a tidy home office|long coding sessions|video calls|working from a café",
            price=(15, 189),
            axis="colour",
            axis_values="Black|Graphite|Ivory|Slate Blue",
            noun_prices={
                "Mechanical Keyboard": (69, 189),
                "Wireless Mouse": (19, 89),
                "USB-C Hub": (29, 99),
                "Laptop Stand": (29, 89),
                "Webcam": (39, 159),
                "Desk Mat": (15, 45),
            },
            vocab={"connectivity": "USB-C|Bluetooth 5.1|2.4 GHz wireless|USB-A"},
        ),
        leaf(
            "Smart Home",
            required="brand|connectivity",
            nouns="Smart Plug=2-Pack/4-Pack|Smart Bulb=E27 806 lm/GU10 345 lm|Video Doorbell="
            "1080p/2K|Indoor Camera=1080p/2K|Temperature Sensor=Single/3-Pack|Light Strip=2 m/5 m",
            adjectives="Compact|Energy-Saving|Essential|Outdoor-Rated",
            features="Set-up takes about two minutes in the app.|It works with the major voice "
            "assistants.|Schedules and scenes keep running even if the internet drops.|Energy "
            "reports show what each device costs to run.",
            uses="an easier morning routine|keeping an eye on the house|saving energy|a cosier "
            "living room",
            price=(14, 179),
            axis="colour",
            axis_values="White|Black|Grey",
            noun_prices={"Video Doorbell": (69, 179), "Indoor Camera": (35, 99)},
            vocab={"connectivity": "Wi-Fi|Zigbee|Matter over Thread|Bluetooth LE"},
        ),
    ],
)
