import pytest
from django.core.exceptions import ValidationError

from tests.factories import OrganisationFactory, RoleAssignmentFactory, UserFactory, user_with_role
from tpj.accounts.models import Organisation, Role, RoleAssignment, ScopeLevel
from tpj.accounts.scopes import NO_SCOPE, Scope
from tpj.core import policy
from tpj.territories.models import Commune

pytestmark = pytest.mark.django_db


# --- Organisations and SIRET ---------------------------------------------------------


def test_a_valid_siret_is_accepted_and_compacted():
    org = Organisation(name="Mairie", kind=Organisation.Kind.COMMUNE, siret="213 502 388 00019", commune_id="35238")
    org.full_clean()
    assert org.siret == "21350238800019"
    assert org.region_id == "53"


def test_a_siret_with_a_wrong_check_digit_gets_a_french_message():
    org = Organisation(name="Mairie", kind=Organisation.Kind.COMMUNE, siret="21350238800010")
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert error.value.message_dict["siret"] == [
        "Ce SIRET est invalide : sa clé de contrôle ne correspond pas. Vérifiez les 14 chiffres."
    ]


@pytest.mark.parametrize("siret", ["1234", "ABCDEFGHIJKLMN", "213502388000189"])
def test_a_siret_of_the_wrong_shape_gets_a_french_message(siret):
    with pytest.raises(ValidationError) as error:
        Organisation(name="X", kind=Organisation.Kind.OTHER, siret=siret).full_clean()
    assert "Le SIRET doit comporter 14 chiffres." in error.value.message_dict["siret"]


def test_the_siret_is_optional():
    Organisation(name="Collectif sans SIRET", kind=Organisation.Kind.ASSOCIATION).full_clean()


def test_two_organisations_cannot_share_a_siret():
    OrganisationFactory(siret="21350238800019")
    with pytest.raises(ValidationError) as error:
        Organisation(name="Doublon", kind=Organisation.Kind.OTHER, siret="21350238800019").full_clean()
    assert error.value.messages == ["Une organisation portant ce SIRET existe déjà."]


def test_a_regional_agency_needs_its_region():
    with pytest.raises(ValidationError) as error:
        Organisation(name="ARS sans région", kind=Organisation.Kind.ARS).full_clean()
    assert error.value.message_dict["region"] == ["Indiquez la région de compétence de l'agence."]


