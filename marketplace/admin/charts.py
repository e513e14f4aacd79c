"""Bar charts drawn on the server: this module computes the geometry, a template draws the SVG.

No JavaScript and nothing fetched from elsewhere: the page carries the chart as inline SVG,
each bar with a title (a tooltip) and the figures also in a table next to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28
MAX_X_LABELS = 7


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    tooltip: str


@dataclass(frozen=True)
class Label:
    position: float
    text: str


@dataclass(frozen=True)
class BarChart:
    """Everything a template needs to draw one chart in a WIDTH by HEIGHT viewBox."""

    title: str
    bars: list[Bar]
    y_ticks: list[Label]
    x_labels: list[Label]
    summary: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM


def nice_ceiling(value: int) -> int:
    """A round axis maximum: the smallest 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def period_label(key: str) -> str:
    """`2026-03-07` → `7 Mar`, `2026-03` → `Mar 2026`."""
    if len(key) == 10:
        day = date.fromisoformat(key)
        return f"{day.day} {day:%b}"
    return date.fromisoformat(key + "-01").strftime("%b %Y")


def bar_chart(
    title: str,
    keys: Sequence[str],
    values: Sequence[int],
    format_value: Callable[[int], str] = str,
    format_axis: Callable[[int], str] | None = None,
) -> BarChart:
    """Bars for `values` (one per period key), with a round y axis and a few x labels."""
    top_value = nice_ceiling(max([0, *values]))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(1, len(keys))
    gap = min(4.0, slot * 0.2)
    bars = []
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        height = plot_height * max(0, value) / top_value
        bars.append(
            Bar(
                x=round(LEFT + index * slot + gap / 2, 2),
                y=round(TOP + plot_height - height, 2),
                width=round(max(1.0, slot - gap), 2),
                height=round(height, 2),
                tooltip=f"{period_label(key)}: {format_value(value)}",
            )
        )
    divisions = next(d for d in (5, 4, 2, 1) if top_value % d == 0)
    ticks = [
        Label(
            round(TOP + plot_height * (1 - step / divisions), 2),
            (format_axis or format_value)(top_value * step // divisions),
        )
        for step in range(divisions + 1)
    ]
    every = max(1, math.ceil(len(keys) / MAX_X_LABELS))
    x_labels = [
        Label(round(LEFT + (index + 0.5) * slot, 2), period_label(key))
        for index, key in enumerate(keys)
        if index % every == 0
    ]
    total = format_value(sum(values))
    summary = (
        f"{title}: {total} over {len(keys)} periods, highest {format_value(max([0, *values]))}."
    )
    return BarChart(title, bars, ticks, x_labels, summary)
