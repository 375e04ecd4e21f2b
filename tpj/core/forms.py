"""Form rendering: every form of the site is drawn with django-dsfr's field templates.

Set as ``FORM_RENDERER``, the renderer gives every form (the project's, Django's
authentication forms, model forms and formsets alike) django-dsfr's bound field,
which picks the DSFR snippet for the widget (input, select, checkbox, radios,
checkboxes) and links error messages to their field (``aria-describedby``,
``aria-invalid``). ``{{ form }}`` renders ``includes/form.html``; a single field
is ``{{ field.as_field_group }}``.

The same bound field applies the control-character rule (tpj.core.text) to the data every
field cleans: no form of the site can receive a control character, whoever wrote it. A
multi-line field (a textarea) keeps its tabs and line breaks; any other field is one line.

It reads templates through the project's template settings, so that
``tpj/templates`` can override one django-dsfr snippet where it falls short.
"""

from django import forms
from django.forms.renderers import TemplatesSetting
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from .text import clean


class BoundField(DsfrBoundField):
    """django-dsfr's bound field, given its DSFR classes as django-dsfr's base form does.

    The classes (and the group's, which the snippet reads before drawing the widget)
    are set once the field is bound; file inputs get DSFR's upload classes, which
    django-dsfr 3.6 leaves off. ``field`` is the form's own copy of the field.
    """

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        if isinstance(field.widget, forms.FileInput) and "class" not in field.widget.attrs:
            field.widget.attrs["class"] = "fr-upload"
            field.widget.group_class = "fr-upload-group"
        dsfr_input_class_attr(self)

    @property
    def data(self):
        """The submitted value without control characters (a list's items each)."""
        data = super().data
        multiline = isinstance(self.field.widget, forms.Textarea)
        if isinstance(data, str):
            return clean(data, multiline=multiline)
        if isinstance(data, (list, tuple)):
            return type(data)(clean(item, multiline=multiline) for item in data)
        return data


class DsfrFormRenderer(TemplatesSetting):
    """Render forms with django-dsfr's field templates and the project's error summary."""

    form_template_name = "includes/form.html"
    bound_field_class = BoundField
