"""National dashboard: the registry coverage snapshot (its scheduled refresh, the date shown, a
direct count after changes), the page body's cache (never shared between scopes, a new body
when a figure changes) and the queries of a display."""

import datetime
import html
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.calls.factories import manager
from tests.factories import user_with_role
from tests.registry.factories import EntryFactory, verified_entry
from tpj.accounts.models import Role
from tpj.registry.models import Entry, State
from tpj.registry.services.moderation import moderate
from tpj.territories.models import Commune, Departement
from tpj.valorisation import coverage, dashboard
from tpj.valorisation.models import CoverageFigure
from tpj.valorisation.tasks import refresh_coverage

from .factories import laureate

pytestmark = pytest.mark.django_db
URL = "/valorisation/tableau-de-bord/"


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


def verified_in_53(response) -> int:
    return {r.code: r.verified for r in response.context["rows"]}["53"]


@pytest.fixture
def registry():
    rennes, brest = Commune.objects.get(insee_code="35238"), Commune.objects.get(insee_code="29019")
    verified_entry(name="Crèche A", commune=rennes, setup__priorities=(8,))
    verified_entry(name="PMI B", commune=rennes, setup__priorities=(2, 8))
    verified_entry(name="LAEP C", commune=brest, setup__priorities=(3,))
    EntryFactory(
        name="En attente", commune=rennes, state=State.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=12)
    )
    EntryFactory(
        name="En attente aussi", commune=brest, state=State.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=3)
    )


def direct_count() -> dict:
    """{département: (verified, by priority, pending, oldest pending)} counted on the entries themselves."""
    published = Entry.objects.published()
    verified = Counter(published.values_list("departement_id", flat=True))
    by_priority = {}
    for code, number in published.values_list("departement_id", "priorities__priority__number"):
        if number is not None:
            by_priority.setdefault(code, Counter())[number] += 1
    pending = Entry.objects.filter(state=State.SUBMITTED)
    backlog = Counter(pending.values_list("departement_id", flat=True))
    oldest = dict(
        pending.values_list("departement_id").annotate(first=Min("submitted_at")).values_list("departement_id", "first")
    )
    return {
        code: (verified[code], dict(by_priority.get(code, {})), backlog[code], oldest.get(code))
        for code in Departement.objects.values_list("code", flat=True)
    }


def stored() -> dict:
    return {
        f.departement_id: (
            f.verified,
            {int(n): count for n, count in f.verified_by_priority.items()},
            f.backlog,
            f.oldest_submitted,
        )
        for f in CoverageFigure.objects.all()
    }


def test_snapshot_equals_a_direct_count_after_moderation_and_refresh(registry):
    coverage.refresh()
    assert stored() == direct_count()
    assert stored()["35"][:3] == (2, {2: 1, 8: 2}, 1)
    moderator = user_with_role(Role.MODERATOR, departements=["35", "29"])
    moderate(Entry.objects.get(name="En attente"), "verify", moderator)
    moderate(Entry.objects.get(name="LAEP C"), "suspend", moderator, "Contrôle")
    verified_entry(name="Crèche D", commune=Commune.objects.get(insee_code="69123"), setup__priorities=(1,))
    assert stored()["35"][0] == 2  # the snapshot waits for its refresh
    refresh_coverage.call_local()
    assert stored() == direct_count()
    assert stored()["35"][2] == 0 and stored()["29"][0] == 0 and stored()["69"][:2] == (1, {1: 1})


def test_departement_population_and_centre_come_from_its_communes():
    coverage.refresh()
    figure = CoverageFigure.objects.get(departement_id="35")
    communes = Commune.objects.filter(departement_id="35")
    assert figure.population == sum(c.population for c in communes)
    assert figure.region_id == "53" and figure.located_communes == communes.exclude(latitude=None).count()


