"""How the workspace says ages, deadlines and amounts in French (plurals by `french_plural`)."""

import datetime
from decimal import Decimal

from tpj.calls.models import NNBSP, euros
from tpj.core.text import french_plural


def days(n: int) -> str:
    """« 1 jour », « 9 jours »."""
    return f"{n} jour{french_plural(n)}"


def age(moment: datetime.datetime, now: datetime.datetime) -> str:
    """How long something has waited since `moment`: « depuis 9 jours », « depuis moins d'un jour »."""
    elapsed = max(0, (now - moment).days)
    return "depuis moins d'un jour" if elapsed == 0 else f"depuis {days(elapsed)}"


def ago(moment: datetime.datetime, now: datetime.datetime) -> str:
    """When `moment` was: « il y a 9 jours », « aujourd'hui » (less than a day ago)."""
    elapsed = max(0, (now - moment).days)
    return "aujourd'hui" if elapsed == 0 else f"il y a {days(elapsed)}"


def when(day: datetime.date, today: datetime.date) -> str:
    """« dans 12 jours », « demain », « aujourd'hui », « il y a 3 jours »."""
    left = (day - today).days
    if left < 0:
        return f"il y a {days(-left)}"
    return {0: "aujourd'hui", 1: "demain"}.get(left, f"dans {days(left)}")


def deadline(day: datetime.date, today: datetime.date) -> str:
    """« avant le 17/05/2026 (dans 12 jours) », « échéance du 17/05/2026 dépassée de 3 jours »."""
    left = (day - today).days
    if left < 0:
        return f"échéance du {day:%d/%m/%Y} dépassée de {days(-left)}"
    return f"avant le {day:%d/%m/%Y} ({when(day, today)})"


def is_late(day: datetime.date, today: datetime.date) -> bool:
    return day < today


def amount(value) -> str:
    """A sum of money in French, without cents when it has none: « 160 000 € », « 1 234,50 € »."""
    text = euros(Decimal(value or 0))
    return text.replace(f",00{NNBSP}€", f"{NNBSP}€")
