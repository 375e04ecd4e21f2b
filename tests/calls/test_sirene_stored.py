"""The carrier's identity read in the Sirene register is kept with the application (issue 18):
shown to the instruction, in the committee's export and through the API; the register's
offline fallback still holds."""

import html
import io
import urllib.error

import pytest
from django.core.management import call_command
from django.urls import reverse

from tpj.calls.committee_export import committee_table
from tpj.calls.models import Application
from tpj.calls.services.applications import create_application, update_application
from tpj.calls.services.carrier import record_missing_identities
from tpj.calls.services.content import content_of
from tpj.core import sirene

from .factories import applicant, content, make_call, submitted_application

pytestmark = pytest.mark.django_db

BREST = "57315702129010"  # in the recorded answers (tpj/core/data/sirene/answers.json)
CLOSED = "88623096005578"
UNKNOWN = "73282932000074"  # a valid SIRET the register does not know


def test_the_identity_is_stored_when_the_siret_is_saved_and_forgotten_when_it_changes():
    call = make_call()
    user = applicant()
    app, _ = create_application(user, call, content(call, carrier_siret="573 157 021 29010"))
    app.refresh_from_db()
    assert (app.carrier_legal_name, app.carrier_address, app.carrier_legal_form, app.carrier_activity) == (
        "COMMUNE DE BREST",
        "2 RUE FREZIER 29200 BREST",
        "Commune",
        "84.11Z — Administration publique générale",
    )
    assert app.carrier_identity_at is not None and app.carrier_closed is False

    changed = content_of(app)
    changed.carrier_siret = UNKNOWN
    app = update_application(app, user, changed)
    app.refresh_from_db()
    assert app.carrier_siret == UNKNOWN
    assert app.carrier_legal_name == "" and app.carrier_address == "" and app.carrier_identity_at is None

    changed.carrier_siret = CLOSED
    app = update_application(app, user, changed)
    app.refresh_from_db()
    assert app.carrier_identity_at is not None and app.carrier_closed is True


def test_an_unchanged_siret_is_not_looked_up_again(monkeypatch):
    call = make_call()
    user = applicant()
    app, _ = create_application(user, call, content(call, carrier_siret=BREST))
    asked = []
    monkeypatch.setattr(sirene.OfflineSirene, "search", lambda self, siret: asked.append(siret) or {"results": []})
    update_application(app, user, content_of(app))
    assert asked == []
    app.refresh_from_db()
    assert app.carrier_legal_name == "COMMUNE DE BREST"


def test_when_the_register_does_not_answer_the_offline_answers_fill_the_identity(settings, monkeypatch):
    settings.SIRENE = "api"

    def down(request, timeout):
        raise urllib.error.URLError("timed out")

    monkeypatch.setattr(sirene.urllib.request, "urlopen", down)
    call = make_call()
    user = applicant()
    app, _ = create_application(user, call, content(call, carrier_siret=BREST))
    app.refresh_from_db()
    assert app.carrier_legal_name == "COMMUNE DE BREST"
    other, _ = create_application(user, call, content(call, carrier_siret=UNKNOWN, title="Autre projet"))
    other.refresh_from_db()
    assert other.carrier_identity_at is None and other.carrier_legal_name == ""


def test_the_instruction_the_committee_export_and_the_api_show_the_identity(client, api_client):
    call = make_call()
    app = submitted_application(call, carrier_siret=BREST)
    unknown = submitted_application(call, carrier_siret=UNKNOWN, title="Porteur inconnu")

    client.force_login(call.manager)
    page = client.get(reverse("calls:application-detail", args=[app.pk])).content.decode()
    assert "Identité du porteur au répertoire Sirene" in page
    for shown in ("COMMUNE DE BREST", "2 RUE FREZIER 29200 BREST", "Forme juridique : Commune", "84.11Z — Administration"):
        assert shown in page
    page = client.get(reverse("calls:application-detail", args=[unknown.pk])).content.decode()
    assert "Non trouvée : ce SIRET n'était pas connu du répertoire Sirene" in html.unescape(page)

    header, rows = committee_table(call, anonymise=True)
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    row = by_reference[app.reference]
    assert row["raison sociale (Sirene)"] == "COMMUNE DE BREST" and row["forme juridique (Sirene)"] == "Commune"
    assert row["activité principale (Sirene)"] == "84.11Z — Administration publique générale"
    assert row["établissement fermé (Sirene)"] == "non"
    assert by_reference[unknown.reference]["raison sociale (Sirene)"] == ""

    api_client.force_authenticate(app.created_by)
    identity = api_client.get(f"/api/v1/applications/{app.pk}/").json()["carrier_identity"]
    assert identity["legal_name"] == "COMMUNE DE BREST" and identity["address"] == "2 RUE FREZIER 29200 BREST"
    assert identity["legal_form"] == "Commune" and identity["closed"] is False and identity["checked_at"]
    api_client.force_authenticate(unknown.created_by)
    assert api_client.get(f"/api/v1/applications/{unknown.pk}/").json()["carrier_identity"] is None


def _count_asks(monkeypatch) -> list[str]:
    """From now on, the SIRETs asked of the (offline) register, in order; its answers unchanged."""
    asked = []
    search = sirene.OfflineSirene.search

    def counted(self, siret):
        asked.append(siret)
        return search(self, siret)

    monkeypatch.setattr(sirene.OfflineSirene, "search", counted)
    return asked


