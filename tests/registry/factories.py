"""Factories for registry tests: entries on real communes, with priorities and situations."""

import factory

from tests.factories import UserFactory
from tpj.nomenclatures.models import Category, EligibilitySituation, EntryKind, Priority
from tpj.registry import aggregates
from tpj.registry.models import ContactChannel, Entry, EntryPriority, EntrySituation, State
from tpj.territories.models import Commune

# Real FINESS numbers of real establishments (check digit valid).
FINESS_APHP = "750712184"  # AP-HP (entité juridique)
FINESS_CHU_RENNES = "350005179"


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry
        skip_postgeneration_save = True

    kind = factory.LazyFunction(lambda: EntryKind.objects.get(slug="etablissement"))
    category = factory.LazyFunction(lambda: Category.objects.get(slug="creche"))
    name = factory.Sequence(lambda n: f"Crèche des Lutins {n}")
    address = "1 rue de la Paix"
    commune = factory.LazyFunction(lambda: Commune.objects.get(insee_code="35238"))
    # Copied from the commune, as the services do (PostgreSQL checks the three together).
    departement_id = factory.LazyAttribute(lambda entry: entry.commune.departement_id)
    region_id = factory.LazyAttribute(lambda entry: entry.commune.region_id)
    postal_code = "35000"
    state = State.DRAFT

    @factory.post_generation
    def setup(obj, create, extracted, priorities=(8,), situation=True, members=(), **kwargs):
        if not create:
            return
        obj.latitude = obj.latitude if obj.latitude is not None else obj.commune.latitude
        obj.longitude = obj.longitude if obj.longitude is not None else obj.commune.longitude
        obj.geocoding_precision = obj.geocoding_precision or "municipality"
        for number in priorities:
            EntryPriority.objects.create(
                entry=obj, priority=Priority.objects.get(number=number), description=f"Action pour la priorité {number}"
            )
        if situation:
            EntrySituation.objects.create(
                entry=obj,
                situation=EligibilitySituation.objects.get(number=4),
                trusting_body_name="Conseil départemental — PMI",
                trusting_body_kind="collectivite",
                reference_type="agrement",
                reference_value="AGR-2024-001",
            )
        ContactChannel.objects.create(entry=obj, kind="email", value="public@example.fr", is_public=True)
        ContactChannel.objects.create(entry=obj, kind="phone", value="0299000000", is_public=False)
        obj.refresh_derived()
        obj.save()
        for member in members:
            obj.members.add(member)
        if obj.is_published:
            aggregates.apply(obj, +1)


def verified_entry(**kwargs):
    from django.utils import timezone

    return EntryFactory(state=State.VERIFIED, verified_at=timezone.now(), **kwargs)


__all__ = ["EntryFactory", "UserFactory", "verified_entry"]


# A tiny valid PDF, for evidence files.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_data(**overrides):
    """The POST data of a complete registration form, with `overrides` (None drops a key)."""
    data = {
        "fiche-kind": EntryKind.objects.get(slug="etablissement").pk,
        "fiche-category": Category.objects.get(slug="creche").pk,
        "fiche-name": "Crèche Les Petits Loups",
        "fiche-address": "3 rue de Paris",
        "fiche-postal_code": "35000",
        "fiche-commune": "35238",
        "fiche-website": "",
        "priorites-p8": "on",
        "priorites-p8_description": "Accueil régulier et occasionnel des 0-3 ans.",
        "situations-TOTAL_FORMS": "1",
        "situations-INITIAL_FORMS": "0",
        "situations-MIN_NUM_FORMS": "0",
        "situations-MAX_NUM_FORMS": "8",
        "situations-0-situation": EligibilitySituation.objects.get(number=4).pk,
        "situations-0-trusting_body_name": "Conseil départemental d'Ille-et-Vilaine (PMI)",
        "situations-0-trusting_body_kind": "collectivite",
        "situations-0-reference_type": "siret",
        "situations-0-reference_value": "732 829 320 00074",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "8",
        "contacts-0-kind": "email",
        "contacts-0-value": "contact@petitsloups.fr",
        "contacts-0-is_public": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
