"""The Sirene backfill raced on PostgreSQL (committed transactions, threads released together):
two runs of the command and a carrier saving a new SIRET at the same instant leave each
application with the identity of the SIRET it holds, stored once."""

from tests.concurrency import CONCURRENT_ON_POSTGRES
from tpj.calls.models import Application
from tpj.calls.services.applications import create_application, update_application
from tpj.calls.services.carrier import record_missing_identities
from tpj.calls.services.content import content_of

from .factories import applicant, content, make_call
from .test_issue18_races import at_once
from .test_sirene_stored import BREST, CLOSED, _saved_without_identity

pytestmark = CONCURRENT_ON_POSTGRES


def test_two_backfills_and_a_carrier_saving_at_once_leave_one_consistent_identity_each():
    call = make_call()
    changing, _ = create_application(applicant(), call, content(call, carrier_siret=BREST))  # a draft, still editable
    Application.objects.filter(pk=changing.pk).update(carrier_legal_name="", carrier_identity_at=None)
    changing.refresh_from_db()
    older = [changing] + [_saved_without_identity(call, BREST) for _ in range(3)]
    results = []

    def carrier_saves_another_siret():
        changed = content_of(changing)
        changed.carrier_siret = CLOSED
        update_application(changing, changing.created_by, changed)

    outcomes = at_once(
        lambda: results.append(record_missing_identities()),
        lambda: results.append(record_missing_identities()),
        carrier_saves_another_siret,
    )

    assert outcomes == ["ok", "ok", "ok"], outcomes
    assert sum(r["found"] for r in results) <= len(older) and all(r["not_found"] == 0 for r in results)
    for app in Application.objects.filter(pk__in=[a.pk for a in older]):
        assert app.carrier_identity_at is not None
        assert app.carrier_siret == (CLOSED if app.pk == changing.pk else BREST)
        assert app.carrier_closed is (app.pk == changing.pk)
