"""The table of notification kinds: what a person may be told, and how by default.

Each kind has a key ("registry.submit", "calls.jury_assigned"), a French label shown in the
preferences page ("Une fiche est soumise à vérification") and a group (the module's name).
A workflow transition that declares recipients (`Transition.notifies`) declares its kind
itself, keyed "<workflow>.<transition>"; the other kinds are declared in each app's
`notification_kinds.py` with `register`.
"""

from dataclasses import dataclass

from django.db import models


class Delivery(models.TextChoices):
    """How a person wants to hear of one kind of notification (their preference)."""

    IMMEDIATE = "immediate", "Par courriel, tout de suite"
    DAILY = "daily", "Par courriel, dans un récapitulatif quotidien"
    PLATFORM = "platform", "Seulement dans la plateforme"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # French, shown in the preferences page
    group: str  # French, the module ("Annuaire", "Appels à projets")
    default: Delivery = Delivery.IMMEDIATE


_KINDS: dict[str, Kind] = {}


def register(key: str, label: str, *, group: str, default: Delivery = Delivery.IMMEDIATE) -> Kind:
    """Declare the kind `key` (once)."""
    if key in _KINDS:
        raise ValueError(f"Notification kind {key!r} declared twice")
    _KINDS[key] = kind = Kind(key, label, group, default)
    return kind


def get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"No notification kind {key!r}: declare it in the app's notification_kinds.py") from None


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: (k.group, k.label))
