"""The demo training organisation's registry entry (issue 20's link between the modules).

The Breton training organisation of `tpj.training.demo` also has a published entry in the
registry, declaring priority 9 « Former et accompagner les professionnels des 1000 premiers
jours » with the organisation's SIRET among its references: its entry page then lists the
organisation's offers, and each offer's page links to the entry
(`tpj.valorisation.training_links`). It lives here, above both modules, because the registry
and the training offer do not import each other (the layers of pyproject.toml).

Runs after `tpj.training.demo.load` (listed after it in `tpj.demo.services.MODULE_LOADERS`);
idempotent: an entry already loaded is left as it is.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tpj.audit.services import record
from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.registry import aggregates
from tpj.registry.demo import SOURCE
from tpj.registry.models import ContactChannel, Entry, EntryPriority, EntrySituation, GeocodingPrecision, State
from tpj.training.demo import MEMBER, ORGANISATION
from tpj.training.models import TrainingOrganisation
from tpj.training.services.links import TRAINING_PRIORITY

KEY = "bzh-institut-formation-petite-enfance"
# The registry's categories (seed 003) have none for a training organisation; administrators
# may add categories, as the demo does here.
CATEGORY = ("organisme-formation", "Organisme de formation des professionnels de la petite enfance")
ADDRESS = ("18 rue de la Formation", "35000")
DESCRIPTION = (
    "Formations courtes des professionnel·les de la petite enfance sur les 7 thèmes du plan de formation "
    "Enfance=Égalité, en présentiel en Bretagne et à distance."
)
# Situation 2: financed by the State (the plan's national strand).
SITUATION = (2, "DREETS Bretagne", "etat")


def _category() -> Category:
    slug, label = CATEGORY
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        position = (Category.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        category = Category.objects.create(slug=slug, label=label, position=position)
        category.suggested_priorities.set(Priority.objects.filter(number=TRAINING_PRIORITY))
    return category


@transaction.atomic
def load(accounts: dict) -> None:
    organisation = TrainingOrganisation.objects.filter(name=ORGANISATION).select_related("commune").first()
    if organisation is None or Entry.objects.filter(import_source=SOURCE, external_id=KEY).exists():
        return
    commune, now = organisation.commune, timezone.now()
    priority = Priority.objects.get(number=TRAINING_PRIORITY)
    entry = Entry(
        kind=EntryKind.objects.get(slug="etablissement"),
        category=_category(),
        name=organisation.name,
        address=ADDRESS[0],
        postal_code=ADDRESS[1],
        commune=commune,
        latitude=commune.latitude,
        longitude=commune.longitude,
        geocoding_precision=GeocodingPrecision.MUNICIPALITY,
        state=State.VERIFIED,
        import_source=SOURCE,
        external_id=KEY,
        submitted_at=now,
        verified_at=now,
        website="https://formation-petite-enfance-bretagne.example.fr",
    )
    entry.refresh_derived(priority_numbers=(TRAINING_PRIORITY,))
    entry.save()
    EntryPriority.objects.create(entry=entry, priority=priority, description=DESCRIPTION)
    number, body, body_kind = SITUATION
    EntrySituation.objects.create(
        entry=entry,
        situation=EligibilitySituation.objects.get(number=number),
        trusting_body_name=body,
        trusting_body_kind=body_kind,
        reference_type="siret",
        reference_value=organisation.siret,  # the training organisation's: the link between both
    )
    ContactChannel.objects.create(
        entry=entry,
        kind=ContactChannel.Kind.EMAIL,
        value="inscriptions@formation-petite-enfance-bretagne.example.fr",
        is_public=True,
    )
    if member := accounts.get(MEMBER):
        entry.members.add(member)
    aggregates.apply(entry, +1)
    record(actor=None, obj=entry, action="registry.demo_created", to_state=State.VERIFIED)
