"""Placeholder pictures for the demo catalogue, drawn with Pillow: no network, no font files.

A product picture is a soft gradient in a palette colour, a simple pictogram of the
department and the category's name. The seed draws one per leaf category and palette and
reuses them, so a catalogue of 200,000 products still needs only about a hundred files.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps

RGB = tuple[int, int, int]
# (light, dark, ink): gradient top, gradient bottom, pictogram and label colour.
PALETTES: tuple[tuple[RGB, RGB, RGB], ...] = (
    ((246, 236, 222), (226, 200, 168), (120, 72, 40)),  # sand
    ((226, 238, 226), (176, 204, 178), (44, 88, 60)),  # sage
    ((224, 234, 246), (170, 192, 222), (36, 64, 110)),  # slate blue
    ((248, 228, 226), (226, 178, 170), (128, 48, 44)),  # terracotta
    ((236, 230, 244), (196, 182, 222), (76, 52, 118)),  # plum
    ((244, 240, 214), (222, 208, 150), (104, 86, 24)),  # mustard
)
_SUPERSAMPLE = 2  # draw large and scale down, for smooth edges without an antialias API


@dataclass(frozen=True)
class RenderedImage:
    """Encoded image bytes and what a ProductImage row records about them."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def palette_for(category_index: int, variant: int) -> tuple[RGB, RGB, RGB]:
    """The palette of a category's `variant`-th picture; neighbouring categories differ."""
    return PALETTES[(category_index + variant * 2) % len(PALETTES)]


def _gradient(size: int, light: RGB, dark: RGB) -> Image.Image:
    ramp = Image.linear_gradient("L").resize((size, size), Image.Resampling.BILINEAR)
    return ImageOps.colorize(ramp, black=light, white=dark)


