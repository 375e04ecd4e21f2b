"""Priority 9's page and the training offer (issue 20): the published offers and the next
sessions, in the visitor's territory when chosen, with a link to the search filtered the same
way. (An entry's offers and an offer's entry join the registry: tpj.valorisation.training_links.)"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from ..models import Offer
from ..search import SessionFilter

# The priority of training the professionals (number 9 of DOMAIN.md's 10 priorities; its label is in the nomenclature).
TRAINING_PRIORITY = 9
# The priority page's next sessions.
PRIORITY_SESSIONS = 6


@dataclass
class PriorityOffers:
    """What priority 9's page shows of the training offer."""

    count: int
    territorial: bool
    sessions: list
    search_url: str


def priority_offers(priority_number: int, commune=None, departement=None, near_km: float = 40) -> PriorityOffers | None:
    """For priority 9's page: the number of published offers, and the next sessions. Around
    `commune` (within `near_km`), else in `departement`, when chosen: then the count is that
    of the offers with a session not yet over there. None for the other priorities."""
    if priority_number != TRAINING_PRIORITY:
        return None
    params = {}
    if commune is not None:
        filters = SessionFilter(near=commune, radius_km=near_km)
        params = {"autour": commune.insee_code, "km": f"{near_km:g}"}
    elif departement is not None:
        filters = SessionFilter(departement=departement)
        params = {"departement": departement.code}
    else:
        filters = SessionFilter()
    sessions = filters.sessions()
    if filters.territorial:
        count = Offer.objects.published().filter(pk__in=sessions.values("offer_id")).count()
    else:
        count = Offer.objects.published().count()
    url = reverse("training:search")
    return PriorityOffers(
        count=count,
        territorial=filters.territorial,
        sessions=list(sessions[:PRIORITY_SESSIONS]),
        search_url=f"{url}?{urlencode(params)}" if params else url,
    )
