"""Submission and moderation: who may do what, with French reasons; audited and notified."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import UserFactory, user_with_role
from tests.training.factories import OfferFactory, SessionFactory, TrainingOrganisationFactory, member_of
from tpj.accounts.models import Role
from tpj.audit.models import AuditEvent
from tpj.core import policy
from tpj.core.workflow import TransitionRefused
from tpj.notifications.models import Notification
from tpj.territories.models import Commune
from tpj.training.models import Offer, OfferState
from tpj.training.services.offers import moderate, submit, withdraw
from tpj.training.workflow import OFFER_WORKFLOW, Move

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def offer(organisation):
    offer = OfferFactory(organisation=organisation, title="Éveil au langage")
    SessionFactory(offer=offer)
    return offer


@pytest.fixture
def submitted(offer, member):
    return submit(offer, member)


def test_every_transition_declares_who_it_notifies():
    assert all(t.notifies is not None for t in OFFER_WORKFLOW.transitions)


def test_submission_is_audited_and_tells_the_national_team_and_the_regions_commissaire(
    national, commissaire_bretagne, commissaire_occitanie, submitted
):
    assert submitted.state == OfferState.SUBMITTED and submitted.submitted_at
    event = AuditEvent.objects.for_object(submitted).get(action="training.offer.submit")
    assert (event.from_state, event.to_state) == (OfferState.DRAFT, OfferState.SUBMITTED)
    told = set(Notification.objects.filter(kind="training.offer.submit").values_list("recipient__email", flat=True))
    assert told == {national.email, commissaire_bretagne.email}


def test_only_members_submit(offer):
    outsider = UserFactory()
    with pytest.raises(
        policy.PermissionDenied, match="Seuls les membres de l'organisme de formation peuvent soumettre cette offre."
    ):
        submit(offer, outsider)


def test_the_regions_commissaire_publishes_and_the_members_are_told(submitted, member, commissaire_bretagne):
    offer = moderate(submitted, Move.PUBLISH, commissaire_bretagne)
    assert offer.state == OfferState.PUBLISHED and offer.published_at
    assert Notification.objects.filter(kind="training.offer.publish", recipient=member).exists()
    assert AuditEvent.objects.for_object(offer).filter(action="training.offer.publish", actor=commissaire_bretagne).exists()


def test_a_commissaire_of_another_region_may_not_moderate(submitted, commissaire_occitanie):
    with pytest.raises(policy.PermissionDenied, match="Cette offre ne relève pas de votre périmètre"):
        moderate(submitted, Move.PUBLISH, commissaire_occitanie)
    assert Offer.objects.get(pk=submitted.pk).state == OfferState.SUBMITTED


def test_the_national_team_moderates_everywhere(national):
    organisation = TrainingOrganisationFactory(commune=Commune.objects.get(insee_code="31555"))  # Toulouse, Occitanie
    offer = OfferFactory(organisation=organisation)
    SessionFactory(offer=offer)
    submit(offer, member_of(organisation))
    assert moderate(offer, Move.PUBLISH, national).state == OfferState.PUBLISHED


def test_a_moderator_may_not_moderate_its_own_organisations_offer(submitted, organisation):
    commissaire = user_with_role(Role.COMMISSAIRE, region="53")
    organisation.members.add(commissaire)
    with pytest.raises(policy.PermissionDenied, match="Vous ne pouvez pas modérer une offre de votre propre organisme."):
        moderate(submitted, Move.PUBLISH, commissaire)


@pytest.mark.parametrize("move", [Move.REQUEST_CHANGES, Move.REJECT])
def test_asking_changes_or_rejecting_needs_a_reason_told_to_the_members(submitted, member, national, move):
    with pytest.raises(ValidationError, match="Indiquez un motif"):
        moderate(submitted, move, national)
    offer = moderate(submitted, move, national, reason="Précisez le programme de la deuxième journée.")
    assert offer.decision_reason == "Précisez le programme de la deuxième journée."
    notification = Notification.objects.get(kind=f"training.offer.{move}", recipient=member)
    assert notification.body == "Précisez le programme de la deuxième journée."


def test_a_second_decision_is_refused_with_the_state_named(submitted, national, commissaire_bretagne):
    moderate(submitted, Move.PUBLISH, national)
    with pytest.raises(TransitionRefused, match="l'état actuel est « Publiée »"):
        moderate(submitted, Move.REJECT, commissaire_bretagne, reason="Trop tard.")


def test_a_published_offer_is_withdrawn_to_be_edited_then_submitted_again(submitted, member, national):
    moderate(submitted, Move.PUBLISH, national)
    offer = withdraw(submitted, member)
    assert offer.state == OfferState.DRAFT
    assert submit(offer, member).state == OfferState.SUBMITTED


def test_moderation_pages_per_role(client, submitted, member, national, commissaire_bretagne, commissaire_occitanie):
    queue, page = reverse("training:moderation"), reverse("training:moderate", args=[submitted.pk])
    client.force_login(member)
    response = client.get(queue)
    assert response.status_code == 403
    assert "Réservé à l'équipe nationale et aux commissaires" in text(response)
    client.force_login(commissaire_occitanie)
    assert "Aucune offre dans cet état" in text(client.get(queue))
    response = client.get(page)
    assert response.status_code == 403 and "ne relève pas de votre périmètre" in text(response)
    client.force_login(commissaire_bretagne)
    assert "Éveil au langage" in text(client.get(queue))
    response = client.post(page, {"transition": "reject", "reason": ""})
    assert response.status_code == 400 and "Indiquez un motif" in text(response)
    response = client.post(page, {"transition": "request_changes", "reason": "Ajoutez les prérequis."})
    assert response.status_code == 302
    assert Offer.objects.get(pk=submitted.pk).state == OfferState.CHANGES_REQUESTED
    client.force_login(member)
    page = client.get(reverse("training:edit", args=[submitted.pk])).content.decode()
    assert "Modifications demandées" in page and "Ajoutez les prérequis." in page


def test_an_unpublished_offer_is_hidden_from_the_public(client, offer, member):
    url = reverse("training:offer", args=[offer.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 403 and "Cette offre de formation n'est pas publiée." in text(response)
    client.force_login(member)
    assert client.get(url).status_code == 200


def test_a_submitted_offer_cannot_be_edited(client, submitted, member):
    client.force_login(member)
    page = client.get(reverse("training:edit", args=[submitted.pk])).content.decode()
    assert "en attente de modération" in page
    response = client.post(reverse("training:edit", args=[submitted.pk]), {"title": "Autre"})
    assert response.status_code == 400
    assert Offer.objects.get(pk=submitted.pk).title == "Éveil au langage"


def test_others_may_not_create_offers_in_an_organisation(client, organisation):
    client.force_login(UserFactory())
    response = client.get(reverse("training:create", args=[organisation.pk]))
    assert response.status_code == 403
    assert "Seuls les membres de l'organisme de formation peuvent y créer une offre." in text(response)


def test_my_offers_lists_the_members_offers_with_their_state(client, submitted, member):
    client.force_login(member)
    page = client.get(reverse("training:mine")).content.decode()
    assert "Éveil au langage" in page and "En attente de modération" in page and "1 offre" in page


def test_the_pages_show_no_raw_code(client, submitted, member, national):
    from tests.test_no_raw_codes import raw_codes

    pages = [
        (member, reverse("training:mine")),
        (member, reverse("training:create", args=[submitted.organisation_id])),
        (member, reverse("training:edit", args=[submitted.pk])),
        (member, reverse("training:offer", args=[submitted.pk])),
        (member, reverse("training:register-organisation")),
        (national, reverse("training:moderation")),
        (national, reverse("training:moderate", args=[submitted.pk])),
        (national, reverse("training:search")),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert not raw_codes(response.content.decode()), url
