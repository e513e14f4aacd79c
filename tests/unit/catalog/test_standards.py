"""Product-standard rules: each kind passes a good listing and explains what fails a bad one."""

from __future__ import annotations

import itertools
import random

import pytest

from marketplace.catalog.standards import (
    KINDS,
    CheckContext,
    ImageInfo,
    ListingSnapshot,
    PeerIndex,
    StandardSpec,
    VariantInfo,
    Violation,
    clean_params,
    evaluate,
    title_tokens,
    verdict,
)

GOOD_DESCRIPTION = (
    "A sturdy stoneware mug, glazed by hand and fired twice. Holds 350 ml and is dishwasher safe."
)


def listing(**overrides) -> ListingSnapshot:
    """A listing that meets every default standard, with some fields replaced."""
    fields = {
        "product_id": 10,
        "vendor_id": 1,
        "title": "Speckled Stoneware Coffee Mug",
        "description": GOOD_DESCRIPTION,
        "category_path": "home/kitchen/mugs",
        "category_name": "Mugs",
        "required_attributes": ("material",),
        "attributes": {"material": "Stoneware"},
        "images": (ImageInfo(800, 800),),
        "variants": (VariantInfo("Default", 2400, "USD"),),
    }
    fields.update(overrides)
    return ListingSnapshot(**fields)


def run(kind: str, snapshot: ListingSnapshot, context: CheckContext | None = None, **params):
    """Run one rule kind with its default settings, overridden by `params`."""
    settings = clean_params(kind, params)
    return KINDS[kind].check(snapshot, settings, context or CheckContext())


def message(kind: str, snapshot: ListingSnapshot, **params) -> str:
    violation = run(kind, snapshot, **params)
    assert isinstance(violation, Violation), f"{kind} should fail"
    return violation.message


def test_the_good_listing_passes_every_kind_with_its_defaults():
    for kind in KINDS:
        assert run(kind, listing()) is None, kind


# --- required attributes ------------------------------------------------------------------------


def test_required_attributes_of_the_category_must_be_filled_in():
    bare = listing(attributes={"material": "  "}, required_attributes=("material", "capacity_ml"))
    assert message("required_attributes", bare) == (
        "Fill in the required attributes “material” and “capacity ml”; "
        "every listing in Mugs needs them."
    )


def test_one_missing_attribute_reads_in_the_singular():
    assert message("required_attributes", listing(attributes={})) == (
        "Fill in the required attribute “material”; every listing in Mugs needs it."
    )


def test_required_attributes_from_the_standard_add_to_the_category_ones():
    assert run("required_attributes", listing(), attributes=["brand"]) is not None
    branded = listing(attributes={"material": "Stoneware", "Brand": "Kiln Street"})
    assert run("required_attributes", branded, attributes=["brand"]) is None


# --- lengths ------------------------------------------------------------------------------------


def test_title_length_minimum_says_how_long_it_is():
    assert message("title_length", listing(title="Blue mug!")) == (
        "Title must be at least 15 characters (it has 9)."
    )


def test_title_length_maximum():
    long_title = "Mug " * 40
    assert message("title_length", listing(title=long_title), max=100) == (
        "Title must be at most 100 characters (it has 159)."
    )
    assert run("title_length", listing(title=long_title), max=None) is None


def test_description_length():
    assert message("description_length", listing(description="Nice mug.")) == (
        "Description must be at least 50 characters (it has 9)."
    )
    assert message("description_length", listing(description="  ")) == (
        "Add a description of at least 50 characters."
    )
    assert run("description_length", listing(), min=20) is None


# --- title casing and spam ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "BEST COFFEE MUG EVER",
        "AMAZING Speckled MUG DEAL",
        "BEAUTIFUL MUG",
    ],
)
def test_shouting_titles_fail(title):
    assert message("title_caps", listing(title=title)).startswith(
        "Write the title in normal case rather than capitals (“"
    )


def test_a_title_all_in_capitals_names_every_word():
    assert message("title_caps", listing(title="BIG MUG SALE")) == (
        "Write the title in normal case rather than capitals (“BIG”, “MUG” and “SALE”)."
    )


