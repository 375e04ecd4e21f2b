"""The training offer's links with the registry and the priority pages (issue 20): an entry
declaring priority 9 lists the published offers of the organisation sharing its SIRET; priority
9's page shows the offers beside entries and laureates; an offer's page links to its
organisation's entry."""

import datetime
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.registry.factories import EntryFactory, verified_entry
from tests.test_no_raw_codes import raw_codes
from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, member_of, published_offer
from tpj.core.public_cache import versions
from tpj.nomenclatures.models import EligibilitySituation, TrainingTheme
from tpj.registry.models import EntrySituation, State
from tpj.territories.models import Commune
from tpj.training.models import OfferState
from tpj.training.services import offers as offer_services

pytestmark = pytest.mark.django_db


def with_siret(entry, siret):
    """Give `entry` a SIRET among its eligibility references, as the registration form stores it (compact)."""
    EntrySituation.objects.create(
        entry=entry,
        situation=EligibilitySituation.objects.get(number=1),
        trusting_body_name="Préfecture de région",
        trusting_body_kind="etat",
        reference_type="siret",
        reference_value=siret,
    )
    return entry


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` runs the block's version bumps as its commit would (pytest-django
    rolls every test back), after the set-up's pending ones (as tests/public_cache/conftest.py)."""

    @contextmanager
    def commit():
        for _, callback, _ in connection.run_on_commit:
            callback()
        connection.run_on_commit.clear()
        with django_capture_on_commit_callbacks(execute=True):
            yield
        connection.run_on_commit.clear()

    return commit


@pytest.fixture
def institute(db):
    return TrainingOrganisationFactory(name="Institut Petite Enfance de Bretagne")


def entry_page(client, entry) -> str:
    response = client.get(reverse("registry:entry", args=[entry.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_entry_declaring_priority_9_lists_its_organisations_published_offers_only(client, institute):
    entry = with_siret(verified_entry(name="Institut Petite Enfance", setup__priorities=(9,)), institute.siret)
    theme = TrainingTheme.objects.get(number=5)
    brest = Commune.objects.get(insee_code="29019")
    langage = published_offer(organisation=institute, title="Les premiers mots", themes=[theme], commune=brest)
    remote = OfferFactory(organisation=institute, title="Le numérique et les tout-petits", state=OfferState.PUBLISHED)
    SessionFactory(offer=remote, commune=None, is_remote=True)
    without_session = OfferFactory(organisation=institute, title="Accueillir les parents", state=OfferState.PUBLISHED)
    OfferFactory(organisation=institute, title="Brouillon secret")
    OfferFactory(organisation=institute, title="En attente de modération", state=OfferState.SUBMITTED)
    published_offer(title="Offre d'un autre organisme")

    page = entry_page(client, entry)

    assert "Offres de formation de l'organisme" in page
    assert "3 offres publiées" in page
    for offer in (langage, remote, without_session):
        assert f'href="/formations/offres/{offer.pk}/"' in page and offer.title in page
    assert "Brouillon secret" not in page and "En attente de modération" not in page
    assert "Offre d&#x27;un autre organisme" not in page and "Offre d'un autre organisme" not in page
    assert theme.label in page
    next_start = timezone.localdate() + datetime.timedelta(days=30)
    assert f"Prochaine session le {next_start.day} " in page and "à Brest" in page
    assert "à distance" in page and "Aucune session à venir pour l'instant." in page
    assert raw_codes(page) == []


def test_the_next_session_is_the_first_to_start_from_today(client, institute):
    entry = with_siret(verified_entry(setup__priorities=(9,)), institute.siret)
    offer = published_offer(organisation=institute, title="Les albums")
    today = timezone.localdate()
    started = SessionFactory.build(offer=offer, start_date=today - datetime.timedelta(days=2), end_date=today)
    started.save()  # begun already (a new session may not start in the past: saved as an old one)
    SessionFactory(offer=offer, start_date=today + datetime.timedelta(days=3), commune=Commune.objects.get(insee_code="35288"))
    page = entry_page(client, entry)
    assert f"Prochaine session le {(today + datetime.timedelta(days=3)).day} " in page and "à Saint-Malo" in page


def test_an_entry_without_priority_9_lists_no_offer(client, institute):
    entry = with_siret(verified_entry(setup__priorities=(8,)), institute.siret)
    published_offer(organisation=institute, title="Les premiers mots")
    page = entry_page(client, entry)
    assert "Offres de formation" not in page and "Les premiers mots" not in page


def test_an_entry_with_priority_9_but_another_siret_lists_none_and_says_so(client, institute):
    other = TrainingOrganisationFactory(name="Autre organisme")
    entry = with_siret(verified_entry(setup__priorities=(9,)), other.siret)
    published_offer(organisation=institute, title="Les premiers mots")
    page = entry_page(client, entry)
    assert "Aucune offre de formation publiée pour l'instant." in page and "Les premiers mots" not in page


def test_the_entry_page_reads_the_offers_in_two_queries_whatever_their_number(client, institute):
    """The priority-9 entry pays two statements (offers with their next session; their themes),
    the others none: the registry's entry page (3 statements, tests/registry/
    test_public_read_queries.py) stays as cheap at a million entries."""
    plain = verified_entry(setup__priorities=(8,))
    trainer = with_siret(verified_entry(setup__priorities=(9,)), institute.siret)
    published_offer(organisation=institute)

    def count(entry):
        entry_page(client, entry)  # warm the worker's caches
        with CaptureQueriesContext(connection) as captured:
            entry_page(client, entry)
        return len(captured)

    base = count(plain)
    assert count(trainer) == base + 2
    for _ in range(5):
        published_offer(organisation=institute, themes=list(TrainingTheme.objects.filter(number__in=(1, 2, 3))))
    assert count(trainer) == base + 2


def test_the_entry_page_query_count_stays_low(client, institute, django_assert_max_num_queries):
    trainer = with_siret(verified_entry(setup__priorities=(9,)), institute.siret)
    for number in range(1, 8):
        published_offer(organisation=institute, themes=list(TrainingTheme.objects.filter(number__lte=number)))
    entry_page(client, trainer)  # warm the worker's caches
    with django_assert_max_num_queries(5):  # the entry, its priorities, its contacts; the offers, their themes
        page = entry_page(client, trainer)
    assert "7 offres publiées" in page


def test_the_priority_9_page_shows_the_offers_beside_entries_and_laureates(client, institute):
    theme = TrainingTheme.objects.get(number=1)
    lyon = Commune.objects.get(insee_code="69123")
    rennes_offer = published_offer(organisation=institute, title="Les premiers mots", themes=[theme])
    published_offer(title="Éveil musical à Lyon", commune=lyon)
    OfferFactory(title="Brouillon secret")
    for number in range(7):  # more sessions than the page shows
        SessionFactory(offer=rennes_offer, start_date=timezone.localdate() + datetime.timedelta(days=40 + number))

    response = client.get(reverse("valorisation:priority", args=[9]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Des professionnels vérifiés qui agissent pour cette priorité" in page  # entries, laureates, and now offers
    assert '<h2 id="offres-de-formation-titre">Offres de formation</h2>' in page
    assert "2 offres de formation publiées" in page
    assert len(response.context["training"].sessions) == 6
    assert page.count(f'href="/formations/offres/{rennes_offer.pk}/"') == 5 and "Éveil musical à Lyon" in page
    assert "Brouillon secret" not in page
    assert 'href="/formations/"' in page
    assert raw_codes(page) == []

    in_35 = client.get(reverse("valorisation:priority", args=[9]), {"departement": "35"}).content.decode()
    assert "1 offre de formation publiée a une session à venir dans le département Ille-et-Vilaine" in in_35
    assert "Éveil musical à Lyon" not in in_35
    assert 'href="/formations/?departement=35"' in in_35

    around = client.get(reverse("valorisation:priority", args=[9]), {"commune": "69123"}).content.decode()
    assert "à moins de 40 km de Lyon" in around and "Éveil musical à Lyon" in around and "Les premiers mots" not in around
    assert 'href="/formations/?autour=69123&amp;km=40"' in around
    # The search link gives the same sessions.
    search = client.get("/formations/", {"autour": "69123", "km": "40"})
    assert [s.offer.title for s, _ in search.context["sessions"]] == ["Éveil musical à Lyon"]


def test_the_other_priority_pages_have_no_training_section(client, institute):
    published_offer(organisation=institute, title="Les premiers mots")
    page = client.get(reverse("valorisation:priority", args=[8])).content.decode()
    assert "Offres de formation" not in page and "Les premiers mots" not in page


def test_an_offers_page_links_to_its_organisations_published_entry(client, institute):
    offer = published_offer(organisation=institute)
    url = reverse("training:offer", args=[offer.pk])
    assert "Voir la fiche de l'organisme dans l'annuaire" not in client.get(url).content.decode()

    pending = with_siret(EntryFactory(state=State.SUBMITTED, setup__priorities=(9,)), institute.siret)
    assert "dans l'annuaire" not in client.get(url).content.decode()  # not published: no link

    duplicate = with_siret(verified_entry(name="Ancienne fiche", setup__priorities=(8,)), institute.siret)
    entry = with_siret(verified_entry(name="Institut", setup__priorities=(9,)), institute.siret)
    page = client.get(url).content.decode()
    assert "Voir la fiche de l'organisme dans l'annuaire" in page
    # The entry that declares priority 9 (the one listing the offers) rather than an older duplicate.
    assert f'href="/annuaire/fiches/{entry.pk}/"' in page
    assert f'href="/annuaire/fiches/{duplicate.pk}/"' not in page and f"/fiches/{pending.pk}/" not in page
    assert raw_codes(page) == []


def test_publishing_or_withdrawing_an_offer_refreshes_the_cached_entry_pages(institute, national, committed):
    member = member_of(institute)
    offer = OfferFactory(organisation=institute)
    SessionFactory(offer=offer)
    with committed():
        pass  # the set-up's own bumps (the organisation's creation) run first
    before = versions.current(versions.REGISTRY)

    with committed():
        offer.title = "Brouillon enregistré en cours de saisie"
        offer.save()
    assert versions.current(versions.REGISTRY) == before  # drafts keep the cache

    with committed():
        offer_services.submit(offer, member)
    assert versions.current(versions.REGISTRY) == before

    with committed():
        offer_services.moderate(offer, "publish", national)
    published = versions.current(versions.REGISTRY)
    assert published > before

    with committed():
        offer_services.withdraw(offer, member)
    assert versions.current(versions.REGISTRY) > published
