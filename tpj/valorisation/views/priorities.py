"""Priorities pages (public): each of the 10 priorities explained, with examples near a territory
from laureate projects (through the axis ↔ priority correspondence) and verified registry entries."""

import math

from django.db.models import ExpressionWrapper, F, FloatField, Q
from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView

from tpj.nomenclatures.models import Axis, Priority
from tpj.registry.models import EntryPriority, State
from tpj.territories.models import Commune, Departement, haversine_km
from tpj.training.services.links import priority_offers

from ..projects import axes_for_priority, card_rows, national_axis_choices, project_cards, public_laureates
from .mixins import PublicMixin

NEAR_KM = 40  # radius of "near the commune"
BOX_DEGREES = 0.6  # bounding box pre-filter, a little wider than NEAR_KM
EXAMPLES = 8


def chosen_territory(params) -> tuple[Commune | None, Departement | None, str]:
    """The commune (INSEE code or name) or département the visitor chose; an error message otherwise."""
    commune_value = (params.get("commune") or "").strip()
    departement_value = (params.get("departement") or "").strip()
    if commune_value:
        commune = (
            Commune.objects.select_related("departement", "region").filter(insee_code=commune_value).first()
            or Commune.objects.search(commune_value).select_related("departement", "region").first()
        )
        if commune is None:
            return None, None, f"Commune introuvable : « {commune_value} ». Choisissez-la dans la liste proposée."
        return commune, commune.departement, ""
    if departement_value:
        departement = Departement.objects.select_related("region").filter(code=departement_value).first()
        if departement is None:
            return None, None, "Département inconnu."
        return None, departement, ""
    return None, None, ""


def registry_examples(priority: Priority, commune: Commune | None, departement: Departement | None) -> list[dict]:
    """Verified registry entries declaring `priority`, nearest first around the commune, else in the département."""
    rows = EntryPriority.objects.filter(
        priority=priority, entry__state=State.VERIFIED, entry__revision_of__isnull=True
    ).select_related("entry__commune", "entry__category")
    if commune is not None:
        rows = rows.filter(
            entry__latitude__range=(commune.latitude - BOX_DEGREES, commune.latitude + BOX_DEGREES),
            entry__longitude__range=(commune.longitude - BOX_DEGREES * 1.5, commune.longitude + BOX_DEGREES * 1.5),
        )
        # Squared planar distance (longitude scaled at this latitude): nearest first, in SQL.
        scale = math.cos(math.radians(commune.latitude)) ** 2
        dlat, dlon = F("entry__latitude") - commune.latitude, F("entry__longitude") - commune.longitude
        rows = rows.annotate(d2=ExpressionWrapper(dlat * dlat + dlon * dlon * scale, output_field=FloatField())).order_by("d2")[
            : EXAMPLES * 3
        ]
        scored = [(haversine_km(commune.latitude, commune.longitude, r.entry.latitude, r.entry.longitude), r) for r in rows]
        nearest = sorted((pair for pair in scored if pair[0] <= NEAR_KM), key=lambda pair: (pair[0], pair[1].entry.name))
        return [_entry_example(r, distance) for distance, r in nearest[:EXAMPLES]]
    if departement is not None:
        rows = rows.filter(entry__departement=departement)
    return [_entry_example(r, None) for r in rows.order_by("-entry__verified_at", "entry_id")[:EXAMPLES]]


def _entry_example(row, distance) -> dict:
    entry = row.entry
    return {
        "name": entry.name,
        "category": entry.category.label,
        "commune": entry.commune.name if entry.commune_id else "",
        "text": row.description,
        "url": reverse("registry:entry", args=[entry.pk]),
        "distance": round(distance) if distance is not None else None,
    }


def project_examples(priority: Priority, departement: Departement | None) -> tuple[list, str]:
    """Laureate projects on the axes matching `priority`: the département's, else the région's, else national."""
    axes = axes_for_priority(priority.number)
    if not axes:
        return [], ""
    projects = public_laureates().filter(call_axes__national_axes__number__in=axes)
    scopes = []
    if departement is not None:
        scopes = [
            (Q(places__departement=departement), f"dans le département {departement.name}"),
            (Q(call__region_id=departement.region_id), f"en région {departement.region.name}"),
        ]
    scopes.append((Q(), "au niveau national"))
    for condition, label in scopes:
        found = list(card_rows(projects.filter(condition).distinct())[:EXAMPLES])
        if found:
            return project_cards(found, axes=national_axis_choices()), label
    return [], ""


class PriorityListView(PublicMixin, TemplateView):
    template_name = "valorisation/priorities.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "priorities": Priority.objects.all()}


class PriorityDetailView(PublicMixin, TemplateView):
    template_name = "valorisation/priority_detail.html"

    def get_context_data(self, **kwargs):
        priority = Priority.objects.filter(number=self.kwargs["number"]).first()
        if priority is None:
            raise Http404("Cette priorité n'existe pas.")
        commune, departement, error = chosen_territory(self.request.GET)
        projects, projects_scope = project_examples(priority, departement)
        return {
            **super().get_context_data(**kwargs),
            "priority": priority,
            "priorities": Priority.objects.all(),
            "axes": Axis.objects.filter(number__in=axes_for_priority(priority.number)),
            "commune": commune,
            "departement": departement,
            "territory_error": error,
            "departements": Departement.objects.all(),
            "entries": registry_examples(priority, commune, departement),
            "projects": projects,
            "projects_scope": projects_scope,
            "near_km": NEAR_KM,
            # Priority 9: the training offer (None for the other priorities).
            "training": priority_offers(priority.number, commune, departement, NEAR_KM),
        }