@pytest.mark.parametrize(
    "title",
    [
        "USB-C Hub with 4K HDMI and LED",
        "IKEA Style Speckled Mug",
        "Speckled Stoneware Mug, XL",
    ],
)
def test_acronyms_and_a_capitalised_brand_are_not_shouting(title):
    assert run("title_caps", listing(title=title)) is None


def test_title_caps_ratio_is_configurable():
    title = "KILN Street Speckled Mug"
    assert run("title_caps", listing(title=title)) is None
    assert run("title_caps", listing(title=title), max_ratio=0.2) is not None


@pytest.mark.parametrize(
    ("title", "description", "field", "run_text"),
    [
        ("Speckled Mug SALE!!!", GOOD_DESCRIPTION, "title", "!!!"),
        ("Speckled Mug at $$$ off", GOOD_DESCRIPTION, "title", "$$$"),
        ("Speckled Mug, what?!?", GOOD_DESCRIPTION, "title", "?!?"),
        ("Speckled Stoneware Mug", GOOD_DESCRIPTION + " Order now 🔥🔥🔥", "description", "🔥🔥🔥"),
        ("Speckled Mug 😍 😍 😍", GOOD_DESCRIPTION, "title", "😍 😍 😍"),
    ],
)
def test_spam_punctuation_and_emoji_runs_fail(title, description, field, run_text):
    violation = run("spam_punctuation", listing(title=title, description=description))
    assert violation is not None
    assert violation.field == field
    assert f"“{run_text}”" in violation.message
    assert violation.message.endswith(f"from the {field}; it reads as spam.")


@pytest.mark.parametrize(
    "text",
    ["Really? Yes! It's 100% stoneware...", "Two emoji are fine ☕🙂", "C# and A+ and **bold**"],
)
def test_ordinary_punctuation_passes(text):
    assert run("spam_punctuation", listing(description=GOOD_DESCRIPTION + " " + text)) is None


def test_spam_in_the_description_can_be_ignored():
    noisy = listing(description=GOOD_DESCRIPTION + " WOW!!!!")
    assert run("spam_punctuation", noisy, check_description=False) is None


# --- prohibited words and categories ------------------------------------------------------------


def test_prohibited_words_are_found_as_whole_words_in_any_case():
    violation = run(
        "prohibited_words",
        listing(title="Designer REPLICA Mug", description=GOOD_DESCRIPTION + " A knock-off."),
        words=["replica", "knock-off"],
    )
    assert violation == Violation(
        "Remove “replica” and “knock-off” from the title and the description; "
        "these words are not allowed on the marketplace.",
        field="title",
    )


def test_prohibited_words_inside_other_words_pass():
    snapshot = listing(title="Fakery-free Replicable Mug Shop", description=GOOD_DESCRIPTION)
    assert run("prohibited_words", snapshot, words=["fake", "replica"]) is None


def test_prohibited_phrase_only_in_the_description():
    snapshot = listing(description=GOOD_DESCRIPTION + " Not a  Designer   Copy.")
    violation = run("prohibited_words", snapshot, words=["designer copy"])
    assert violation is not None
    assert violation.field == "description"
    assert "“designer copy”" in violation.message


def test_prohibited_category_covers_its_subtree():
    knives = listing(category_path="outdoors/knives/folding", category_name="Folding knives")
    assert message("prohibited_category", knives, paths=["outdoors/knives"]) == (
        "Products in “Folding knives” can't be sold on this marketplace. If that category was "
        "chosen by mistake, pick the one that fits the product."
    )
    sheaths = listing(category_path="outdoors/knives-sheaths")
    assert run("prohibited_category", sheaths, paths=["outdoors/knives"]) is None


# --- images -------------------------------------------------------------------------------------


def test_min_images():
    assert message("min_images", listing(images=())) == (
        "Add at least one image; this listing has none."
    )
    assert message("min_images", listing(), min=3) == "Add at least 3 images (it has 1)."
    two = listing(images=(ImageInfo(800, 800), ImageInfo(900, 600)))
    assert run("min_images", two, min=2) is None


def test_min_image_resolution_names_the_smallest_image():
    images = (ImageInfo(1200, 1200), ImageInfo(640, 300), ImageInfo(320, 480))
    assert message("min_image_resolution", listing(images=images)) == (
        "Images must be at least 500 by 500 pixels; 2 of 3 are smaller "
        "(the smallest is 320 by 480)."
    )
    assert (
        run("min_image_resolution", listing(images=images), min_width=300, min_height=300) is None
    )


