"""Form and check-digit checks of the references proving an entry's eligibility.

SIRET/SIREN use python-stdnum. FINESS and RPPS are written here:
- FINESS: 9 characters, the département (2 characters, "2A"/"2B" for Corsica) then
  6 digits and a Luhn check digit computed on the first 8 characters (Corsican
  "2A"/"2B" are read as "20" for the computation);
- RPPS: 11 digits whose last one is a Luhn check digit.
Each check returns "" when valid, else a French message saying what to fix.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.fr import siren as stdnum_siren

from tpj.core.validators import validate_siret

_SPACES = re.compile(r"[\s.\-]+")


def compact(value: str) -> str:
    return _SPACES.sub("", value or "").upper()


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check of a string of digits, the last one being the check digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def check_siret(value: str) -> str:
    try:
        validate_siret(compact(value))  # the platform's one SIRET rule (tpj.core.validators)
    except ValidationError as error:
        return error.messages[0]
    return ""


def check_siren(value: str) -> str:
    number = compact(value)
    if not number.isdigit() or len(number) != 9:
        return "Le SIREN doit comporter exactement 9 chiffres."
    if not stdnum_siren.is_valid(number):
        return "Ce SIREN est invalide : sa clé de contrôle ne correspond pas. Vérifiez les 9 chiffres."
    return ""


def check_finess(value: str) -> str:
    number = compact(value)
    if len(number) != 9 or not re.fullmatch(r"(\d{2}|2A|2B)\d{7}", number):
        return "Le numéro FINESS comporte 9 caractères : le département (2 chiffres, ou 2A/2B) puis 7 chiffres."
    digits = ("20" + number[2:]) if number[:2] in ("2A", "2B") else number
    if not luhn_valid(digits):
        return "Ce numéro FINESS est invalide : sa clé de contrôle ne correspond pas. Vérifiez les 9 caractères."
    return ""


def check_rpps(value: str) -> str:
    number = compact(value)
    if not number.isdigit() or len(number) != 11:
        return "Le numéro RPPS doit comporter exactement 11 chiffres."
    if not luhn_valid(number):
        return "Ce numéro RPPS est invalide : sa clé de contrôle ne correspond pas. Vérifiez les 11 chiffres."
    return ""


def check_adeli(value: str) -> str:
    number = compact(value)
    if not number.isdigit() or len(number) != 9:
        return "Le numéro ADELI doit comporter exactement 9 chiffres."
    return ""


def check_free_reference(value: str) -> str:
    text = (value or "").strip()
    if len(text) < 3:
        return "Indiquez la référence complète (numéro d'agrément, de convention ou de décision)."
    return ""


# A French number (10 digits from 0, overseas included: 0262, 0590…) or an international one
# (E.164: + then 8 to 15 digits), once spaces, dots, dashes and brackets are taken out.
_PHONE_SEPARATORS = str.maketrans("", "", " .-()\u00a0\u202f")
_PHONE = re.compile(r"0[1-9]\d{8}|\+[1-9]\d{7,14}|00[1-9]\d{7,14}")
PHONE_MESSAGE = (
    "Saisissez un numéro de téléphone valide : 10 chiffres commençant par 0 (ex. : 02 99 12 34 56) "
    "ou au format international (ex. : +33 2 99 12 34 56)."
)


def check_contact(kind: str, value: str) -> str:
    """A contact channel's value: an e-mail address must be one, a phone number must be one."""
    if kind == "email" and value:
        try:
            validate_email(value)
        except ValidationError:
            return "Saisissez une adresse e-mail valide (ex. : contact@exemple.fr)."
    if kind == "phone" and value and not _PHONE.fullmatch(value.translate(_PHONE_SEPARATORS)):
        return PHONE_MESSAGE
    return ""


CHECKS = {
    "siret": check_siret,
    "siren": check_siren,
    "finess": check_finess,
    "rpps": check_rpps,
    "adeli": check_adeli,
}
# References with a check digit, stored compacted.
STRUCTURED = set(CHECKS)


def check_reference(reference_type: str, value: str) -> str:
    return CHECKS.get(reference_type, check_free_reference)(value)


def normalise_reference(reference_type: str, value: str) -> str:
    return compact(value) if reference_type in STRUCTURED else (value or "").strip()
