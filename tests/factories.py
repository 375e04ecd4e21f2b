"""factory_boy factories shared by every test module, with traits for roles and scopes."""

import factory
from django.utils import timezone

from tpj.accounts.demo import demo_siret
from tpj.accounts.models import Organisation, Role, RoleAssignment, ScopeLevel, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.ASSOCIATION
    siret = factory.LazyAttribute(lambda o: demo_siret(o.name))
    commune_id = "35238"
    region_id = "53"

    class Params:
        ars = factory.Trait(kind=Organisation.Kind.ARS)
        dreets = factory.Trait(kind=Organisation.Kind.DREETS)
        caf = factory.Trait(kind=Organisation.Kind.CAF)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@example.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-solide-42")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    is_active = True

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    class Params:
        unconfirmed = factory.Trait(email_confirmed_at=None, is_active=False)
        disabled = factory.Trait(is_active=False)
        with_organisation = factory.Trait(organisation=factory.SubFactory(OrganisationFactory))


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Role.MODERATOR
    scope_level = ScopeLevel.NATIONAL

    @factory.post_generation
    def departements(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.departements.set(extracted)


def user_with_role(role, *, region=None, departements=None, organisation=None, **user_fields) -> User:
    """A user holding `role` over a région, some départements, or the whole country."""
    user = UserFactory(organisation=organisation, **user_fields)
    if departements:
        RoleAssignmentFactory(user=user, role=role, scope_level=ScopeLevel.DEPARTEMENTS, departements=departements)
    elif region:
        RoleAssignmentFactory(user=user, role=role, scope_level=ScopeLevel.REGION, region_id=region)
    else:
        RoleAssignmentFactory(user=user, role=role, scope_level=ScopeLevel.NATIONAL)
    return user
