"""Personal data (RGPD): the register is complete, a user downloads everything held about
them and deletes their account (entries transferred or anonymised, decisions and audit
log kept), old drafts are purged, and access to evidence files is logged."""

import datetime
import io
import json
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory
from tpj.audit.models import AuditEvent
from tpj.privacy.register import NOT_PERSONAL, REGISTER

from .probe import client_for, connection_kept
from .roles import APPLICANT, MODERATOR, PROFESSIONAL
from .world import World

LOOKS_PERSONAL = re.compile(
    r"(e?mail|phone|telephone|first_name|last_name|full_name|address|adresse|birth|ip_address|referent|"
    r"person|actor_label|signator|last_login|date_joined|^name$|_name$|evidence$)"
)
PERSONAL_MODELS = re.compile(r"(Contact|Person|Referent)")
THIRD_PARTY = {"admin", "auth", "contenttypes", "sessions", "authtoken", "dsfr"}


def personal_candidates():
    for model in apps.get_models():
        if model._meta.app_label in THIRD_PARTY:
            continue
        for f in model._meta.concrete_fields:
            if f.is_relation and not isinstance(f, models.FileField):
                continue
            if (
                isinstance(f, models.EmailField | models.GenericIPAddressField)
                or LOOKS_PERSONAL.search(f.name)
                or (PERSONAL_MODELS.search(model.__name__) and isinstance(f, models.CharField | models.TextField))
            ):
                yield f"{model._meta.label}.{f.name}"


def test_every_personal_field_is_in_the_register():
    undeclared = [key for key in personal_candidates() if key not in REGISTER and key not in NOT_PERSONAL]
    assert not undeclared, (
        "Fields that look like personal data are missing from tpj/privacy/register.py "
        "(declare them in REGISTER, or in NOT_PERSONAL with the reason):\n  " + "\n  ".join(undeclared)
    )


def test_the_register_names_existing_fields():
    for key in [*REGISTER, *NOT_PERSONAL]:
        app_model, field = key.rsplit(".", 1)
        apps.get_model(app_model)._meta.get_field(field)


