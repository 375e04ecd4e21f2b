"""`|technical_terms`: French prose that names technical things (HTML attributes and their
values, settings) marks those names as code in English, `<code lang="en">` (RGAA 8.7: a
change of language is declared), so that a screen reader does not read them as French words.

    {{ criterion.non_conformity.fix|technical_terms }}
"""

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# HTML attributes named in prose (whole words), settings names (SESSION_COOKIE_AGE),
# attribute assignments (autocomplete="email") and quoted attribute values ("given-name").
ATTRIBUTES = ("required", "autocomplete", "tabindex", "lang", "hreflang", "alt", "title", "role", "scope", "caption")
TECHNICAL = re.compile(
    r'\b[a-z][a-z-]*="[^"]*"'
    r'|"[a-z][a-z0-9-]*"'
    r"|\baria-[a-z]+\b"
    r"|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"
    r"|\b(?:" + "|".join(ATTRIBUTES) + r")\b(?![-'’])"
)


@register.filter(is_safe=True)
def technical_terms(text) -> str:
    """The text, escaped, with each technical name in `<code lang="en">`."""
    text = str(text or "")
    parts, last = [], 0
    for match in TECHNICAL.finditer(text):
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(format_html('<code lang="en">{}</code>', match.group(0)))
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(parts))  # every piece escaped above