def test_a_new_siret_is_asked_once_before_the_row_is_locked(monkeypatch):
    call = make_call()
    user = applicant()
    app, _ = create_application(user, call, content(call, carrier_siret=BREST))
    asked = _count_asks(monkeypatch)
    changed = content_of(app)
    changed.carrier_siret = CLOSED
    update_application(app, user, changed)
    assert asked == [CLOSED]
    app.refresh_from_db()
    assert app.carrier_closed is True and app.carrier_legal_name


def _saved_without_identity(call, siret):
    """An application whose SIRET was saved before its identity was kept (migration calls 0016)."""
    app = submitted_application(call, carrier_siret=siret)
    Application.objects.filter(pk=app.pk).update(
        carrier_legal_name="", carrier_address="", carrier_legal_form="", carrier_activity="", carrier_identity_at=None
    )
    return Application.objects.get(pk=app.pk)


def test_the_command_reads_the_identity_of_older_applications_and_says_what_it_found():
    call = make_call()
    older = _saved_without_identity(call, BREST)
    unknown = _saved_without_identity(call, UNKNOWN)
    without_siret, _ = create_application(applicant(), call, content(call, carrier_siret=""))  # a draft
    out = io.StringIO()

    call_command("record_carrier_identities", stdout=out)

    assert out.getvalue().strip() == "1 identité relevée ; 1 SIRET introuvable dans le répertoire."
    older.refresh_from_db()
    assert older.carrier_legal_name == "COMMUNE DE BREST" and older.carrier_identity_at is not None
    unknown.refresh_from_db()
    assert unknown.carrier_identity_at is None and unknown.carrier_legal_name == ""
    without_siret.refresh_from_db()
    assert without_siret.carrier_identity_at is None


def test_the_command_leaves_the_modification_date_and_asks_nothing_for_applications_already_read(monkeypatch):
    call = make_call()
    already = submitted_application(call, carrier_siret=CLOSED)
    older = _saved_without_identity(call, BREST)
    modified = older.updated_at
    asked = _count_asks(monkeypatch)

    assert record_missing_identities() == {"found": 1, "not_found": 0, "unanswered": 0}

    assert asked == [BREST]
    older.refresh_from_db()
    assert older.updated_at == modified and older.carrier_legal_name == "COMMUNE DE BREST"
    assert record_missing_identities() == {"found": 0, "not_found": 0, "unanswered": 0}
    already.refresh_from_db()
    assert already.carrier_closed is True


def test_an_answer_for_a_siret_changed_meanwhile_is_not_stored(monkeypatch):
    call = make_call()
    older = _saved_without_identity(call, BREST)
    real_search = sirene.OfflineSirene.search

    def carrier_saves_another_siret_meanwhile(self, siret):
        Application.objects.filter(pk=older.pk).update(carrier_siret=UNKNOWN)
        return real_search(self, siret)

    monkeypatch.setattr(sirene.OfflineSirene, "search", carrier_saves_another_siret_meanwhile)

    assert record_missing_identities() == {"found": 0, "not_found": 0, "unanswered": 0}
    older.refresh_from_db()
    assert older.carrier_siret == UNKNOWN and older.carrier_legal_name == "" and older.carrier_identity_at is None


def test_sirets_the_register_does_not_know_never_hold_back_the_others(monkeypatch):
    call = make_call()
    unknown = [_saved_without_identity(call, UNKNOWN) for _ in range(3)]
    older = _saved_without_identity(call, BREST)
    asked = _count_asks(monkeypatch)

    assert record_missing_identities(batch=2) == {"found": 1, "not_found": 3, "unanswered": 0}

    assert asked == [UNKNOWN, UNKNOWN, UNKNOWN, BREST]  # each once, in order
    older.refresh_from_db()
    assert older.carrier_legal_name == "COMMUNE DE BREST"
    assert all(Application.objects.get(pk=app.pk).carrier_identity_at is None for app in unknown)


def test_a_register_that_does_not_answer_is_said_and_its_applications_are_read_again_later(settings, monkeypatch):
    call = make_call()
    older = _saved_without_identity(call, BREST)
    unknown = _saved_without_identity(call, UNKNOWN)
    settings.SIRENE = "api"

    def down(request, timeout):
        raise urllib.error.URLError("timed out")

    monkeypatch.setattr(sirene.urllib.request, "urlopen", down)
    out, err = io.StringIO(), io.StringIO()

    call_command("record_carrier_identities", stdout=out, stderr=err)

    assert out.getvalue().strip() == "1 identité relevée ; 0 SIRET introuvable dans le répertoire."
    assert err.getvalue().strip() == (
        "Le répertoire Sirene n'a pas répondu pour 1 SIRET : relancez la commande plus tard, ces candidatures seront relues."
    )
    older.refresh_from_db()
    assert older.carrier_legal_name == "COMMUNE DE BREST"  # the recorded answers know it
    settings.SIRENE = "offline"  # the register answers again
    assert record_missing_identities() == {"found": 0, "not_found": 1, "unanswered": 0}
    unknown.refresh_from_db()
    assert unknown.carrier_identity_at is None
