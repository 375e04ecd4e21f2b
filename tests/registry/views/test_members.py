"""Registrants' pages: registration, submission, edits (substantive ones go to review), evidence files, members."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.registry.factories import PDF, EntryFactory, form_data, verified_entry
from tpj.audit.models import AuditEvent
from tpj.nomenclatures.models import Category
from tpj.registry.models import Entry, State

pytestmark = pytest.mark.django_db


def test_register_submit_verify_publish(client, member, moderator_35, django_capture_on_commit_callbacks):
    client.force_login(member)
    page = client.get(reverse("registry:create") + "?categorie=creche")
    assert page.status_code == 200
    # The crèche category pre-ticks priority 8 (suggested), nothing else.
    assert page.context["bundle"].priorities.initial.get("p8") or page.context["bundle"].priorities["p8"].initial
    assert not page.context["bundle"].priorities["p2"].initial

    evidence = SimpleUploadedFile("agrement.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("registry:create"), {**form_data(), "situations-0-evidence": evidence, "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = Entry.objects.get(name="Crèche Les Petits Loups")
    assert entry.state == State.SUBMITTED
    assert entry.departement_id == "35" and entry.region_id == "53"
    assert entry.geocoding_precision == "municipality"
    assert entry.situations.get().reference_value == "73282932000074"
    # Not public while submitted.
    client.logout()
    assert client.get(reverse("registry:entry", args=[entry.pk])).status_code == 302
    assert client.get(reverse("api-registry-entry-list")).json()["count"] == 0

    client.force_login(moderator_35)
    queue = client.get(reverse("registry:moderation"))
    assert entry in list(queue.context["entries"])
    detail = client.get(reverse("registry:moderate", args=[entry.pk]))
    assert "format et clé valides" in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave the outbox after the commit
        response = client.post(reverse("registry:moderate", args=[entry.pk]), {"transition": "verify"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == State.VERIFIED
    assert mail.outbox and "vérifiée" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(action="registry.verify", object_id=str(entry.pk), to_state="verified").exists()

    client.logout()
    listing = client.get(reverse("api-registry-entry-list")).json()
    assert listing["count"] == 1
    assert listing["results"][0]["contacts"] == [{"kind": "email", "value": "contact@petitsloups.fr"}]
    map_data = client.get(reverse("api-registry-map"), {"zoom": 5}).json()
    assert {k: v for k, v in map_data["territories"][0].items() if k in ("code", "count")} == {"code": "53", "count": 1}
    page = client.get(reverse("registry:entry", args=[entry.pk])).content.decode()
    assert "monenfant.fr" in page and "Accueil régulier" in page


def test_double_submit_makes_exactly_one_submission(client, member):
    entry = EntryFactory(setup__members=[member])
    client.force_login(member)
    client.post(reverse("registry:submit", args=[entry.pk]))
    second = client.post(reverse("registry:submit", args=[entry.pk]), follow=True)
    assert "impossible" in second.content.decode()
    assert AuditEvent.objects.filter(action="registry.submit", object_id=str(entry.pk)).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"priorites-p8": None, "priorites-p8_description": "", "submit": "1"}, None, "Cochez au moins une priorité"),
        ({"situations-TOTAL_FORMS": "0", "submit": "1"}, None, "au moins une situation"),
        ({"situations-0-reference_value": "73282932000075"}, "reference_value", "clé de contrôle"),
        ({"fiche-postal_code": "69001"}, "postal_code", "ne correspond pas à la commune Rennes"),
        ({"fiche-name": "x" * 10_000}, "name", "au plus 200 caractères"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_saved(client, member, overrides, field, message):
    client.force_login(member)
    response = client.post(reverse("registry:create"), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Entry.objects.exists()


def test_renamed_exe_and_oversized_evidence_are_refused(client, member):
    client.force_login(member)
    exe = SimpleUploadedFile("preuve.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(reverse("registry:create"), {**form_data(), "situations-0-evidence": exe})
    assert response.status_code == 400
    assert "ni un PDF" in response.content.decode()
    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * (11 * 1024 * 1024), content_type="application/pdf")
    response = client.post(reverse("registry:create"), {**form_data(), "situations-0-evidence": big})
    assert response.status_code == 400
    assert "la limite est de 10 Mo" in response.content.decode()
    assert not Entry.objects.exists()


def test_script_in_description_is_stored_as_text_and_escaped(client, member):
    client.force_login(member)
    payload = '<script>alert("x")</script>'
    client.post(reverse("registry:create"), form_data(**{"priorites-p8_description": payload}))
    entry = Entry.objects.get()
    assert entry.priorities.get().description == payload
    page = client.get(reverse("registry:entry", args=[entry.pk])).content.decode()
    assert payload not in page and "&lt;script&gt;" in page


def test_substantive_edit_of_verified_entry_goes_to_review_public_version_stays(client, member, moderator_35):
    entry = verified_entry(setup__members=[member])
    client.force_login(member)
    data = form_data(**{"fiche-name": entry.name, "fiche-category": Category.objects.get(slug="mam").pk})
    data["priorites-p8_description"] = "Action pour la priorité 8"
    response = client.post(reverse("registry:edit", args=[entry.pk]), {**data, "submit": "1"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == State.VERIFIED and entry.category.slug == "creche"  # public version unchanged
    revision = entry.revisions.get()
    assert revision.state == State.SUBMITTED and revision.category.slug == "mam"
    assert client.get(reverse("api-registry-entry-list")).json()["count"] == 1
    client.force_login(moderator_35)
    client.post(reverse("registry:moderate", args=[revision.pk]), {"transition": "verify"})
    entry.refresh_from_db()
    assert entry.category.slug == "mam" and entry.state == State.VERIFIED
    assert Entry.objects.published().count() == 1


def test_cosmetic_edit_of_verified_entry_is_published_directly(client, member):
    entry = verified_entry(setup__members=[member])
    client.force_login(member)
    situation = entry.situations.get()
    data = form_data(
        **{
            "fiche-name": "Nouveau nom",
            "fiche-address": entry.address,
            "priorites-p8_description": "Action pour la priorité 8",
            "situations-INITIAL_FORMS": "1",
            "situations-0-situation": situation.situation_id,
            "situations-0-trusting_body_name": situation.trusting_body_name,
            "situations-0-trusting_body_kind": "collectivite",
            "situations-0-reference_type": "agrement",
            "situations-0-reference_value": "AGR-2024-001",
        }
    )
    response = client.post(reverse("registry:edit", args=[entry.pk]), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name == "Nouveau nom" and entry.state == State.VERIFIED
    assert not entry.revisions.exists()


def test_evidence_served_only_to_members_and_moderators_and_logged(client, member, moderator_35, moderator_69):
    client.force_login(member)
    evidence = SimpleUploadedFile("agrement.pdf", PDF, content_type="application/pdf")
    client.post(reverse("registry:create"), {**form_data(), "situations-0-evidence": evidence})
    situation = Entry.objects.get().situations.get()
    url = reverse("registry:evidence", args=[situation.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)  # consuming the stream closes the file
    client.force_login(moderator_35)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(moderator_69)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    assert AuditEvent.objects.filter(action="registry.evidence_viewed").count() == 2


def test_members_can_add_another_member(client, member):
    from tests.factories import UserFactory

    other = UserFactory(email="collegue@example.fr")
    entry = EntryFactory(setup__members=[member])
    client.force_login(member)
    # An address without an account is invited instead (tests/registry/claims/test_invitations.py).
    assert client.post(reverse("registry:members", args=[entry.pk]), {"email": "pas-une-adresse"}).status_code == 400
    client.post(reverse("registry:members", args=[entry.pk]), {"email": "collegue@example.fr"})
    assert set(entry.members.all()) == {member, other}
    client.force_login(other)
    assert client.get(reverse("registry:edit", args=[entry.pk])).status_code == 200


def test_my_entries_show_state_and_reason(client, member):
    EntryFactory(name="Refusée", state=State.REJECTED, decision_reason="Pièce manquante.", setup__members=[member])
    client.force_login(member)
    page = client.get(reverse("registry:mine")).content.decode()
    assert "Refusée" in page and "Pièce manquante." in page