def test_the_refresh_is_scheduled_every_few_minutes():
    assert "refresh_coverage" in {task.name for task in HUEY._registry.periodic_tasks}
    task = refresh_coverage.s()
    assert task.validate_datetime(datetime.datetime(2026, 12, 3, 14, 5))
    assert not task.validate_datetime(datetime.datetime(2026, 12, 3, 14, 7))


def test_first_display_of_a_fresh_install_computes_and_stores_the_figures_once(client, national, registry):
    assert not CoverageFigure.objects.exists()
    client.force_login(national)
    assert verified_in_53(client.get(URL)) == 3  # Rennes and Brest
    computed_at = set(CoverageFigure.objects.values_list("computed_at", flat=True))
    assert CoverageFigure.objects.count() == Departement.objects.count() and len(computed_at) == 1
    verified_entry(name="Nouvelle crèche", commune=Commune.objects.get(insee_code="35238"))
    assert verified_in_53(client.get(URL)) == 3  # read from the snapshot, not recounted
    assert set(CoverageFigure.objects.values_list("computed_at", flat=True)) == computed_at
    coverage.refresh()
    assert verified_in_53(client.get(URL)) == 4


def test_the_page_names_the_date_of_the_registry_figures(client, national, registry):
    coverage.refresh()
    client.force_login(national)
    CoverageFigure.objects.update(computed_at=datetime.datetime(2026, 12, 1, 13, 5, tzinfo=datetime.UTC))
    page = text(client.get(URL))
    assert "Chiffres de l'annuaire au 1er décembre 2026 à 14:05, recalculés toutes les 5 minutes" in page
    CoverageFigure.objects.update(computed_at=datetime.datetime(2026, 7, 14, 22, 30, tzinfo=datetime.UTC))
    assert "Chiffres de l'annuaire au 15 juillet 2026 à 00:30" in text(client.get(URL))  # Paris time, summer


@pytest.fixture
def renders(monkeypatch):
    """Every render of the page body (a cache miss)."""
    from tpj.valorisation.views import dashboard as view_module

    calls = []
    original = view_module.render_to_string

    def counting(template_name, context=None, *args, **kwargs):
        calls.append(context)
        return original(template_name, context, *args, **kwargs)

    monkeypatch.setattr(view_module, "render_to_string", counting)
    return calls


def test_a_cached_body_is_never_shown_to_another_scope(client, national, registry, renders):
    laureate("53", title="Éveil à Brest", places=("29019",))
    laureate("76", title="Répit à Toulouse", places=("31555",))
    coverage.refresh()
    client.force_login(national)
    client.get(URL)
    client.get(URL, {"region": "76"})
    client.get(URL, {"region": "53"})
    assert len(renders) == 3
    client.get(URL)
    assert len(renders) == 3  # the national body again: from the cache
    client.force_login(manager("ARS", "53"))
    response = client.get(URL)
    assert len(renders) == 4  # same figures as the national team's ?region=53, another scope
    page = text(response)
    assert "Bretagne" in page and "Occitanie" not in page and "Haute-Garonne" not in page
    assert 'id="d-region"' not in page  # a call manager is offered no choice of région
    assert client.get(URL, {"region": "76"}).status_code == 403
    client.force_login(manager("ARS", "76"))
    page = text(client.get(URL))
    assert "Occitanie" in page and "Bretagne" not in page and "Finistère" not in page


def test_a_changed_figure_gives_a_new_body_at_once(client, national, renders, committed):
    with committed():  # the version is bumped once a change commits
        coverage.refresh()
        laureate("53", title="Éveil à Brest", places=("29019",))
    client.force_login(national)
    first = {r.code: r.laureates for r in client.get(URL).context["rows"]}["53"]
    client.get(URL)
    assert len(renders) == 1
    with committed():
        laureate("53", title="Pères à Rennes", places=("35238",))  # the same call: a second laureate
    response = client.get(URL)
    assert len(renders) == 2
    assert {r.code: r.laureates for r in response.context["rows"]}["53"] == first + 1
    assert "Pères à Rennes" not in text(response)  # figures only, not titles
    with committed():
        coverage.refresh()  # a new snapshot is a new version too
    client.get(URL)
    assert len(renders) == 3


