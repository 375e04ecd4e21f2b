"""The roles every reliability test runs as, and the territory they are scoped to.

"In scope" is Ille-et-Vilaine (35) in Bretagne (53); "out of scope" is Haute-Garonne (31)
in Occitanie (76). Each role holds the narrowest realistic scope so that a leak across
territories shows up.
"""

from dataclasses import dataclass

from rest_framework.authtoken.models import Token

from tests.factories import OrganisationFactory, UserFactory, user_with_role
from tpj.accounts.models import Role

IN_REGION, IN_DEPARTEMENT, IN_COMMUNE = "53", "35", "35238"  # Bretagne, Ille-et-Vilaine, Rennes
OUT_REGION, OUT_DEPARTEMENT, OUT_COMMUNE = "76", "31", "31555"  # Occitanie, Haute-Garonne, Toulouse

VISITOR = "visitor"
PROFESSIONAL = "professional"
MODERATOR = "moderator"
CALL_MANAGER = "call_manager"
JURY_MEMBER = "jury_member"
APPLICANT = "applicant"
NATIONAL_TEAM = "national_team"
# the commissaire à la lutte contre la pauvreté of Bretagne: moderates the région's training offers
COMMISSAIRE = "commissaire"
ADMINISTRATOR = "administrator"

ROLES = [VISITOR, PROFESSIONAL, MODERATOR, CALL_MANAGER, JURY_MEMBER, APPLICANT, NATIONAL_TEAM, COMMISSAIRE, ADMINISTRATOR]


@dataclass
class Cast:
    """One user per role (None for the visitor), created in the test database."""

    users: dict

    def user(self, role):
        return self.users[role]

    def token(self, role) -> str | None:
        user = self.users[role]
        return None if user is None else Token.objects.get_or_create(user=user)[0].key

    def headers(self, role) -> dict:
        token = self.token(role)
        return {"Authorization": f"Token {token}"} if token else {}


def make_cast() -> Cast:
    organisation = OrganisationFactory(commune_id=IN_COMMUNE, region_id=IN_REGION)
    users = {
        VISITOR: None,
        PROFESSIONAL: UserFactory(organisation=organisation, email="pro@fiabilite.example"),
        MODERATOR: user_with_role(Role.MODERATOR, departements=[IN_DEPARTEMENT], email="moderateur@fiabilite.example"),
        CALL_MANAGER: user_with_role(
            Role.CALL_MANAGER,
            region=IN_REGION,
            email="gestionnaire@fiabilite.example",
            organisation=OrganisationFactory(ars=True, commune_id=IN_COMMUNE, region_id=IN_REGION),
        ),
        JURY_MEMBER: user_with_role(
            Role.JURY_MEMBER,
            region=IN_REGION,
            email="jury@fiabilite.example",
            organisation=OrganisationFactory(caf=True, commune_id=IN_COMMUNE, region_id=IN_REGION),
        ),
        APPLICANT: user_with_role(Role.APPLICANT, region=IN_REGION, email="porteur@fiabilite.example", organisation=organisation),
        NATIONAL_TEAM: user_with_role(Role.NATIONAL_TEAM, email="national@fiabilite.example"),
        COMMISSAIRE: user_with_role(Role.COMMISSAIRE, region=IN_REGION, email="commissaire@fiabilite.example"),
        ADMINISTRATOR: user_with_role(Role.ADMINISTRATOR, email="admin@fiabilite.example", is_staff=True),
    }
    return Cast(users)
