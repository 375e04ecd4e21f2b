"""The projetothèque: public laureate projects read from Module 2 (tpj.calls).

What is public is decided once, by `Application.objects.public_laureates()` (laureates of
calls whose list was transmitted to the national team); everything here starts from it,
so a project not yet transmitted is never shown, exported nor counted.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Prefetch, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from tpj.accounts.models import Organisation
from tpj.calls.models import Application, CoFinancing, EnvelopeRequest, Partner
from tpj.core.text import normalize
from tpj.nomenclatures.models import Axis
from tpj.territories.models import Commune

from .models import Highlight, ProjectSearchText

AXIS_PRIORITIES_FILE = Path(__file__).resolve().parent / "data" / "axis_priorities.json"


# The list's order: newest campaign first, then région, title (and id, for a stable page).
LIST_ORDER = ("-call__campaign__year", "call__region__name", "title", "pk")


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
        .order_by(*LIST_ORDER)
    )


def card_rows(laureates):
    """`laureates` (public laureates, filtered: `public_laureates()`) as a card of the list shows
    them, one dict per project with only its own columns (no model instance: a page of them
    costs its SQL, not the ORM's), in the list's order."""
    return laureates.values(
        "pk",
        "title",
        "description",
        region=F("call__region__name"),
        year=F("call__campaign__year"),
        carrier=F("organisation__name"),
    ).order_by(*LIST_ORDER)


@dataclass
class ProjectCard:
    """What a card of the list reads (valorisation/_project_card.html)."""

    pk: int
    title: str
    description: str
    region: str
    year: int
    carrier: str
    places: list[str]  # the places of action's names, by name
    point: tuple[float, float] | None
    axes_list: list[dict]  # the national axes, by number (`national_axis_choices`)
    is_highlight: bool


def national_axis_choices() -> list[dict]:
    """The national axes as the list's form and cards read them ({"pk", "number", "label"}), by number."""
    return list(Axis.objects.order_by("number").values("pk", "number", "label"))


def project_cards(rows, *, axes: list[dict], highlighted: set | None = None) -> list[ProjectCard]:
    """The cards of `rows` (`card_rows`, a page of them): two queries, their places and their
    national axes (labels from `axes`, `national_axis_choices()` the page already read); whether
    each is a coup de cœur from `highlighted` (application ids), else read with a third."""
    rows = list(rows)
    ids = [row["pk"] for row in rows]
    places = defaultdict(list)
    through = Application.places.through.objects.filter(application_id__in=ids).order_by("commune__name")
    for pk, name, latitude, longitude in through.values_list(
        "application_id", "commune__name", "commune__latitude", "commune__longitude"
    ):
        places[pk].append((name, latitude, longitude))
    # The national axes' ids only: their numbers and labels are in `axes`.
    linked = Application.call_axes.through.objects.filter(application_id__in=ids, callaxis__national_axes__isnull=False)
    axis_ids = defaultdict(set)
    for pk, axis in linked.values_list("application_id", "callaxis__national_axes"):
        axis_ids[pk].add(axis)
    if highlighted is None:
        highlighted = set(Highlight.objects.filter(application_id__in=ids).values_list("application_id", flat=True))
    return [
        ProjectCard(
            places=[name for name, _, _ in places[row["pk"]]],
            point=mean_point([(latitude, longitude) for _, latitude, longitude in places[row["pk"]]]),
            axes_list=[axis for axis in axes if axis["pk"] in axis_ids[row["pk"]]],
            is_highlight=row["pk"] in highlighted,
            **row,
        )
        for row in rows
    ]


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
        """Every filter, the text included, as SQL conditions on `projects`."""
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
        if self.words:
            write_missing_search_texts()
            projects = projects.filter(*(Q(project_search__text__contains=word) for word in self.words))
        return projects

    @property
    def words(self) -> list[str]:
        """The free text's words, normalised as the stored texts are (accents and case ignored):
        a project matches when its text holds every one."""
        return normalize(self.q).split() if self.q else []

    def select(self, projects) -> list:
        """The filtered projects, as a list (exports, API)."""
        return list(self.apply(projects))

    def querystring(self) -> str:
        return urlencode({name: getattr(self, name) for name in self.FIELDS if getattr(self, name) not in ("", None)})


def project_search_text(project) -> str:
    """The text the free-text filter searches, normalised: title, description, carrier,
    public, partners and places of action (`project` read with its organisation, partners
    and places)."""
    parts = [project.title, project.description, project.organisation.name, project.target_public]
    parts += [p.name for p in project.partners.all()] + [c.name for c in project.places.all()]
    return normalize(" ".join(parts))


def write_search_texts(application_ids) -> None:
    """Write the stored search text (`ProjectSearchText`) of these applications, now."""
    ids = list(application_ids)
    if not ids:
        return
    applications = Application.objects.filter(pk__in=ids).select_related("organisation")
    applications = applications.prefetch_related("partners", Prefetch("places", queryset=Commune.objects.only("name")))
    rows = [ProjectSearchText(application_id=a.pk, text=project_search_text(a)) for a in applications]
    ProjectSearchText.objects.bulk_create(rows, update_conflicts=True, unique_fields=["application"], update_fields=["text"])


def write_missing_search_texts() -> None:
    """Write the search texts no change has written yet (laureates loaded in bulk, or saved
    before the texts were stored): one query when there is none."""
    missing = Application.objects.public_laureates().filter(project_search__isnull=True)
    write_search_texts(missing.values_list("pk", flat=True))


def _search_texts_due() -> set:
    """Applications whose search text is written once the current transaction commits."""
    due = getattr(connection, "_tpj_project_search_due", None)
    if due is None:
        due = connection._tpj_project_search_due = set()
    return due


def _write_due_search_texts() -> None:
    due = _search_texts_due()
    ids = list(due)
    due.clear()
    write_search_texts(ids)


def rewrite_search_texts_on_commit(application_ids) -> None:
    """Rewrite these applications' search texts once the current transaction commits (at
    once outside one): after the partners and places written with them (in bulk, without
    signals) are in. A transaction rewrites each application once."""
    due = _search_texts_due()
    if not (connection.in_atomic_block and any(func is _write_due_search_texts for _, func, _ in connection.run_on_commit)):
        due.clear()  # left by a rolled-back transaction
        due.update(application_ids)
        transaction.on_commit(_write_due_search_texts, robust=True)
    else:
        due.update(application_ids)


def _application_changed(sender, instance, **kwargs):
    rewrite_search_texts_on_commit([instance.pk])


def _partner_changed(sender, instance, **kwargs):
    rewrite_search_texts_on_commit([instance.application_id])


def _places_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action.startswith("post_"):
        rewrite_search_texts_on_commit((pk_set or []) if reverse else [instance.pk])


def _organisation_changed(sender, instance, created, **kwargs):
    if not created:  # its name is in its applications' texts
        rewrite_search_texts_on_commit(Application.objects.filter(organisation=instance).values_list("pk", flat=True))


def connect() -> None:
    """Keep the search texts (called once, by ValorisationConfig.ready())."""
    post_save.connect(_application_changed, sender=Application, dispatch_uid="project_search.application")
    for signal in (post_save, post_delete):
        signal.connect(_partner_changed, sender=Partner, dispatch_uid=f"project_search.partner.{signal}")
    m2m_changed.connect(_places_changed, sender=Application.places.through, dispatch_uid="project_search.places")
    post_save.connect(_organisation_changed, sender=Organisation, dispatch_uid="project_search.organisation")


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
    return mean_point([(c.latitude, c.longitude) for c in project.places.all()])


def mean_point(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The mean of (latitude, longitude) points; None without any."""
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def axis_priorities() -> dict[int, list[int]]:
    """Editorial mapping AAP axis number → registry priority numbers (data/axis_priorities.json)."""
    data = json.loads(AXIS_PRIORITIES_FILE.read_text(encoding="utf-8"))
    return {int(axis): numbers for axis, numbers in data["axes"].items()}


def axes_for_priority(number: int) -> list[int]:
    return sorted(axis for axis, numbers in axis_priorities().items() if number in numbers)
