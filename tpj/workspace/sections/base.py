"""What a section of « Mon espace » is made of: data the templates draw, never HTML."""

from dataclasses import dataclass, field

# The DSFR badge of an item's urgency.
LATE, WARNING, INFO, SUCCESS = "error", "warning", "info", "success"


@dataclass
class Item:
    """One thing to do now: « 12 fiches en attente de vérification » — « la plus ancienne
    depuis 9 jours », linking to the page where it is done."""

    title: str
    url: str
    detail: str = ""
    badge: str = ""  # French label of the badge (« En retard »), empty for none
    level: str = ""  # DSFR badge kind: LATE, WARNING, INFO, SUCCESS


@dataclass
class Cell:
    text: str
    url: str = ""
    badge: str | None = None  # the DSFR badge kind when the cell is a badge ("" is the neutral one)


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    more_url: str = ""
    more_label: str = ""


@dataclass
class Section:
    key: str  # the section's id in the page (an anchor)
    title: str
    items: list[Item] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    # What the section says when nothing awaits the person.
    nothing: str = "Rien ne vous attend pour l'instant."
