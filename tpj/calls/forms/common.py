"""What the forms of the calls module share: date widgets and the INSEE-code parsing of communes."""

import re

from django import forms
from django.core.exceptions import ValidationError

from tpj.territories.models import Commune

INSEE_CODE = re.compile(r"\b(\d[0-9AB]\d{3})\b")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def parse_communes(value: str, field_label="commune", bound=None) -> list[Commune]:
    """The communes of a list of INSEE codes (each named once); at most `bound` of them."""
    codes = list(dict.fromkeys(INSEE_CODE.findall(value or "")))
    if (value or "").strip() and not codes:
        raise ValidationError(f"Indiquez les {field_label}s par leur code INSEE à 5 caractères (ex. 35238 pour Rennes).")
    if bound is not None and len(codes) > bound:
        raise ValidationError(f"{len(codes)} {field_label}s indiquées : {bound} au plus.")
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes).select_related("departement")}
    unknown = [c for c in codes if c not in communes]
    if unknown:
        raise ValidationError(f"Code(s) INSEE inconnu(s) : {', '.join(unknown)}.")
    return [communes[c] for c in codes]