def test_siret_with_wrong_check_digit_is_refused_in_the_admin_and_nothing_is_saved(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    response = client.post(
        "/admin/accounts/organisation/add/", {"name": "Mauvais SIRET", "kind": "association", "siret": "21350238800010"}
    )
    assert response.status_code == 200
    assert "sa clé de contrôle ne correspond pas" in response.content.decode()
    assert not Organisation.objects.filter(name="Mauvais SIRET").exists()


# --- Roles and scopes ----------------------------------------------------------------


def test_a_national_role_covers_everything():
    user = user_with_role(Role.NATIONAL_TEAM)
    scope = user.scope(Role.NATIONAL_TEAM)
    assert scope.national
    assert scope.covers(region="76", departement="31")
    assert scope.filter(Commune.objects.all()).count() == 34875


def test_a_regional_role_covers_its_region_only():
    user = user_with_role(Role.CALL_MANAGER, region="53")
    scope = user.scope(Role.CALL_MANAGER)
    assert scope.covers(region="53") and scope.covers(region="53", departement="29")
    assert not scope.covers(region="76", departement="31")
    communes = scope.filter(Commune.objects.all())
    assert set(communes.values_list("region_id", flat=True).distinct()) == {"53"}
    assert communes.count() == Commune.objects.filter(region_id="53").count()


def test_a_departemental_role_covers_its_departements_only():
    user = user_with_role(Role.MODERATOR, departements=["69", "01"])
    scope = user.scope(Role.MODERATOR)
    assert scope.departements == {"69", "01"}
    assert scope.covers(region="84", departement="69")
    assert not scope.covers(region="84", departement="38")
    assert not scope.covers_region_wholly("84")
    communes = scope.filter(Commune.objects.all())
    assert set(communes.values_list("departement_id", flat=True).distinct()) == {"69", "01"}


def test_scopes_of_several_assignments_add_up_and_other_roles_do_not_leak():
    user = user_with_role(Role.MODERATOR, departements=["69"])
    RoleAssignmentFactory(user=user, role=Role.MODERATOR, scope_level=ScopeLevel.REGION, region_id="53")
    RoleAssignmentFactory(user=user, role=Role.JURY_MEMBER, scope_level=ScopeLevel.NATIONAL)
    user = type(user).objects.get(pk=user.pk)
    scope = user.scope(Role.MODERATOR)
    assert scope == Scope(regions=frozenset({"53"}), departements=frozenset({"69"}))
    assert user.scope(Role.JURY_MEMBER).national
    assert user.scope(Role.CALL_MANAGER) == NO_SCOPE and NO_SCOPE.is_empty
    assert NO_SCOPE.filter(Commune.objects.all()).count() == 0


def test_an_inactive_assignment_grants_nothing():
    user = user_with_role(Role.MODERATOR, region="53")
    RoleAssignment.objects.filter(user=user).update(is_active=False)
    user = type(user).objects.get(pk=user.pk)
    assert not user.has_role(Role.MODERATOR)
    assert user.scope(Role.MODERATOR).is_empty


def test_role_flags():
    admin = user_with_role(Role.ADMINISTRATOR)
    national = user_with_role(Role.NATIONAL_TEAM)
    assert admin.is_administrator and not admin.is_national_team
    assert national.is_national_team and not national.is_administrator
    assert UserFactory(is_superuser=True).is_administrator
    assert national.roles == ["national_team"]


def test_a_regional_assignment_without_region_is_refused():
    assignment = RoleAssignment(user=UserFactory(), role=Role.CALL_MANAGER, scope_level=ScopeLevel.REGION)
    with pytest.raises(ValidationError) as error:
        assignment.full_clean()
    assert error.value.message_dict["region"] == ["Choisissez la région du périmètre."]


def test_a_national_assignment_with_a_region_is_refused():
    assignment = RoleAssignment(user=UserFactory(), role=Role.NATIONAL_TEAM, scope_level=ScopeLevel.NATIONAL, region_id="53")
    with pytest.raises(ValidationError) as error:
        assignment.full_clean()
    assert "Un périmètre national ne porte pas de région." in error.value.message_dict["region"]


def test_an_administrator_assigns_a_role_in_the_admin_and_is_recorded_as_granter(client):
    admin = user_with_role(Role.ADMINISTRATOR)
    target = UserFactory()
    client.force_login(admin)
    url = f"/admin/accounts/user/{target.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "email": target.email,
        "first_name": target.first_name,
        "last_name": target.last_name,
        "organisation": "",
        "is_active": "on",
        "email_confirmed_at_0": "",
        "email_confirmed_at_1": "",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": "moderator",
        "role_assignments-0-scope_level": "departements",
        "role_assignments-0-departements": ["35", "22"],
        "role_assignments-0-is_active": "on",
        "role_assignments-0-region": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = RoleAssignment.objects.get(user=target)
    assert assignment.granted_by == admin
    assert {d.code for d in assignment.departements.all()} == {"35", "22"}


# --- Policy --------------------------------------------------------------------------


def test_an_unknown_policy_action_raises():
    with pytest.raises(LookupError, match="No policy rule for 'nope.nothing'"):
        policy.check(UserFactory(), "nope.nothing")


def test_declaring_a_rule_twice_raises():
    with pytest.raises(ValueError, match="declared twice"):
        policy.rule("audit.view_log")(lambda user, obj=None: policy.Decision.allow())


def test_decisions_carry_a_french_reason():
    decision = policy.check(UserFactory(), "audit.view_log")
    assert not decision
    assert decision.reason == "Le journal d'audit est réservé aux administrateurs."
    assert policy.check(user_with_role(Role.ADMINISTRATOR), "audit.view_log")


def test_anonymous_users_are_told_to_sign_in():
    from django.contrib.auth.models import AnonymousUser

    decision = policy.check(AnonymousUser(), "accounts.view_dashboard")
    assert not decision and decision.reason == "Connectez-vous pour accéder à votre espace."


def test_a_disabled_administrator_is_refused():
    admin = user_with_role(Role.ADMINISTRATOR, is_active=False)
    assert not policy.check(admin, "core.administer")


def test_require_raises_with_the_reason():
    with pytest.raises(policy.PermissionDenied, match="réservé aux administrateurs"):
        policy.require(UserFactory(), "audit.view_log")


def test_every_app_registers_its_rules():
    assert {"accounts.view_dashboard", "audit.view_log", "core.administer"} <= set(policy.actions())
