"""Rules on what a user may send, each written once and used by the web forms and the API.

- Dates: a date a user sets (deadline, project start, payment…) lies between 2000-01-01 and ten
  years from today. Nothing on the platform happened before 2000 (the 1000 premiers jours policy
  started in 2019; births tables start in 2000) and nothing is planned more than ten years ahead
  (a campaign is yearly, a project lasts a few years): year 1 or 9999 is a typing error.
- SIRET: 14 digits whose Luhn check digit is right (La Poste's SIRETs included).
- Lists: a list a client sends holds at most as many items as the form that edits the same data
  lets a user add. `max_items(n)` is the validator a serializer declares (it shows as `maxItems`
  in the OpenAPI schema); `bounded_list(n)` the keyword arguments of a DRF list field.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from stdnum.fr import siret as stdnum_siret

from .text import french_plural

EARLIEST_DATE = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_date() -> datetime.date:
    """The last plausible date: ten years from today (29 February falls back to the 28th)."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def _fr(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


@deconstructible
class PlausibleDateValidator:
    """A date (or date-time) between 2000-01-01 and ten years from today, else a French error."""

    code = "implausible_date"

    def __call__(self, value):
        if value is None:
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not EARLIEST_DATE <= day <= latest_date():
            raise ValidationError(implausible_date_message(), code=self.code, params={"value": value})

    def __eq__(self, other):
        return isinstance(other, PlausibleDateValidator)

    def __hash__(self):
        return hash(PlausibleDateValidator)


def implausible_date_message() -> str:
    return (
        f"Cette date n'est pas plausible : indiquez une date comprise entre le {_fr(EARLIEST_DATE)} et le {_fr(latest_date())}."
    )


plausible_date = PlausibleDateValidator()


def validate_siret(value: str) -> None:
    """SIRET: 14 digits with a valid Luhn check digit (La Poste's SIRETs are also accepted)."""
    compact = stdnum_siret.compact(value or "")
    if not compact.isdigit() or len(compact) != 14:
        raise ValidationError("Le SIRET doit comporter 14 chiffres.", code="siret_format")
    if not stdnum_siret.is_valid(compact):
        raise ValidationError(
            "Ce SIRET est invalide : sa clé de contrôle ne correspond pas. Vérifiez les 14 chiffres.", code="siret_checksum"
        )


def too_many_items_message(bound: int) -> str:
    noun = french_plural(bound, "élément", "éléments")
    return f"Cette liste compte trop d'éléments : {bound} {noun} au plus (comme dans le formulaire du site)."


@deconstructible
class MaxItemsValidator(MaxLengthValidator):
    """At most `limit_value` items in a list (a MaxLengthValidator: the schema shows maxItems)."""

    code = "max_items"

    def __init__(self, limit_value):
        super().__init__(limit_value, message=too_many_items_message(limit_value))


def max_items(bound: int) -> MaxItemsValidator:
    return MaxItemsValidator(bound)


def bounded_list(bound: int) -> dict:
    """Keyword arguments of a DRF ListField or nested `many=True` serializer holding at most
    `bound` items: checked before the items are (`max_length`), declared in the schema
    (`maxItems`, from the validator), with one French message."""
    return {
        "max_length": bound,
        "validators": [max_items(bound)],
        "error_messages": {"max_length": too_many_items_message(bound)},
    }
