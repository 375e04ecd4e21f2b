"""The commissaire's section (issue 20): the training offers of its région awaiting
moderation (count and oldest), its territorial call for training projects, and the coverage
of the training offer. Two queries."""

from django.db.models import Count, Min
from django.urls import reverse

from tpj.accounts.models import Role
from tpj.core.text import french_plural
from tpj.training.models import Offer, OfferState

from .. import text
from .base import WARNING, Item, Section

TITLE = "Offre de formation de la région"


def build(user, now) -> Section | None:
    if not user.has_role(Role.COMMISSAIRE):
        return None
    section = Section("commissaire", TITLE, nothing="Aucune offre de formation n'attend votre modération.")
    queue = (
        Offer.objects.moderated_by(user)
        .filter(state=OfferState.SUBMITTED)
        .order_by()
        .aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    )
    if queue["n"]:
        n = queue["n"]
        section.items.append(
            Item(
                f"{n} offre{french_plural(n)} de formation en attente de modération",
                reverse("training:moderation"),
                f"la plus ancienne {text.age(queue['oldest'], now)}" if queue["oldest"] else "",
                "À modérer",
                WARNING,
            )
        )
    section.links = [
        ("Modérer les offres de formation", reverse("training:moderation")),
        ("Couverture de l'offre de formation", reverse("training:steering")),
        ("Appel à projets territorial formation", reverse("calls:index")),
    ]
    return section
