"""The training offer's links with the registry (issue 20), above both modules (the registry
and the training offer do not import each other).

An organisation and a registry entry are the same structure when they share a SIRET: the
organisation's (unique, so indexed) and one of the entry's eligibility references of type
SIRET (indexed by `registry_situation_reference`). Both sides store it compact.

- An entry that declares priority 9 « Former et accompagner les professionnels des 1000
  premiers jours » lists its organisation's published offers; other entries cost nothing.
- An offer's page links to its organisation's published entry.

The pages show them through the template tags of `templatetags/training_links.py`.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from tpj.registry.models import Entry, EntryPriority, EntrySituation, ReferenceType
from tpj.training.models import Offer, TrainingOrganisation
from tpj.training.services.links import TRAINING_PRIORITY

# At most this many offers on an entry's page (an organisation has a handful; the search lists them all).
ENTRY_OFFERS_MAX = 30


def declares_training(entry: Entry) -> bool:
    """Whether `entry` declares priority 9, from its priorities as the entry page prefetched them."""
    return any(p.priority.number == TRAINING_PRIORITY for p in entry.priorities.all())


@dataclass
class EntryOffers:
    """What an entry's page shows of its organisation's offers."""

    offers: list[Offer]
    more: bool  # more than ENTRY_OFFERS_MAX: the page links to the search


def entry_offers(entry: Entry) -> EntryOffers | None:
    """The published offers of the organisation sharing a SIRET with `entry`, each with its
    themes and next session; None (and no query) when the entry does not declare priority 9.

    Two statements: the offers (the entry's SIRET references and the next session are
    subqueries of it), then their themes."""
    if not declares_training(entry):
        return None
    sirets = EntrySituation.objects.filter(entry=entry, reference_type=ReferenceType.SIRET).values("reference_value")
    offers = (
        Offer.objects.published()
        .for_siret(sirets)
        .with_next_session()
        .only("pk", "title")
        .prefetch_related("themes")
        .order_by("title", "id")[: ENTRY_OFFERS_MAX + 1]
    )
    offers = list(offers)
    return EntryOffers(offers=offers[:ENTRY_OFFERS_MAX], more=len(offers) > ENTRY_OFFERS_MAX)


def organisation_entry(organisation: TrainingOrganisation) -> Entry | None:
    """The published registry entry sharing `organisation`'s SIRET (one that declares
    priority 9 first, when duplicates share it); None when there is none. One statement."""
    trains = EntryPriority.objects.filter(entry=OuterRef("pk"), priority__number=TRAINING_PRIORITY)
    return (
        Entry.objects.published()
        .filter(situations__reference_type=ReferenceType.SIRET, situations__reference_value=organisation.siret)
        .annotate(trains=Exists(trains))
        .order_by("-trains", "id")
        .only("pk", "name")
        .first()
    )
