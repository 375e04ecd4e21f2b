"""Who owns a SIRET: a second organisation with a registered SIRET is refused with how to join
the first; the moderator sees the Sirene register's identity of the SIRET, a warning when its
legal name is not the declared one, and the members whose ProConnect login asserted it."""

import html

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory, user_with_role
from tests.training.factories import OfferFactory, TrainingOrganisationFactory, member_of, published_offer
from tpj.accounts.models import Role
from tpj.audit.services import record
from tpj.core import sirene
from tpj.training.models import OfferState, TrainingOrganisation
from tpj.training.services.organisations import PROCONNECT_SIRET, names_differ

pytestmark = pytest.mark.django_db

# SIRETs the offline Sirene adapter knows (tpj/core/data/sirene/answers.json).
PARENTALITE = "52102984321126"  # ASSOCIATION PARENTALITE EN PAYS DE RENNES
REGISTERED = "73282932000074"


def register(client, siret):
    client.force_login(UserFactory())
    data = {
        "name": "Institut petite enfance",
        "siret": siret,
        "activity_number": "53350000035",
        "qualiopi": "",
        "commune": "Brest",
    }
    response = client.post(reverse("training:register-organisation"), data)
    return response, html.unescape(response.content.decode())


def test_a_registered_siret_is_refused_with_the_organisation_and_its_public_contact(client):
    first = TrainingOrganisationFactory(name="Institut de Bretagne", siret=REGISTERED)
    published_offer(organisation=first, contact_email="inscriptions@institut.example.fr")
    response, page = register(client, "732 829 320 00074")  # typed with spaces
    assert response.status_code == 400
    assert "Un organisme de formation portant ce SIRET est déjà inscrit. Il s'agit de « Institut de Bretagne » (Rennes)" in page
    assert "demandez à en devenir membre : écrivez à l'organisme (inscriptions@institut.example.fr" in page
    assert "demandera votre ajout aux administrateurs de la plateforme" in page
    assert page.count("portant ce SIRET est déjà inscrit") == 1  # not the model's message again
    assert TrainingOrganisation.objects.count() == 1


def test_without_a_public_contact_the_message_points_to_whoever_manages_its_offers(client):
    first = TrainingOrganisationFactory(name="Institut discret", siret=REGISTERED)
    OfferFactory(organisation=first, contact_email="brouillon@institut.example.fr")  # a draft: not public
    response, page = register(client, REGISTERED)
    assert response.status_code == 400
    assert "brouillon@institut.example.fr" not in page
    assert "adressez-vous à la personne de l'organisme qui gère déjà ses offres sur la plateforme" in page


def test_a_new_siret_registers(client):
    TrainingOrganisationFactory(siret=REGISTERED)
    response, _ = register(client, PARENTALITE)
    assert response.status_code == 302
    assert TrainingOrganisation.objects.filter(siret=PARENTALITE).exists()


@pytest.mark.parametrize(
    ("declared", "legal", "differ"),
    [
        ("Parentalité en pays de Rennes", "ASSOCIATION PARENTALITE EN PAYS DE RENNES", False),
        ("Association Parentalité en Pays-de-Rennes", "ASSOCIATION PARENTALITE EN PAYS DE RENNES", False),
        ("Institut de formation de Bretagne", "ASSOCIATION PARENTALITE EN PAYS DE RENNES", True),
    ],
)
def test_names_differ(declared, legal, differ):
    assert names_differ(declared, legal) is differ


@pytest.fixture
def national(client):
    client.force_login(user_with_role(Role.NATIONAL_TEAM))


def moderation_page(client, organisation) -> str:
    offer = OfferFactory(organisation=organisation, state=OfferState.SUBMITTED)
    response = client.get(reverse("training:moderate", args=[offer.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_moderator_sees_the_register_identity_and_a_warning_when_the_names_differ(client, national):
    page = moderation_page(client, TrainingOrganisationFactory(name="Institut de formation de Bretagne", siret=PARENTALITE))
    assert "ASSOCIATION PARENTALITE EN PAYS DE RENNES" in page and "12 RUE DE LA PARENTALITE 35000 RENNES" in page
    assert "Source : répertoire Sirene de l'Insee." in page
    assert (
        "Le nom déclaré, « Institut de formation de Bretagne », diffère de la raison sociale du répertoire Sirene, "
        "« ASSOCIATION PARENTALITE EN PAYS DE RENNES »" in page
    )
    assert "Première offre de cet organisme" in page
    assert "SIRET confirmé par ProConnect" not in page


def test_no_warning_when_the_names_match_nor_once_an_offer_was_published(client, national):
    organisation = TrainingOrganisationFactory(name="Parentalité en Pays de Rennes", siret=PARENTALITE)
    published_offer(organisation=organisation, published_at="2025-01-06T10:00:00+01:00")
    page = moderation_page(client, organisation)
    assert "ASSOCIATION PARENTALITE EN PAYS DE RENNES" in page
    assert "diffère de la raison sociale" not in page
    assert "Première offre de cet organisme" not in page


def test_a_siret_unknown_to_the_register_says_so(client, national):
    page = moderation_page(client, TrainingOrganisationFactory(siret=REGISTERED))
    assert f"Aucun établissement de SIRET {REGISTERED} n'est connu du répertoire Sirene." in page


def test_when_the_register_does_not_answer_the_recorded_answers_do(client, national, settings, monkeypatch):
    settings.SIRENE = "api"

    def unreachable(self, siret):
        raise TimeoutError("réseau coupé")

    monkeypatch.setattr(sirene.ApiSirene, "search", unreachable)
    page = moderation_page(client, TrainingOrganisationFactory(name="Parentalité en Pays de Rennes", siret=PARENTALITE))
    assert "ASSOCIATION PARENTALITE EN PAYS DE RENNES" in page
    assert "Le répertoire Sirene ne répond pas : réessayez plus tard." in page


def test_a_member_whose_proconnect_login_asserted_the_siret_confirms_it(client, national):
    organisation = TrainingOrganisationFactory(name="Parentalité en Pays de Rennes", siret=PARENTALITE)
    agent = member_of(organisation)
    agent.first_name, agent.last_name = "Paula", "Porteuse"
    agent.organisation = OrganisationFactory(siret=PARENTALITE)
    agent.save()
    # A member tied to another SIRET by ProConnect confirms nothing.
    other = member_of(organisation)
    record(actor=other, obj=other, action=PROCONNECT_SIRET, after={"organisation": "Autre", "siret": REGISTERED})
    assert "SIRET confirmé par ProConnect" not in moderation_page(client, organisation)
    record(actor=agent, obj=agent, action=PROCONNECT_SIRET, after={"organisation": "Parentalité", "siret": PARENTALITE})
    page = moderation_page(client, organisation)
    assert "SIRET confirmé par ProConnect" in page and "pour Paula Porteuse." in page


def test_a_registration_that_passed_the_form_while_another_took_the_siret_gets_the_same_message():
    """The form checked the SIRET free; another registration of it committed meanwhile: the
    database's unique SIRET refuses this one, with the form's French message, not an error page."""
    from django.core.exceptions import ValidationError

    from tpj.training.services.organisations import register_organisation

    TrainingOrganisationFactory(siret=REGISTERED, name="Institut déjà là")
    late = TrainingOrganisationFactory.build(siret=REGISTERED, name="Institut petite enfance")
    with pytest.raises(ValidationError) as refused:
        register_organisation(UserFactory(), late)
    assert "Institut déjà là" in refused.value.message_dict["siret"][0]
    assert TrainingOrganisation.objects.filter(siret=REGISTERED).count() == 1