@pytest.mark.django_db
def test_a_professional_downloads_all_data_held_about_them_and_nothing_else(cast):
    world = World(cast)
    response = client_for(cast, PROFESSIONAL, api=False).get("/mes-donnees/export.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["compte"]["email"] == cast.user(PROFESSIONAL).email
    assert {e["name"] for e in data["fiches_annuaire"]} >= {"Crèche des Lutins de Rennes", "Relais petite enfance de Rennes"}
    assert world.canary not in response.content.decode()
    assert AuditEvent.objects.filter(actor=cast.user(PROFESSIONAL), action="privacy.export").exists()
    api = client_for(cast, APPLICANT, api=True).get("/api/v1/me/data/")
    assert api.status_code == 200
    assert [a["title"] for a in api.json()["candidatures"]] == ["Ateliers de Rennes"]


@pytest.mark.django_db
def test_my_data_page_is_linked_from_mon_espace(cast):
    page = client_for(cast, PROFESSIONAL, api=False).get("/mon-espace/")
    assert 'href="/mes-donnees/"' in page.content.decode()


@pytest.mark.django_db
def test_deleting_an_account_anonymises_it_transfers_entries_and_keeps_decisions(cast):
    from tests.registry.factories import EntryFactory
    from tpj.registry.models import Entry, State

    world = World(cast)
    professional = cast.user(PROFESSIONAL)
    colleague = UserFactory(email="collegue@fiabilite.example")
    shared = EntryFactory(name="Fiche partagée", state=State.SUBMITTED, setup__members=[professional, colleague])
    own_draft = EntryFactory(name="Brouillon personnel", state=State.DRAFT, setup__members=[professional])
    events_before = AuditEvent.objects.filter(actor=professional).count()
    client = client_for(cast, PROFESSIONAL, api=False)

    refused = client.post("/mes-donnees/supprimer-mon-compte/", {"confirmation": "oui", "password": "x"})
    assert refused.status_code == 400
    assert "Tapez SUPPRIMER" in refused.content.decode()
    professional.refresh_from_db()
    assert professional.is_active

    done = client.post(
        "/mes-donnees/supprimer-mon-compte/",
        {"confirmation": "SUPPRIMER", "password": "mot-de-passe-solide-42", "transfer_to": colleague.email},
    )
    assert done.status_code == 200
    professional.refresh_from_db()
    assert professional.email.endswith("@anonyme.invalid") and not professional.first_name and not professional.last_name
    assert not professional.is_active and not professional.has_usable_password() and not professional.role_assignments.exists()
    assert not Token.objects.filter(user=professional).exists()
    assert list(shared.members.all()) == [colleague]
    assert colleague in world["entry_in"].members.all()  # sole-member entries go to the named colleague
    assert colleague in Entry.objects.get(pk=own_draft.pk).members.all()
    assert AuditEvent.objects.filter(actor=professional).count() == events_before + 1  # log kept, deletion recorded
    assert client.get("/mon-espace/").status_code == 302  # logged out


@pytest.mark.django_db
def test_deleting_without_transfer_drops_drafts_and_private_contacts_but_keeps_applications(cast):
    from tests.registry.factories import EntryFactory
    from tpj.calls.models import Application
    from tpj.registry.models import Entry, State

    world = World(cast)
    applicant = cast.user(APPLICANT)
    draft = EntryFactory(name="Brouillon du porteur", state=State.DRAFT, setup__members=[applicant])
    kept = EntryFactory(name="Fiche soumise du porteur", state=State.SUBMITTED, setup__members=[applicant])
    response = client_for(cast, APPLICANT, api=True).post(
        "/api/v1/me/delete/", {"confirmation": "SUPPRIMER"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "fiches_transferees": 0,
        "fiches_supprimees": 1,
        "fiches_conservees": 1,
        "demandes_retirees": 0,
    }
    assert not Entry.objects.filter(pk=draft.pk).exists()
    assert list(Entry.objects.get(pk=kept.pk).contacts.values_list("is_public", flat=True)) == [True]
    assert Application.objects.filter(pk=world["application_in"].pk, created_by=applicant).exists()


@pytest.mark.django_db
def test_purge_drafts_deletes_only_stale_drafts_and_rejections(cast, settings):
    from tests.registry.factories import EntryFactory
    from tpj.calls.models import Application
    from tpj.registry.models import Entry, State

    world = World(cast)
    settings.DRAFT_RETENTION_DAYS = 30
    old = timezone.now() - datetime.timedelta(days=31)
    stale_draft = EntryFactory(name="Vieux brouillon", state=State.DRAFT)
    stale_rejected = EntryFactory(name="Vieux refus", state=State.REJECTED)
    fresh_draft = EntryFactory(name="Brouillon récent", state=State.DRAFT)
    old_submitted = EntryFactory(name="Vieille soumission", state=State.SUBMITTED)
    Entry.objects.filter(pk__in=[stale_draft.pk, stale_rejected.pk, old_submitted.pk]).update(updated_at=old)
    Application.objects.filter(pk=world["application_in"].pk).update(updated_at=old)  # a draft
    Application.objects.filter(pk=world["laureate_in"].pk).update(updated_at=old)  # a funding decision

    call_command("purge_drafts", "--dry-run", stdout=io.StringIO())
    assert Entry.objects.filter(pk=stale_draft.pk).exists()
    call_command("purge_drafts", stdout=io.StringIO())
    remaining = set(Entry.objects.values_list("pk", flat=True))
    assert stale_draft.pk not in remaining and stale_rejected.pk not in remaining
    assert {fresh_draft.pk, old_submitted.pk} <= remaining
    assert not Application.objects.filter(pk=world["application_in"].pk).exists()
    assert Application.objects.filter(pk=world["laureate_in"].pk).exists()
    assert AuditEvent.objects.filter(action="privacy.purge_drafts").exists()


@pytest.mark.django_db
def test_every_access_to_an_evidence_file_is_in_the_audit_log(cast):
    world = World(cast)
    evidence = world["evidence_in"]
    response = client_for(cast, MODERATOR, api=False).get(f"/annuaire/justificatifs/{evidence.pk}/")
    assert response.status_code == 200
    with connection_kept():
        response.close()
    logged = AuditEvent.objects.filter(actor=cast.user(MODERATOR), action__icontains="evidence")
    assert logged.exists(), "the moderator's download of a justificatif is not in the audit log"
    denied = client_for(cast, MODERATOR, api=False).get(f"/annuaire/justificatifs/{world['evidence_out'].pk}/")
    assert denied.status_code == 403
