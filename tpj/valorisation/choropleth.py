"""Colour classes of the dashboard map, computed from the figures shown.

A territory without a figure (no population, no file waiting) is « aucune donnée »; one at
0 has its own class, lighter than any other: neither is ever counted in the classes of the
others. The positive figures are cut into at most five classes of (nearly) equal size
(quantiles), each class bounded by figures that occur, so that the legend names only
figures of the tables.
"""

from collections.abc import Callable

# DSFR blue-france scale, light to dark; a near-white for 0 and a grey for no data.
PALETTE = ["#cacafb", "#a1a1f8", "#6a6af4", "#2323ff", "#000091"]
ZERO_COLOUR = "#f5f5fe"
NO_DATA_COLOUR = "#e5e5e5"
NO_DATA = "none"
ZERO = "zero"


def class_breaks(values, classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of the classes of the positive `values` (None and 0 left out), ascending:
    quantiles taken among the figures themselves, never two equal bounds, at most `classes`."""
    positive = sorted(v for v in values if v is not None and v > 0)
    breaks: list[float] = []
    for index in range(1, classes + 1):
        if not positive:
            break
        bound = positive[-(-index * len(positive) // classes) - 1]  # ceil(index * n / classes) - 1
        if not breaks or bound > breaks[-1]:
            breaks.append(bound)
    return breaks


def class_of(value, breaks: list[float]) -> str:
    """The class key of a figure: "none", "zero" or the index of its class ("0" the lightest)."""
    if value is None:
        return NO_DATA
    if value <= 0 or not breaks:
        return ZERO
    for index, bound in enumerate(breaks):
        if value <= bound:
            return str(index)
    return str(len(breaks) - 1)


def legend(values, breaks: list[float], fmt: Callable) -> list[dict]:
    """What the legend shows, lightest first: each class with the lowest and highest figure
    it holds, formatted by `fmt` (« 1 234 », « 0,1 »); the 0 and « aucune donnée » entries
    only when a territory is in them."""
    present = [v for v in values if v is not None]
    entries = []
    if any(v is None for v in values):
        entries.append({"key": NO_DATA, "colour": NO_DATA_COLOUR, "label": "Aucune donnée"})
    zeros = [v for v in present if v <= 0]
    if zeros:  # written as the tables write it (« 0 » or « 0,0 »)
        entries.append({"key": ZERO, "colour": ZERO_COLOUR, "label": fmt(zeros[0])})
    colours = palette(len(breaks))
    for index in range(len(breaks)):
        members = [v for v in present if class_of(v, breaks) == str(index)]
        low, high = min(members), max(members)
        label = fmt(low) if low == high else f"{fmt(low)} à {fmt(high)}"
        entries.append({"key": str(index), "colour": colours[index], "label": label})
    return entries


def palette(count: int) -> list[str]:
    """`count` colours of the scale, spread from light to dark (the darkest always used)."""
    if count <= 1:
        return PALETTE[-count:] if count else []
    step = (len(PALETTE) - 1) / (count - 1)
    return [PALETTE[round(i * step)] for i in range(count)]


def choropleth(rows: list[dict], keys, fmt: Callable) -> dict:
    """The map's data for one level: for each indicator in `keys`, the legend, and for each
    row (a dict with "code" and a figure per key) its class and formatted figure.

    Returns {"legends": {key: [...]}, "territories": {code: {key: {"class", "shown"}}}}."""
    legends, territories = {}, {row["code"]: {} for row in rows}
    for key in keys:
        values = [row[key] for row in rows]
        breaks = class_breaks(values)
        legends[key] = legend(values, breaks, fmt)
        colours = {entry["key"]: entry["colour"] for entry in legends[key]}
        for row in rows:
            klass = class_of(row[key], breaks)
            territories[row["code"]][key] = {"class": klass, "colour": colours[klass], "shown": fmt(row[key])}
    return {"legends": legends, "territories": territories}
