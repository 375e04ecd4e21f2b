"""Two moderators acting on one entry, one after the other (the PostgreSQL test in
tests/reliability/test_concurrency.py does it at the same instant): one consistent state,
and BOTH actions in the audit log, the second as a refused attempt — whichever way the
second moderator acts (service, API whose 400 rolls its transaction back, web page)."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from tests.factories import user_with_role
from tests.registry.factories import EntryFactory
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.registry.models import Entry, State
from tpj.registry.services.moderation import moderate

pytestmark = pytest.mark.django_db

REFUSAL = "Action « Refuser » impossible : l'état actuel est « Vérifiée »."


@pytest.fixture
def entry():
    return EntryFactory(state=State.SUBMITTED)


@pytest.fixture
def moderators():
    return user_with_role(Role.MODERATOR, departements=["35"]), user_with_role(Role.MODERATOR, region="53")


def _assert_both_actions_logged(entry, first, second):
    assert Entry.objects.get(pk=entry.pk).state == State.VERIFIED
    events = [
        (e.action, e.actor, e.from_state, e.to_state, e.reason)
        for e in AuditEvent.objects.for_object(entry).order_by("id")
        if e.action.startswith(("registry.verify", "registry.reject"))
    ]
    assert events == [
        ("registry.verify", first, State.SUBMITTED, State.VERIFIED, ""),
        ("registry.reject.refused", second, State.VERIFIED, "", REFUSAL),
    ]


def test_the_second_moderator_gets_a_french_error_and_its_attempt_is_logged(entry, moderators):
    first, second = moderators
    moderate(Entry.objects.get(pk=entry.pk), "verify", first)
    with pytest.raises(ValidationError) as error:
        moderate(entry, "reject", second, "Justificatif illisible")  # `entry` still says "submitted"
    assert error.value.messages == [REFUSAL]
    _assert_both_actions_logged(entry, first, second)


def test_the_refused_attempt_survives_the_rollback_of_the_api_request(api_client, entry, moderators):
    first, second = moderators
    api_client.force_authenticate(first)
    assert api_client.post(reverse("api-registry-entry-verify", args=[entry.pk])).status_code == 200
    api_client.force_authenticate(second)
    response = api_client.post(
        reverse("api-registry-entry-reject", args=[entry.pk]), {"reason": "Justificatif illisible"}, format="json"
    )
    assert response.status_code == 400 and response.json() == {"non_field_errors": [REFUSAL]}
    _assert_both_actions_logged(entry, first, second)


def test_the_moderation_page_shows_the_refusal_and_the_attempt_in_the_history(client, entry, moderators):
    first, second = moderators
    moderate(entry, "verify", first)
    client.force_login(second)
    url = reverse("registry:moderate", args=[entry.pk])
    response = client.post(url, {"transition": "reject", "reason": "Justificatif illisible"})
    assert response.status_code == 400
    assert escape(REFUSAL) in response.content.decode()
    _assert_both_actions_logged(entry, first, second)
    page = client.get(url).content.decode()
    assert "Refus — action refusée (« Vérifiée », inchangé)" in page


def test_the_audit_log_and_its_csv_mark_the_refused_attempt(client, entry, moderators):
    first, second = moderators
    moderate(entry, "verify", first)
    with pytest.raises(ValidationError):
        moderate(entry, "reject", second, "Justificatif illisible")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    page = client.get("/journal/").content.decode()
    assert "action refusée" in page and "(inchangé)" in page
    content = b"".join(client.get("/journal/export.csv").streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][-1] == "résultat"
    code = rows[0].index("code de l'action")
    outcomes = {row[code]: row[-1] for row in rows[1:]}
    assert outcomes["registry.verify"] == "effectuée"
    assert outcomes["registry.reject.refused"] == "refusée"
    refused = next(row for row in rows if row[code] == "registry.reject.refused")
    # the states as a person reads them: « Vérifiée » before, nothing after (unchanged)
    assert refused[1] == second.email and refused[code + 1 : code + 4] == ["Vérifiée", "", REFUSAL]
