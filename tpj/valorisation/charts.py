"""Simple charts drawn server-side as inline SVG (no third-party code), in DSFR colours."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BLUE = "#000091"
GREY = "#e5e5e5"
TEXT = "#161616"


def bar_chart(
    items: list[tuple[str, float, str]], *, title: str, label_width: int = 210, width: int = 640, bar_height: int = 18
) -> SafeString:
    """Horizontal bars: `items` are (label, value, displayed value). Accessible: role=img + title + desc table nearby."""
    top = max((value for _, value, _ in items), default=0) or 1
    gap = 6
    height = len(items) * (bar_height + gap) + gap
    bar_space = width - label_width - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="chart-title-{id(items)}">',
        f'<title id="chart-title-{id(items)}">{escape(title)}</title>',
    ]
    for index, (label, value, shown) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = max(0.0, bar_space * float(value) / float(top))
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height - 4}" text-anchor="end" font-size="13" fill="{TEXT}">{escape(label)}</text>'
        )
        parts.append(f'<rect x="{label_width}" y="{y}" width="{bar_space}" height="{bar_height}" fill="{GREY}" rx="3"/>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{BLUE}" rx="3"/>')
        parts.append(
            f'<text x="{label_width + bar_space + 6}" y="{y + bar_height - 4}" font-size="13" fill="{TEXT}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
