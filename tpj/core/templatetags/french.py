"""French plurals in templates: `{{ n }} fiche{{ n|pluriel }}`, `{{ n|pluriel:"est,sont" }}`."""

from django import template

from tpj.core.text import french_plural

register = template.Library()


@register.filter
def pluriel(count, forms: str = "s") -> str:
    """Like Django's `pluralize`, with the French rule: 0 and 1 take the singular."""
    singular, plural = forms.split(",", 1) if "," in forms else ("", forms)
    try:
        return french_plural(int(count), singular, plural)
    except (TypeError, ValueError):
        return singular
