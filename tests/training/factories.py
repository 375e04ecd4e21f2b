"""Factories for the training tests: organisations, offers with sessions, on real communes."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from tests.factories import UserFactory
from tpj.accounts.demo import demo_siret
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune
from tpj.training.models import Offer, OfferAudience, OfferFundingRoute, OfferState, Session, TrainingOrganisation


def today():
    """Today in Paris when the test runs, as the factories read it (not when the module is imported:
    a run crossing midnight would compare two different days)."""
    return timezone.localdate()


class TrainingOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingOrganisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisme de formation {n}")
    siret = factory.LazyAttribute(lambda o: demo_siret(o.name))
    activity_number = "53350000035"
    qualiopi = True
    qualiopi_date = datetime.date(2022, 3, 1)
    commune = factory.LazyFunction(lambda: Commune.objects.get(insee_code="35238"))  # Rennes, Bretagne

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.members.set(extracted)


class OfferFactory(factory.django.DjangoModelFactory):
    """A complete offer (ready to submit once it has a session), in draft unless told."""

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    organisation = factory.SubFactory(TrainingOrganisationFactory)
    title = factory.Sequence(lambda n: f"Favoriser l'éveil au langage {n}")
    objectives = "Comprendre le développement du langage du jeune enfant."
    programme = "Jour 1 : les étapes du langage. Jour 2 : les albums."
    duration_hours = Decimal("14")
    format = "presentiel"
    price_cents = 35000
    accessibility = "Locaux accessibles ; contactez le référent handicap."
    registration_url = "https://formation.example.fr/inscription"
    state = OfferState.DRAFT

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create:
            obj.themes.set(extracted if extracted is not None else [TrainingTheme.objects.get(number=1)])

    @factory.post_generation
    def audiences(obj, create, extracted, **kwargs):
        if create:
            for value in extracted if extracted is not None else ["eaje"]:
                OfferAudience.objects.create(offer=obj, audience=value)

    @factory.post_generation
    def funding_routes(obj, create, extracted, **kwargs):
        if create:
            for value in extracted if extracted is not None else ["volet_national"]:
                OfferFundingRoute.objects.create(offer=obj, route=value)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    offer = factory.SubFactory(OfferFactory)
    start_date = factory.LazyFunction(lambda: today() + datetime.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda s: s.start_date + datetime.timedelta(days=1))
    commune = factory.LazyFunction(lambda: Commune.objects.get(insee_code="35238"))
    is_remote = False
    capacity = 12
    seats_left = 12


def published_offer(**kwargs) -> Offer:
    """A published offer with one session a month from now (in Rennes unless told)."""
    commune = kwargs.pop("commune", None)
    offer = OfferFactory(state=OfferState.PUBLISHED, **kwargs)
    SessionFactory(offer=offer, **({"commune": commune} if commune else {}))
    return offer


def member_of(organisation) -> object:
    user = UserFactory()
    organisation.members.add(user)
    return user
