"""« Mon espace » of a professional and of a moderator: the right items, counts, ages and links,
nothing from outside the person's entries or territory."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, user_with_role
from tests.registry.factories import EntryFactory, verified_entry
from tests.workspace.helpers import has_section, section
from tpj.accounts.models import Role
from tpj.registry.models import Entry, ImportJob, ReviewState, State
from tpj.territories.models import Commune

pytestmark = pytest.mark.django_db

BREST = "29019"  # Finistère, Bretagne (53)
LYON = "69123"  # Rhône, Auvergne-Rhône-Alpes (84)


def _days_ago(days):
    return timezone.now() - datetime.timedelta(days=days, hours=1)


def _submitted(days, commune="35238", **fields):
    entry = EntryFactory(state=State.SUBMITTED, commune=Commune.objects.get(insee_code=commune), **fields)
    Entry.objects.filter(pk=entry.pk).update(submitted_at=_days_ago(days))
    return entry


def test_professional_sees_requested_changes_with_their_reason_and_the_yearly_review(client):
    pro = UserFactory()
    asked = EntryFactory(
        name="Crèche des Hirondelles",
        state=State.CHANGES_REQUESTED,
        decision_reason="Précisez le numéro d'agrément de la PMI.",
        setup__members=[pro],
    )
    EntryFactory(name="Relais en brouillon", setup__members=[pro])
    published = verified_entry(name="Maison des parents", setup__members=[pro])
    Entry.objects.filter(pk=published.pk).update(review_state=ReviewState.REQUESTED, review_requested_at=_days_ago(12))
    EntryFactory(name="Fiche d'une autre", state=State.CHANGES_REQUESTED, decision_reason="Motif confidentiel")
    client.force_login(pro)

    html = section(client.get("/mon-espace/"), "fiches")

    assert "Modifications demandées sur « Crèche des Hirondelles »" in html
    assert "Motif du modérateur : Précisez le numéro d'agrément de la PMI." in html
    assert f'href="{reverse("registry:edit", args=[asked.pk])}"' in html
    assert "1 brouillon à compléter et à soumettre" in html
    assert "Confirmez que « Maison des parents » est toujours exacte" in html
    assert "demandée il y a 12 jours" in html
    assert f'href="{reverse("registry:entry", args=[published.pk])}"' in html
    # The table of my entries says each state in French, never its code.
    assert "Modifications demandées" in html and "Brouillon" in html and "Vérifiée" in html
    assert "changes_requested" not in html and ">draft<" not in html and ">verified<" not in html
    assert "Fiche d'une autre" not in html and "Motif confidentiel" not in html


def test_a_pending_claim_is_shown_to_its_claimant_only_as_waiting_for_a_moderator(client):
    from tpj.registry.models import ClaimState, EntryClaim, MatchedOn

    claimant, other = UserFactory(), UserFactory()
    imported = verified_entry(name="Crèche importée des Lilas")
    claim = EntryClaim.objects.create(entry=imported, claimant=claimant, matched_on=MatchedOn.EMAIL, state=ClaimState.PENDING)
    EntryClaim.objects.filter(pk=claim.pk).update(created_at=_days_ago(3))
    client.force_login(claimant)

    html = section(client.get("/mon-espace/"), "fiches")  # no entry of their own yet: the claim shows

    assert "Votre demande de gestion de « Crèche importée des Lilas » attend un modérateur" in html
    assert "Demandée il y a 3 jours." in html
    assert f'href="{reverse("registry:claim-entry", args=[imported.pk])}"' in html
    client.force_login(other)
    assert "Crèche importée des Lilas" not in client.get("/mon-espace/").content.decode()


def test_a_moderator_with_roles_but_no_entry_has_no_professional_section(client):
    moderator = user_with_role(Role.MODERATOR, region="53")
    client.force_login(moderator)
    assert not has_section(client.get("/mon-espace/"), "fiches")


def test_moderator_sees_the_queue_of_their_region_only_with_its_oldest_entry(client, settings):
    settings.REGISTRY_MODERATION_AGEING_DAYS = 7
    moderator = user_with_role(Role.MODERATOR, region="53")
    for days in (9, 3, 0):
        _submitted(days)
    _submitted(20, commune=BREST)  # Bretagne too, the oldest of the queue
    _submitted(40, commune=LYON)  # another région: neither counted nor the oldest
    EntryFactory(state=State.CHANGES_REQUESTED)  # not awaiting the moderator
    client.force_login(moderator)

    html = section(client.get("/mon-espace/"), "moderation")

    assert "4 fiches en attente de vérification" in html
    assert "la plus ancienne depuis 20 jours ; 2 depuis plus de 7 jours" in html
    assert "En retard" in html
    assert f'href="{reverse("registry:moderation")}"' in html


def test_moderator_of_some_departements_counts_theirs_only(client):
    moderator = user_with_role(Role.MODERATOR, departements=["29"])
    _submitted(1)  # Ille-et-Vilaine (35)
    _submitted(5, commune=BREST)
    client.force_login(moderator)

    html = section(client.get("/mon-espace/"), "moderation")

    assert "1 fiche en attente de vérification" in html
    assert "la plus ancienne depuis 5 jours" in html
    assert "En retard" not in html


def test_moderator_with_an_empty_queue_is_told_so(client):
    client.force_login(user_with_role(Role.MODERATOR, region="53"))
    _submitted(3, commune=LYON)
    html = section(client.get("/mon-espace/"), "moderation")
    assert "Aucune fiche n'attend votre décision." in html
    assert "en attente de vérification" not in html


def test_moderator_sees_the_suspensions_to_reexamine_and_their_imports(client):
    moderator = user_with_role(Role.MODERATOR, region="53")
    for commune in ("35238", BREST, LYON):
        entry = verified_entry(commune=Commune.objects.get(insee_code=commune))
        Entry.objects.filter(pk=entry.pk).update(
            review_state=ReviewState.SUSPENSION_PROPOSED, review_requested_at=_days_ago(45 if commune == LYON else 33)
        )
    running = ImportJob.objects.create(
        source="Réseau des crèches", file="registry/imports/a.csv", created_by=moderator, status="running", total_rows=200
    )
    ImportJob.objects.filter(pk=running.pk).update(next_row=50)
    failed = ImportJob.objects.create(
        source="Réseau des relais",
        file="registry/imports/b.csv",
        created_by=moderator,
        status="failed",
        message="Le fichier n'est pas un CSV lisible.",
    )
    ImportJob.objects.create(source="Réseau terminé", file="registry/imports/c.csv", created_by=moderator, status="done")
    ImportJob.objects.create(
        source="Import d'un collègue", file="registry/imports/d.csv", created_by=user_with_role(Role.MODERATOR, region="53")
    )
    client.force_login(moderator)

    html = section(client.get("/mon-espace/"), "moderation")

    assert "2 fiches à réexaminer : suspension proposée faute de confirmation annuelle" in html
    assert "confirmation demandée aux membres il y a 33 jours" in html
    assert f'href="{reverse("registry:review-queue")}"' in html
    assert "Import « Réseau des crèches » en cours : 25 %" in html and "50 lignes sur 200 traitées" in html
    assert f'href="{reverse("registry:import-job", args=[running.pk])}"' in html
    assert "Import « Réseau des relais » en échec" in html and "Le fichier n'est pas un CSV lisible." in html
    assert f'href="{reverse("registry:import-job", args=[failed.pk])}"' in html
    assert "Réseau terminé" not in html and "Import d'un collègue" not in html


def test_an_agent_of_an_ars_without_role_is_not_asked_to_register_an_activity(client):
    from tests.factories import OrganisationFactory

    agent = UserFactory(organisation=OrganisationFactory(name="ARS Bretagne", kind="ars", region_id="53"))
    client.force_login(agent)
    assert not has_section(client.get("/mon-espace/"), "fiches")
