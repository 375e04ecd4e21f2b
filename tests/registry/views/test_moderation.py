"""Moderation pages: decisions with their reason, and the moderator's scope."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.registry.factories import EntryFactory
from tpj.registry.models import State

pytestmark = pytest.mark.django_db


def test_reject_with_reason_then_resubmit(client, member, moderator_35, django_capture_on_commit_callbacks):
    entry = EntryFactory(state=State.SUBMITTED, setup__members=[member])
    client.force_login(moderator_35)
    response = client.post(reverse("registry:moderate", args=[entry.pk]), {"transition": "reject", "reason": ""})
    assert response.status_code == 400
    assert "motif" in response.content.decode().lower()
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave the outbox after the commit
        client.post(reverse("registry:moderate", args=[entry.pk]), {"transition": "reject", "reason": "Justificatif illisible."})
    entry.refresh_from_db()
    assert entry.state == State.REJECTED and entry.decision_reason == "Justificatif illisible."
    assert "Justificatif illisible." in mail.outbox[-1].body
    client.force_login(member)
    assert "Justificatif illisible." in client.get(reverse("registry:entry", args=[entry.pk])).content.decode()
    client.post(reverse("registry:submit", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.state == State.SUBMITTED


def test_moderator_outside_scope_gets_403(client, member, moderator_69):
    entry = EntryFactory(state=State.SUBMITTED, setup__members=[member])
    client.force_login(moderator_69)
    assert client.get(reverse("registry:moderate", args=[entry.pk])).status_code == 403
    assert client.post(reverse("registry:moderate", args=[entry.pk]), {"transition": "verify"}).status_code == 403
    assert entry not in list(client.get(reverse("registry:moderation")).context["entries"])
    entry.refresh_from_db()
    assert entry.state == State.SUBMITTED
