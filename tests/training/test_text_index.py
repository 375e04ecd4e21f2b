"""The catalogue's free text through an index (migration 0004): SQLite's trigram FTS5 table and
PostgreSQL's trigram GIN index find exactly what a scan of the offers' texts found (every word,
accent-insensitive), a query never acts as index syntax, and the index is what reads them."""

import pytest
from django.db import connection

from tests.training.factories import OfferFactory, SessionFactory
from tpj.core.text import normalize
from tpj.training import search
from tpj.training.models import Offer, OfferState

pytestmark = pytest.mark.django_db

TEXTS = [
    (
        "Éveil musical des tout-petits",
        "Chansons, comptines et jeux de doigts.",
        'Le « jeu » "libre" à 100% : NEAR(éveil) OR logique*',
    ),
    ("Cœur et émotions", "L'accueil des émotions du jeune enfant.", "Atelier -jeu- (pratique) : a:b ^c, rôle_jeu"),
    ("Prévention des stéréotypes", "Égalité filles-garçons dès la crèche.", 'Ni OR ni AND : NOT ici. """ triple'),
    ("Au jardin", "Nature et éveil sensoriel.", "Les « petits » pas, l'herbe et l'eau."),
    ("Numérique et écrans", "Les écrans avant 3 ans.", "Repères : 3-6-9-12."),
]

QUERIES = [
    "éveil",
    "EVEIL",
    "Éveil musique",
    "éveil musical",
    "coeur",
    "cœur",
    "l'accueil",
    "stéréotypes égalité",
    "filles garçons",
    "ev",  # two letters: checked on the texts, not in the index
    "é",
    "ev jeu",  # one indexed word, one not
    "jeu",
    '"jeu"',
    '"jeu',
    "jeu*",
    "-jeu",
    "(jeu",
    "NEAR(éveil)",
    "near",
    "OR",
    "or logique",
    "éveil OR jardin",  # not a disjunction: all three words
    "AND",
    "NOT",
    "éveil NOT musique",
    "a:b",
    "^c",
    '"libre"',
    '"',
    '"""',
    "100%",
    "%",
    "*",
    "rôle_jeu",
    "3 6 9 12",
    "zzz",
    "éveil zzz",
    "un deux trois quatre cinq six sept huit neuf dix éveil",  # words past the tenth are not read
]


@pytest.fixture
def offers(organisation):
    created = []
    for title, objectives, programme in TEXTS:
        offer = OfferFactory(
            organisation=organisation, state=OfferState.PUBLISHED, title=title, objectives=objectives, programme=programme
        )
        SessionFactory(offer=offer)
        created.append(offer)
    return created


def expected(query) -> set[int]:
    """What a scan finds: the offers whose normalised text holds every word (the first ten)."""
    words = normalize(query).split()[: search.MAX_WORDS]
    return {pk for pk, text in Offer.objects.values_list("pk", "search_text") if all(word in text for word in words)}


def found(query) -> set[int]:
    words = search.SessionFilter(text=query).words
    return set(Offer.objects.filter(pk__in=search.matching_offer_ids(words)).values_list("pk", flat=True))


def sessions_found(query, grouped=False) -> set[int]:
    return set(search.SessionFilter(text=query).sessions(grouped=grouped).values_list("offer_id", flat=True))


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_finds_what_a_scan_of_the_texts_finds(offers, query):
    assert found(query) == expected(query)


def test_the_fixture_tells_the_cases_apart(offers):
    """The equivalence above is not that of empty answers: accents, short words and quotes find offers."""
    eveil, coeur, stereotypes, jardin, numerique = (offer.pk for offer in offers)
    assert found("éveil") == {eveil, jardin}
    assert found("cœur") == found("coeur") == {coeur}
    assert found("ev") == {eveil, stereotypes, jardin} and found("ev jeu") == {eveil}
    assert found("jeu") == {eveil, coeur} and found('"jeu"') == set()  # the quotes are text: no `"jeu"` there
    assert found('"libre"') == {eveil} and found('"""') == {stereotypes}
    assert found("éveil OR jardin") == {jardin}  # every word (« sensORiel »), not éveil or jardin
    assert found("OR") >= {eveil, stereotypes}
    assert found("3 6 9 12") == {numerique}


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("many", [False, True])
@pytest.mark.parametrize("query", ["éveil", "ev jeu", '"jeu"', "NEAR(éveil)", "stéréotypes égalité", "zzz"])
def test_the_sessions_are_those_of_the_offers_found(offers, query, many, grouped, monkeypatch):
    """Few offers found, their sessions are read by offer; many (past the thresholds), each
    session is checked against them: the same sessions either way, listed or grouped (the map)."""
    if many:
        monkeypatch.setattr(search, "MAX_TEXT_OFFERS", 0)
        monkeypatch.setattr(search, "SQLITE_LISTED_TEXT_OFFERS", 0)
    assert sessions_found(query, grouped) == expected(query)


def test_the_index_follows_the_offers_edits_and_deletions(offers):
    offer = offers[3]
    assert found("xylophone") == set()
    offer.title = "Le xylophone au jardin"
    offer.save()
    assert found("xylophone") == {offer.pk} and found("au jardin") == {offer.pk}
    Offer.objects.filter(pk=offer.pk).update(search_text="tambourin")  # a bulk update too
    assert found("xylophone") == set() and found("tambourin") == {offer.pk}
    offer.sessions.all().delete()
    offer.delete()
    assert found("tambourin") == set()
    if connection.vendor == "sqlite":  # the external-content table agrees with its offers
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO training_offer_fts(training_offer_fts) VALUES ('integrity-check')")


def test_the_index_reads_the_words_of_three_letters_or_more(offers):
    plan = Offer.objects.filter(pk__in=search.matching_offer_ids(["eveil", "jeu"])).explain()
    if connection.vendor == "sqlite":
        assert "training_offer_fts VIRTUAL TABLE" in plan
        # Words of one or two letters alone: the texts are read (the trigram index has nothing for them).
        assert "training_offer_fts" not in Offer.objects.filter(pk__in=search.matching_offer_ids(["ev"])).explain()
    else:
        with connection.cursor() as cursor:  # a handful of offers: without this, a scan is cheaper
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search.matching_offer_ids(["eveil"]).explain()
        assert "training_offer_search_trgm" in plan, plan


@pytest.mark.postgres
def test_postgresql_has_the_trigram_index(offers):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's trigram index")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'training_offer_search_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin (search_text gin_trgm_ops)" in definition
