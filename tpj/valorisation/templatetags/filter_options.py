"""The <option>s of the projetothèque's filters, joined in Python: a hundred départements
through the template's loop cost more than the list's queries."""

from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def options(choices, selected):
    """One <option> per (value, label) of `choices`, the one equal to `selected` selected."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in choices),
    )