def _row_53(response):
    return {r.code: r for r in response.context["rows"]}["53"]


def _change_call(call):
    call.publication_date = datetime.date(2021, 3, 1)
    call.save()


def _change_envelope(call):
    envelope = call.envelopes.first()
    envelope.local_top_up += 1000
    envelope.save()


def _new_laureate(call):
    laureate("53", title="Pères à Rennes", places=("35238",))


def _new_snapshot(call):
    verified_entry(name="LAEP D", commune=Commune.objects.get(insee_code="29019"))
    coverage.refresh()


@pytest.mark.parametrize(
    ("change", "figure"),
    [
        (_change_call, lambda r: [c.publication_date for c in r.calls]),
        (_change_envelope, lambda r: r.top_up),
        (_new_laureate, lambda r: r.laureates),
        (_new_snapshot, lambda r: r.verified),
    ],
    ids=["call", "envelope", "laureate", "coverage-snapshot"],
)
def test_every_change_the_dashboard_shows_is_seen_by_the_next_display(client, national, registry, committed, change, figure):
    with committed():
        brest = laureate("53", title="Éveil à Brest", places=("29019",))
        coverage.refresh()
    client.force_login(national)
    client.get(URL)
    before = figure(_row_53(client.get(URL)))  # warm: the cached body
    with committed():
        change(brest.call)
    after = figure(_row_53(client.get(URL)))
    assert after != before
    assert after == figure({r.code: r for r in dashboard.build(campaign=dashboard.current_campaign()).rows}["53"])


def test_a_warm_display_reads_one_version_and_no_figure(client, national, registry, committed):
    with committed():
        laureate("53", title="Éveil à Brest", places=("29019",))
        coverage.refresh()
    client.force_login(national)
    with CaptureQueriesContext(connection) as cold:
        client.get(URL)
    with CaptureQueriesContext(connection) as warm:
        response = client.get(URL)
    assert response.status_code == 200 and "Bretagne" in text(response)
    # Besides what every signed-in page reads (session, user, roles, the notifications bell):
    common = ("django_session", "accounts_", "notifications_", "SAVEPOINT")
    read = [q["sql"] for q in warm.captured_queries if not any(t in q["sql"] for t in common)]
    assert len(read) == 1 and "core_publicversion" in read[0]  # the version (and the snapshot's date), nothing else
    assert len(cold.captured_queries) - len(warm.captured_queries) >= 12
    tables = " ".join(q["sql"] for q in cold.captured_queries)
    assert tables.count('FROM "valorisation_coveragefigure"') == 1  # a miss reads the snapshot once
    for table in ("registry_entry", "registry_mapaggregate", "territories_commune"):
        assert f'"{table}"' not in tables


def test_the_dashboard_is_built_with_a_fixed_number_of_queries(registry):
    laureate("53", title="Éveil à Brest", places=("29019",))
    coverage.refresh()
    campaign = dashboard.current_campaign()
    with CaptureQueriesContext(connection) as queries:
        dashboard.build(regions=None, campaign=campaign)
    # régions, births table, 6 for the calls (declarations, endowments, calls, envelopes,
    # applications, laureates by axis), the coverage snapshot, axes, priorities, the derogations
    # to the minimum endowment
    assert len(queries) == 12
    with CaptureQueriesContext(connection) as queries:
        dashboard.build(regions=["53"], campaign=None)
    assert len(queries) == 5


def test_the_demo_load_ends_with_fresh_registry_figures(registry):
    from tpj.demo.services import MODULE_LOADERS
    from tpj.valorisation import demo

    assert MODULE_LOADERS[-1] == "tpj.valorisation.demo.refresh_coverage"  # after every loader that adds entries
    demo.refresh_coverage({})
    assert stored() == direct_count()
