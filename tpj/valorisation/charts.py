"""Simple charts drawn server-side as inline SVG (no third-party code), in DSFR colours.

Python computes the geometry; the markup is in templates/valorisation/_bar_chart.html."""

BLUE = "#000091"
GREY = "#e5e5e5"
TEXT = "#161616"


def bar_chart(
    items: list[tuple[str, float, str]],
    *,
    name: str,
    title: str,
    label_width: int = 210,
    width: int = 640,
    bar_height: int = 18,
) -> dict:
    """Horizontal bars: `items` are (label, value, displayed value); `name` makes the title's id unique
    on the page. Returns what `valorisation/_bar_chart.html` draws (accessible: role=img + title)."""
    top = max((value for _, value, _ in items), default=0) or 1
    gap = 6
    bar_space = width - label_width - 90
    bars = []
    for index, (label, value, shown) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = max(0.0, bar_space * float(value) / float(top))
        bars.append({"label": label, "shown": shown, "y": y, "text_y": y + bar_height - 4, "length": f"{length:.1f}"})
    return {
        "id": f"chart-title-{name}",
        "title": title,
        "width": width,
        "height": len(items) * (bar_height + gap) + gap,
        "bar_height": bar_height,
        "label_x": label_width - 8,
        "bar_x": label_width,
        "bar_space": bar_space,
        "value_x": label_width + bar_space + 6,
        "bars": bars,
        "colours": {"bar": BLUE, "track": GREY, "text": TEXT},
    }
