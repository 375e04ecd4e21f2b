"""The demo links its training organisation to the registry: a published entry declaring
priority 9 with the organisation's SIRET, whose page lists the organisation's offers, and
which each of those offers' pages links to."""

import html

import pytest
from django.urls import reverse

from tpj.demo import services as demo
from tpj.registry.models import Entry, EntrySituation
from tpj.training.models import Offer, OfferState, TrainingOrganisation

pytestmark = pytest.mark.django_db

LOADERS = ["tpj.training.demo.load", "tpj.demo.training_entry.load"]


@pytest.fixture
def accounts(monkeypatch):
    monkeypatch.setattr(demo, "MODULE_LOADERS", LOADERS)
    return demo.load_demo()


def demo_entry() -> Entry:
    organisation = TrainingOrganisation.objects.get(members__email="formation@demo.1000jours.fr")
    situation = EntrySituation.objects.get(reference_type="siret", reference_value=organisation.siret)
    return situation.entry


def test_the_demo_organisation_has_a_published_entry_declaring_priority_9(accounts):
    entry = demo_entry()
    assert entry.is_published
    assert list(entry.priorities.values_list("priority__number", flat=True)) == [9]
    assert entry.members.filter(email="formation@demo.1000jours.fr").exists()


def test_the_demo_entry_page_lists_the_organisations_published_offers(client, accounts):
    entry = demo_entry()
    page = html.unescape(client.get(reverse("registry:entry", args=[entry.pk])).content.decode())
    offers = Offer.objects.filter(organisation__members__email="formation@demo.1000jours.fr")
    published = list(offers.filter(state=OfferState.PUBLISHED))
    assert len(published) == 6
    for offer in published:
        assert offer.title in page, offer.title
        assert reverse("training:offer", args=[offer.pk]) in page
    assert offers.get(state=OfferState.SUBMITTED).title not in page


def test_a_demo_offer_page_links_to_the_entry(client, accounts):
    entry = demo_entry()
    offer = Offer.objects.filter(state=OfferState.PUBLISHED).first()
    page = client.get(reverse("training:offer", args=[offer.pk])).content.decode()
    assert reverse("registry:entry", args=[entry.pk]) in page


def test_loading_the_demo_again_adds_no_second_entry(accounts):
    demo.load_demo()
    assert Entry.objects.filter(name="Institut de formation petite enfance de Bretagne").count() == 1


def test_the_entry_loads_after_the_training_demo_and_before_the_dashboard_counts():
    loaders = demo.MODULE_LOADERS
    assert loaders.index("tpj.training.demo.load") < loaders.index("tpj.demo.training_entry.load")
    assert loaders[-1] == "tpj.valorisation.demo.refresh_coverage"
