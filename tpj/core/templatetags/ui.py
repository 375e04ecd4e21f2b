"""Template helpers rendering Django form fields with DSFR classes."""

from django import forms, template

register = template.Library()


def _widget_kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "upload"
    return "input"


@register.filter
def widget_kind(field) -> str:
    return _widget_kind(field)


@register.simple_tag
def dsfr_widget(field):
    """Render the field's widget with the DSFR class and its ARIA error link."""
    kind = _widget_kind(field)
    css = {"input": "fr-input", "select": "fr-select", "upload": "fr-upload"}.get(kind, "")
    attrs = {}
    if css:
        classes = [css] + ([f"{css}--error"] if field.errors else [])
        attrs["class"] = " ".join(classes)
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}-messages"
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