def _pot(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.rounded_rectangle((c - 150 * u, c - 40 * u, c + 150 * u, c + 150 * u), 40 * u, fill=ink)
    d.rectangle((c - 215 * u, c - 10 * u, c - 150 * u, c + 20 * u), fill=ink)
    d.rectangle((c + 150 * u, c - 10 * u, c + 215 * u, c + 20 * u), fill=ink)
    d.rounded_rectangle((c - 170 * u, c - 75 * u, c + 170 * u, c - 50 * u), 12 * u, fill=ink)
    d.ellipse((c - 25 * u, c - 110 * u, c + 25 * u, c - 70 * u), fill=ink)
    for dx in (-70, 0, 70):
        d.arc(
            (c + (dx - 20) * u, c - 230 * u, c + (dx + 20) * u, c - 150 * u),
            90,
            270,
            ink,
            int(10 * u),
        )


def _headphones(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.arc((c - 170 * u, c - 190 * u, c + 170 * u, c + 150 * u), 180, 360, ink, int(30 * u))
    for side in (-1, 1):
        x = c + side * 170 * u
        d.rounded_rectangle((x - 45 * u, c - 30 * u, x + 45 * u, c + 130 * u), 30 * u, fill=ink)


def _shirt(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.polygon(
        [
            (c - 70 * u, c - 170 * u),
            (c - 200 * u, c - 110 * u),
            (c - 160 * u, c - 20 * u),
            (c - 110 * u, c - 50 * u),
            (c - 110 * u, c + 170 * u),
            (c + 110 * u, c + 170 * u),
            (c + 110 * u, c - 50 * u),
            (c + 160 * u, c - 20 * u),
            (c + 200 * u, c - 110 * u),
            (c + 70 * u, c - 170 * u),
            (c + 40 * u, c - 130 * u),
            (c - 40 * u, c - 130 * u),
        ],
        fill=ink,
    )


def _tent(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.polygon(
        [(c - 230 * u, c + 150 * u), (c - 60 * u, c - 150 * u), (c + 110 * u, c + 150 * u)],
        fill=ink,
    )
    d.polygon(
        [(c - 20 * u, c + 150 * u), (c + 110 * u, c - 60 * u), (c + 240 * u, c + 150 * u)], fill=ink
    )
    d.polygon(
        [(c - 60 * u, c + 150 * u), (c - 60 * u, c + 20 * u), (c - 5 * u, c + 150 * u)],
        fill=(255, 255, 255),
    )
    d.ellipse((c + 120 * u, c - 200 * u, c + 190 * u, c - 130 * u), fill=ink)


def _bottle(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.rounded_rectangle((c - 100 * u, c - 60 * u, c + 100 * u, c + 180 * u), 40 * u, fill=ink)
    d.rectangle((c - 30 * u, c - 130 * u, c + 30 * u, c - 55 * u), fill=ink)
    d.rectangle((c - 30 * u, c - 160 * u, c + 80 * u, c - 130 * u), fill=ink)
    d.rounded_rectangle(
        (c - 60 * u, c + 10 * u, c + 60 * u, c + 110 * u), 10 * u, fill=(255, 255, 255)
    )


def _blocks(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    for x, y in ((-150, 40), (10, 40), (-70, -120)):
        d.rounded_rectangle(
            (c + x * u, c + y * u, c + (x + 140) * u, c + (y + 140) * u), 18 * u, fill=ink
        )
        d.ellipse(
            (c + (x + 45) * u, c + (y + 45) * u, c + (x + 95) * u, c + (y + 95) * u),
            fill=(255, 255, 255),
        )


def _notebook(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.rounded_rectangle((c - 150 * u, c - 180 * u, c + 110 * u, c + 180 * u), 18 * u, fill=ink)
    for y in range(-110, 150, 60):
        d.line((c - 100 * u, c + y * u, c + 70 * u, c + y * u), (255, 255, 255), int(8 * u))
    d.polygon(
        [
            (c + 150 * u, c - 180 * u),
            (c + 190 * u, c - 180 * u),
            (c + 190 * u, c + 120 * u),
            (c + 170 * u, c + 170 * u),
            (c + 150 * u, c + 120 * u),
        ],
        fill=ink,
    )


def _paw(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.ellipse((c - 110 * u, c - 10 * u, c + 110 * u, c + 170 * u), fill=ink)
    for x, y in ((-170, -70), (-75, -170), (75, -170), (170, -70)):
        d.ellipse(
            (c + (x - 50) * u, c + (y - 60) * u, c + (x + 50) * u, c + (y + 60) * u), fill=ink
        )


def _dumbbell(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.rectangle((c - 150 * u, c - 18 * u, c + 150 * u, c + 18 * u), fill=ink)
    for side in (-1, 1):
        for offset, half in ((150, 110), (210, 80)):
            x = c + side * offset * u
            d.rounded_rectangle(
                (x - 25 * u, c - half * u, x + 25 * u, c + half * u), 12 * u, fill=ink
            )


def _plant(d: ImageDraw.ImageDraw, c: int, u: float, ink: RGB) -> None:
    d.polygon(
        [
            (c - 110 * u, c + 40 * u),
            (c + 110 * u, c + 40 * u),
            (c + 80 * u, c + 190 * u),
            (c - 80 * u, c + 190 * u),
        ],
        fill=ink,
    )
    d.line((c, c + 40 * u, c, c - 150 * u), ink, int(14 * u))
    d.chord((c - 170 * u, c - 150 * u, c + 10 * u, c + 10 * u), 200, 20, fill=ink)
    d.chord((c - 10 * u, c - 230 * u, c + 170 * u, c - 70 * u), 160, 340, fill=ink)


PICTOGRAMS: dict[str, Callable[[ImageDraw.ImageDraw, int, float, RGB], None]] = {
    "home": _pot,
    "electronics": _headphones,
    "fashion": _shirt,
    "outdoors": _tent,
    "beauty": _bottle,
    "toys": _blocks,
    "stationery": _notebook,
    "pets": _paw,
    "sports": _dumbbell,
    "garden": _plant,
}


def _encode(image: Image.Image, fmt: str) -> RenderedImage:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=86, optimize=True, progressive=True)
        return RenderedImage(buffer.getvalue(), "image/jpeg", "jpg", *image.size)
    image.save(buffer, "PNG", optimize=True)
    return RenderedImage(buffer.getvalue(), "image/png", "png", *image.size)


def product_image(
    pictogram: str, label: str, palette: tuple[RGB, RGB, RGB], size: int = 800
) -> RenderedImage:
    """A square JPEG: a gradient, a white disc holding the department's pictogram, a label."""
    light, dark, ink = palette
    big = size * _SUPERSAMPLE
    image = _gradient(big, light, dark)
    unit = big / 800
    # The pictograms draw around the centre of a square; lift that square to leave room below.
    disc = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    disc_draw = ImageDraw.Draw(disc)
    centre, radius = big // 2, int(265 * unit)
    disc_draw.ellipse(
        (centre - radius, centre - radius, centre + radius, centre + radius), fill=(255, 255, 255)
    )
    PICTOGRAMS[pictogram](disc_draw, centre, unit * 0.8, ink)
    image.paste(disc, (0, -int(40 * unit)), disc)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=int(44 * unit))
    text_width = draw.textlength(label, font=font)
    top = int(big * 0.85)
    pad = 28 * unit
    draw.rounded_rectangle(
        (
            big / 2 - text_width / 2 - pad,
            top - 18 * unit,
            big / 2 + text_width / 2 + pad,
            top + 66 * unit,
        ),
        radius=40 * unit,
        fill=(255, 255, 255),
    )
    draw.text((big / 2, top + 24 * unit), label, fill=ink, font=font, anchor="mm")
    return _encode(image.reduce(_SUPERSAMPLE), "JPEG")


def initials(name: str) -> str:
    """Up to two capital letters from a shop name ("Copper & Crumb" → "CC")."""
    words = [w for w in name.replace("&", " ").replace(".", " ").split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words[:2]) or "?"


def vendor_logo(name: str, index: int, size: int = 256) -> RenderedImage:
    """A square PNG with the shop's initials in a coloured circle on a transparent ground."""
    light, _dark, ink = PALETTES[index % len(PALETTES)]
    big = size * _SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, big - 1, big - 1), fill=ink)
    draw.ellipse(
        (big * 0.06, big * 0.06, big * 0.94, big * 0.94), outline=light, width=max(2, big // 64)
    )
    font = ImageFont.load_default(size=int(big * 0.38))
    draw.text((big / 2, big / 2), initials(name), fill=light, font=font, anchor="mm")
    return _encode(image.reduce(_SUPERSAMPLE), "PNG")
