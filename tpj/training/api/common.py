"""What the training write API shares: its bodies are validated by the site's own forms
(tpj/training/forms.py, plan_forms.py), then written by the services, so that each rule is
written once; the serializers only read the JSON's shape and document it.

The API's field names are French (as the catalogue's read); the forms' are English: each
endpoint maps one to the other, for the form's data and for its errors."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated

from tpj.core.api import validation_error_detail

TAG = "Offre de formation"
NON_FIELD = "non_field_errors"


def require_auth(request):
    """A 401 for an anonymous caller, before anything about the object is read."""
    if not request.user.is_authenticated:
        raise NotAuthenticated()


def form_data(values: dict, names: dict[str, str], prefix: str = "") -> dict:
    """The form's data from the API's `values`: `names` maps an API field to the form's;
    None becomes an empty field, dates their ISO text."""
    data = {}
    for api_name, value in values.items():
        if api_name not in names:
            continue
        if value is None:
            value = ""
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, list):
            value = [str(item) for item in value]
        data[f"{prefix}{names[api_name]}"] = value
    return data


def _renamed(errors: dict, names: dict[str, str]) -> dict:
    back = {form: api for api, form in names.items()}
    renamed = {}
    for key, messages in errors.items():
        key = NON_FIELD if key in ("__all__", NON_FIELD) else back.get(key, key)
        renamed.setdefault(key, []).extend(str(message) for message in messages)
    return renamed


def form_errors(form, names: dict[str, str]) -> dict:
    """The form's errors (French) keyed by the API's field names."""
    return _renamed(form.errors, names)


def service_errors(error: DjangoValidationError, names: dict[str, str] | None = None) -> dict:
    """A service's ValidationError as a 400's body, keyed by the API's field names."""
    return _renamed(validation_error_detail(error), names or {})


def refuse(errors: dict):
    raise serializers.ValidationError(errors)


class TextValue(serializers.CharField):
    """A value the form reads as text (a number may be sent as a JSON number: « 349.9 »)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
