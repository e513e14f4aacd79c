"""Beauty: skincare, hair care, bath and body."""

from marketplace.demo.departments._base import department, leaf

_SKIN_TYPES = "All skin types|Dry|Oily|Combination|Sensitive"

DEPARTMENT = department(
    "Beauty",
    brands="Wildflower Apothecary|Saltbloom|Verdant Skin|Lumiere Botanics|Oat & Honey|"
    "Hedgerow Naturals|Clearwater Skin",
    series="Pure|Daily|Botanical|Calm|Radiance|Nourish|Restore|Bloom",
    care="Store below 25 °C, away from direct sunlight.|Patch-test before first use.|Use "
    "within twelve months of opening.",
    pictogram="beauty",
    models="No. 1|No. 5|No. 9",
    leaves=[
        leaf(
            "Skincare",
            required="skin_type|key_ingredient",
            nouns="Face Serum|Moisturiser=Day/Night/Rich|Cleansing Balm|Face Oil|Eye Cream|Gel "
            "Cleanser",
            adjectives="Fragrance-Free|Vegan|Lightweight|Barrier-Repair",
            features="It sinks in quickly and leaves no greasy film.|The formula is "
            "dermatologist-tested and free from synthetic fragrance.|The airless pump keeps the "
            "actives fresh to the last drop.|It is made in small batches in our own lab.",
            uses="a simple morning routine|winter-dry skin|calming redness|an evening wind-down",
            price=(14, 78),
            axis="volume",
            axis_values="15 ml|30 ml|50 ml|100 ml",
            suffix="",
            vocab={
                "skin_type": _SKIN_TYPES,
                "key_ingredient": "Hyaluronic acid|Niacinamide|Vitamin C|Squalane|Ceramides|"
                "Colloidal oatmeal",
            },
        ),
        leaf(
            "Hair Care",
            required="hair_type",
            nouns="Shampoo|Conditioner|Hair Mask|Scalp Serum|Leave-In Conditioner|Styling Cream",
            adjectives="Sulphate-Free|Nourishing|Repairing|Volumising",
            features="It cleans gently without stripping natural oils.|Plant proteins help "
            "strengthen lengths and tame frizz.|Salon-grade results in a refillable bottle.|It "
            "rinses out clean and leaves hair soft, not weighed down.",
            uses="curly and coily hair|everyday washing|colour-treated hair|taming frizz",
            price=(9, 48),
            axis="volume",
            axis_values="100 ml|250 ml|500 ml|1 litre",
            suffix="",
            vocab={"hair_type": "All hair types|Curly|Fine|Thick|Colour-treated"},
        ),
        leaf(
            "Bath & Body",
            required="scent|skin_type",
            nouns="Body Wash|Bath Salts|Hand Cream|Body Lotion|Soap Bar|Bath Oil",
            adjectives="Moisturising|Cold-Process|Mineral-Rich|Gentle",
            features="Shea butter and oat milk leave skin soft, not sticky.|Essential oils give "
            "it a natural scent that lingers.|The packaging is plastic-free or refillable.|It "
            "lathers richly, even in hard water.",
            uses="a long soak at the end of the day|busy mornings|gardeners' hands|pampering "
            "yourself",
            price=(8, 42),
            axis="pack",
            suffix="scent",
            vocab={"skin_type": _SKIN_TYPES},
        ),
    ],
)
