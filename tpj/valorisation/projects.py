"""The projetothèque: public laureate projects read from Module 2 (tpj.calls).

What is public is decided once, by `Application.objects.public_laureates()` (laureates of
calls whose list was transmitted to the national team); everything here starts from it,
so a project not yet transmitted is never shown, exported nor counted.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from tpj.accounts.models import Organisation
from tpj.calls.models import Application, CoFinancing, EnvelopeRequest
from tpj.core.text import normalize
from tpj.territories.models import Commune

AXIS_PRIORITIES_FILE = Path(__file__).resolve().parent / "data" / "axis_priorities.json"


def public_laureates():
    """The public laureates, bare (for counts, ids and sub-queries)."""
    return Application.objects.public_laureates()


def public_projects():
    """Every public laureate project, with what the list, map and exports show (no N+1)."""
    return (
        Application.objects.public_laureates()
        .select_related("call__region", "call__campaign", "organisation")
        .prefetch_related(
            Prefetch("places", queryset=_commune_queryset()),
            "call_axes__national_axes",
            "partners",
            "indicators",
            Prefetch("cofinancings", queryset=CoFinancing.objects.select_related("source")),
            Prefetch("requests", queryset=EnvelopeRequest.objects.select_related("envelope__funding_source")),
            "highlights",
        )
        .order_by("-call__campaign__year", "call__region__name", "title", "pk")
    )


def _commune_queryset():
    return Commune.objects.select_related("departement").order_by("name")


@dataclass
class ProjectFilter:
    """The projetothèque filters, parsed from a query string (also the permalink)."""

    region: str = ""
    departement: str = ""
    axis: int | None = None
    year: int | None = None
    carrier_kind: str = ""
    q: str = ""
    errors: dict = field(default_factory=dict)

    FIELDS = ("region", "departement", "axis", "year", "carrier_kind", "q")

    @classmethod
    def from_query(cls, params) -> "ProjectFilter":
        """Read the filters; unknown or malformed values raise ValidationError (French)."""
        errors = {}
        values = {name: (params.get(name) or "").strip() for name in cls.FIELDS}
        parsed = {
            "region": values["region"],
            "departement": values["departement"],
            "carrier_kind": values["carrier_kind"],
            "q": values["q"][:200],
        }
        for name, label in (("axis", "L'axe"), ("year", "L'année")):
            if values[name]:
                if not values[name].isdigit():
                    errors[name] = f"{label} doit être un nombre entier."
                else:
                    parsed[name] = int(values[name])
        if parsed["carrier_kind"] and parsed["carrier_kind"] not in Organisation.Kind.values:
            errors["carrier_kind"] = "Type de porteur inconnu."
        if errors:
            raise ValidationError(errors)
        return cls(**parsed)

    def apply(self, projects):
        if self.region:
            projects = projects.filter(call__region_id=self.region)
        if self.departement:
            projects = projects.filter(places__departement_id=self.departement).distinct()
        if self.axis:
            projects = projects.filter(call_axes__national_axes__number=self.axis).distinct()
        if self.year:
            projects = projects.filter(call__campaign__year=self.year)
        if self.carrier_kind:
            projects = projects.filter(organisation__kind=self.carrier_kind)
        return projects

    def matches_text(self, project) -> bool:
        """Free text, accent- and case-insensitive, on title, description, carrier, partners and places."""
        if not self.q:
            return True
        needle = normalize(self.q)
        return all(word in project_search_text(project) for word in needle.split())

    def select(self, projects) -> list:
        """Apply every filter; the text filter runs on the (already narrowed) laureates in Python."""
        return [p for p in self.apply(projects) if self.matches_text(p)]

    def querystring(self) -> str:
        return urlencode({name: getattr(self, name) for name in self.FIELDS if getattr(self, name) not in ("", None)})


def project_search_text(project) -> str:
    parts = [project.title, project.description, project.organisation.name, project.target_public]
    parts += [p.name for p in project.partners.all()] + [c.name for c in project.places.all()]
    return normalize(" ".join(parts))


def national_axes(project) -> list:
    """The national axes (nomenclature rows) a project attaches to, by number."""
    axes = {a.number: a for ca in project.call_axes.all() for a in ca.national_axes.all()}
    return [axes[n] for n in sorted(axes)]


def funding(project) -> list[tuple[str, object]]:
    """(source label, amount) for each State envelope charged and each co-financing."""
    rows = [(r.envelope.funding_source.label, r.amount_allocated) for r in project.requests.all() if r.amount_allocated]
    rows += [(c.source.label, c.amount) for c in project.cofinancings.all() if c.amount]
    return rows


def location(project) -> tuple[float, float] | None:
    """The map point of a project: the mean of its places of action (communes)."""
    places = list(project.places.all())
    if not places:
        return None
    return (sum(c.latitude for c in places) / len(places), sum(c.longitude for c in places) / len(places))


def axis_priorities() -> dict[int, list[int]]:
    """Editorial mapping AAP axis number → registry priority numbers (data/axis_priorities.json)."""
    data = json.loads(AXIS_PRIORITIES_FILE.read_text(encoding="utf-8"))
    return {int(axis): numbers for axis, numbers in data["axes"].items()}


def axes_for_priority(number: int) -> list[int]:
    return sorted(axis for axis, numbers in axis_priorities().items() if number in numbers)
