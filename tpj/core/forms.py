"""Form rendering: every form of the site is drawn with django-dsfr's field templates.

Set as ``FORM_RENDERER``, the renderer gives every form (the project's, Django's
authentication forms, model forms and formsets alike) django-dsfr's bound field,
which picks the DSFR snippet for the widget (input, select, checkbox, radios,
checkboxes) and links error messages to their field (``aria-describedby``,
``aria-invalid``). ``{{ form }}`` renders ``includes/form.html``; a single field
is ``{{ field.as_field_group }}``.

It reads templates through the project's template settings, so that
``tpj/templates`` can override one django-dsfr snippet where it falls short.
"""

from django.forms.renderers import TemplatesSetting
from dsfr.forms import DsfrBoundField


class DsfrFormRenderer(TemplatesSetting):
    """Render forms with django-dsfr's field templates and the project's error summary."""

    form_template_name = "includes/form.html"
    bound_field_class = DsfrBoundField
