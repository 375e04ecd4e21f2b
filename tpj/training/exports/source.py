"""The catalogue the open-data files read: published offers with their sessions to come,
by batches (see the package's docstring)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from tpj.core.urls_absolute import absolute_reverse
from tpj.nomenclatures.models import TrainingTheme

from ..models import Audience, FundingRoute, Offer, OfferAudience, OfferFundingRoute, OfferState, Session

BATCH = 1000
LHEO_NAMESPACE = "http://lheo.gouv.fr/2.3"
SEPARATOR = "|"

# -- Reading the catalogue -------------------------------------------------------------------

_OFFER_FIELDS = (
    "pk",
    "title",
    "objectives",
    "programme",
    "prerequisites",
    "accessibility",
    "duration_hours",
    "format",
    "price_cents",
    "funding_details",
    "registration_url",
    "contact_email",
    "organisation__name",
    "organisation__siret",
    "organisation__activity_number",
    "organisation__commune_id",
    "organisation__commune__name",
    "organisation__commune__postal_codes",
)
_SESSION_FIELDS = (
    "pk",
    "offer_id",
    "start_date",
    "end_date",
    "is_remote",
    "capacity",
    "seats_left",
    "commune_id",
    "commune__name",
    "commune__postal_codes",
    "commune__latitude",
    "commune__longitude",
)


@dataclass
class CatalogueOffer:
    """A published offer as the exports write it: its `values()` row and its related lists."""

    row: dict
    themes: list = field(default_factory=list)  # [(number, label)], by number
    audiences: list = field(default_factory=list)  # [code], in the order of the choices
    funding_routes: list = field(default_factory=list)  # [code], in the order of the choices
    sessions: list = field(default_factory=list)  # [values() rows], by start date

    def __getitem__(self, key):
        return self.row[key]

    @property
    def price_euros(self) -> Decimal | None:
        cents = self.row["price_cents"]
        return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))

    @property
    def page(self) -> str:
        return absolute_reverse("training:offer", args=[self.row["pk"]])


def _batches(iterable: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def published_offers(today=None):
    """The published offers with a session to come on `today` (a QuerySet, by id)."""
    today = today or timezone.localdate()
    upcoming = Session.objects.filter(offer=OuterRef("pk"), end_date__gte=today)
    return Offer.objects.filter(state=OfferState.PUBLISHED).filter(Exists(upcoming)).order_by("pk")


def catalogue(today=None) -> Iterator[CatalogueOffer]:
    """The catalogue, offer by offer, read by batches of BATCH offers (constant memory)."""
    today = today or timezone.localdate()
    themes = dict(TrainingTheme.objects.values_list("pk", "number"))
    theme_labels = dict(TrainingTheme.objects.values_list("number", "label"))
    rows = published_offers(today).values(*_OFFER_FIELDS).iterator(chunk_size=BATCH)
    for batch in _batches(rows, BATCH):
        offers = {row["pk"]: CatalogueOffer(row) for row in batch}
        ids = list(offers)
        through = Offer.themes.through.objects.filter(offer_id__in=ids)
        for offer_id, theme_id in through.values_list("offer_id", "trainingtheme_id"):
            number = themes[theme_id]
            offers[offer_id].themes.append((number, theme_labels[number]))
        for offer_id, audience in OfferAudience.objects.filter(offer_id__in=ids).values_list("offer_id", "audience"):
            offers[offer_id].audiences.append(audience)
        for offer_id, route in OfferFundingRoute.objects.filter(offer_id__in=ids).values_list("offer_id", "route"):
            offers[offer_id].funding_routes.append(route)
        sessions = Session.objects.filter(offer_id__in=ids, end_date__gte=today).order_by("start_date", "pk")
        for session in sessions.values(*_SESSION_FIELDS):
            offers[session["offer_id"]].sessions.append(session)
        for offer in offers.values():
            offer.themes.sort()
            offer.audiences.sort(key=_order(Audience))
            offer.funding_routes.sort(key=_order(FundingRoute))
            yield offer


def _order(choices) -> Callable[[str], int]:
    values = list(choices.values)
    return lambda value: values.index(value) if value in values else len(values)


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def _first_postal_code(codes: str | None) -> str:
    return (codes or "").split()[0] if (codes or "").split() else ""