def test_min_image_resolution_leaves_a_listing_without_images_to_min_images():
    assert run("min_image_resolution", listing(images=())) is None


# --- prices -------------------------------------------------------------------------------------


def test_price_bounds():
    cheap = listing(variants=(VariantInfo("Small", 900, "USD"), VariantInfo("Tiny", 10, "USD")))
    assert message("price_bounds", cheap, min_minor=100) == (
        "Price must be at least $1.00; “Tiny” costs $0.10."
    )
    dear = listing(variants=(VariantInfo("Gold", 900_000, "USD"),))
    assert message("price_bounds", dear, max_minor=500_000) == (
        "Price must be at most $5,000.00; “Gold” costs $9,000.00."
    )
    assert run("price_bounds", dear, min_minor=None, max_minor=None) is None


def test_price_bounds_compare_only_their_currency():
    yen = listing(variants=(VariantInfo("Default", 50_000, "JPY"),))
    assert run("price_bounds", yen, max_minor=20_000, currency="USD") is None
    assert run("price_bounds", yen, max_minor=20_000, currency="jpy") is not None


def test_every_variant_needs_a_price():
    assert message("variant_price_required", listing(variants=())) == (
        "Add at least one variant with a price."
    )
    free = listing(variants=(VariantInfo("Blue", 2400), VariantInfo("Green", 0)))
    violation = run("variant_price_required", free)
    assert violation is not None
    assert violation.message == "Set a price above zero for every variant: “Green” has none."


# --- near duplicates ----------------------------------------------------------------------------


def peers(*rows: tuple[int, int, str, str]) -> CheckContext:
    index = PeerIndex()
    for product_id, vendor_id, title, description in rows:
        index.add(product_id, vendor_id, title, description)
    return CheckContext(peers=index)


def test_near_duplicate_title_of_an_earlier_listing_of_the_same_vendor():
    title = "Kiln Street Speckled Stoneware Coffee Mug with Handle Large Blue Glaze 350 ml"
    context = peers((3, 1, title, "Another description entirely, long enough to stand alone."))
    copy = listing(title=f"{title} Gift", product_id=10)  # 13 of 14 words in common
    violation = run("near_duplicate", copy, context)
    assert violation is not None
    assert violation.message.startswith(f"This looks like a copy of your listing “{title}” (#3).")


def test_word_order_and_case_do_not_hide_a_duplicate():
    context = peers((3, 1, "Speckled Stoneware Coffee Mug", "Something else said here."))
    assert run("near_duplicate", listing(title="coffee mug, speckled STONEWARE"), context)


def test_similar_titles_below_the_threshold_pass():
    context = peers((3, 1, "Speckled Stoneware Coffee Mug, Blue", "Something else said here."))
    snapshot = listing(title="Speckled Stoneware Coffee Mug, Green")
    assert run("near_duplicate", snapshot, context) is None
    assert run("near_duplicate", snapshot, context, threshold=0.6) is not None


def test_other_vendors_and_newer_listings_are_not_duplicates_of_this_one():
    context = peers(
        (3, 2, "Speckled Stoneware Coffee Mug", GOOD_DESCRIPTION),
        (11, 1, "Speckled Stoneware Coffee Mug", GOOD_DESCRIPTION),
    )
    assert run("near_duplicate", listing(product_id=10), context) is None


def test_identical_description_is_a_duplicate():
    context = peers((4, 1, "Walnut Serving Board", GOOD_DESCRIPTION.upper()))
    violation = run("near_duplicate", listing(), context)
    assert violation is not None
    assert violation.field == "description"
    assert "The description is the same as your listing “Walnut Serving Board” (#4)." in (
        violation.message
    )
    assert run("near_duplicate", listing(), context, compare_descriptions=False) is None


def _brute_force(rows, threshold):
    """Every (listing, earliest earlier same-vendor listing at max similarity) by comparing all."""
    found = {}
    for (a_id, a_vendor, a_title), (b_id, b_vendor, b_title) in itertools.permutations(rows, 2):
        if a_vendor != b_vendor or b_id >= a_id:
            continue
        a, b = title_tokens(a_title), title_tokens(b_title)
        similarity = len(a & b) / len(a | b)
        if similarity >= threshold:
            best = found.get(a_id)
            if best is None or (-similarity, b_id) < best:
                found[a_id] = (-similarity, b_id)
    return {a_id: b_id for a_id, (_, b_id) in found.items()}


@pytest.mark.parametrize("threshold", [0.5, 0.75, 0.9, 1.0])
def test_the_index_finds_exactly_what_comparing_every_pair_finds(threshold):
    rng = random.Random(threshold)
    words = [f"w{n}" for n in range(14)]
    rows = []
    for product_id in range(1, 160):
        size = rng.randint(1, 9)
        rows.append((product_id, rng.randint(1, 3), " ".join(rng.sample(words, size))))
    index = PeerIndex()
    for product_id, vendor_id, title in rows:
        index.add(product_id, vendor_id, title, "")
    found = {}
    for product_id, vendor_id, title in rows:
        snapshot = listing(product_id=product_id, vendor_id=vendor_id, title=title)
        match = index.find_duplicate(snapshot, threshold)
        if match is not None:
            found[product_id] = match.product_id
    assert found == _brute_force(rows, threshold)
    assert found  # the random titles do contain duplicates at every threshold tried


# --- evaluation ---------------------------------------------------------------------------------


def spec(kind: str, severity: str = "block", scope: str | None = None, **params) -> StandardSpec:
    return StandardSpec(
        1, kind, kind.replace("_", " "), clean_params(kind, params), severity, scope
    )


def test_evaluate_reports_every_applicable_standard():
    specs = [
        spec("title_length"),
        spec("min_images", "review", min=2),
        spec("variant_price_required"),
    ]
    results = evaluate(listing(), specs, CheckContext())
    assert [(r["kind"], r["passed"], r["field"]) for r in results] == [
        ("title_length", True, "title"),
        ("min_images", False, "images"),
        ("variant_price_required", True, "variants"),
    ]
    assert results[1] == {
        "standard_id": 1,
        "kind": "min_images",
        "name": "min images",
        "severity": "review",
        "passed": False,
        "field": "images",
        "message": "Add at least 2 images (it has 1).",
    }
    assert verdict(results) == "review"


def test_scoped_standards_apply_to_their_category_and_below_only():
    scoped = spec("price_bounds", scope="home/kitchen", max_minor=1000)
    assert evaluate(listing(category_path="home/kitchen/mugs"), [scoped], CheckContext())
    assert evaluate(listing(category_path="home/kitchen"), [scoped], CheckContext())
    assert evaluate(listing(category_path="home/kitchenware"), [scoped], CheckContext()) == []
    assert evaluate(listing(category_path="garden"), [scoped], CheckContext()) == []


def test_unknown_kinds_are_skipped():
    assert evaluate(listing(), [spec("title_length"), spec("gone")], CheckContext())[0]["passed"]
    assert len(evaluate(listing(), [spec("gone")], CheckContext())) == 0


@pytest.mark.parametrize(
    ("failed", "expected"),
    [
        ((), "pass"),
        (("warn",), "pass"),
        (("warn", "review"), "review"),
        (("review", "block"), "block"),
    ],
)
def test_verdict_is_the_most_severe_failure(failed, expected):
    results = [{"severity": s, "passed": False} for s in failed]
    results.append({"severity": "block", "passed": True})
    assert verdict(results) == expected


def test_clean_params_types_values_and_fills_defaults():
    assert clean_params("title_length", {"min": "20", "max": ""}) == {"min": 20, "max": None}
    assert clean_params("title_length", {}) == {"min": 15, "max": 150}
    assert clean_params("title_length", {"min": "lots"}) == {"min": 15, "max": 150}
    assert clean_params("prohibited_words", {"words": "replica,\nfake , replica"}) == {
        "words": ["replica", "fake"]
    }
    assert (
        clean_params("spam_punctuation", {"check_description": "0"})["check_description"] is False
    )
    assert clean_params("near_duplicate", {"threshold": "0.8"})["threshold"] == 0.8


def test_every_kind_has_a_field_a_label_and_defaults_its_own_params_know():
    fields = {"title", "description", "category", "attributes", "images", "variants", "price"}
    for kind in KINDS.values():
        assert kind.field in fields
        assert kind.label and kind.description and kind.default_name
        assert set(kind.default_params()) <= {p.name for p in kind.params}
