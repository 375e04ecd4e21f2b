"""Demo data for the embedded default: organisations and one account per role.

Demo accounts are flagged `is_demo`: they exist only in demo mode and production
settings refuse them at login. SIRETs here are fictitious but check-digit-valid.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tpj.accounts.demo import DEMO_PASSWORD, demo_siret
from tpj.accounts.models import Organisation, Role, RoleAssignment, ScopeLevel, User
from tpj.territories.models import Departement

# Each module may add demo data of its own: a `load()` in these modules, run in order.
MODULE_LOADERS = [
    "tpj.registry.demo.load",
    "tpj.calls.demo.load",
    "tpj.calls.demo_previous.load",  # last year's Bretagne call: national derogation, convention signed and paid
    "tpj.calls.demo_questions.load",  # the questions and documents of the demo's published calls, answered
    "tpj.calls.demo_instruction.load",  # an ARS agent instructs the Bretagne files given to it
    "tpj.conversations.demo.load",  # an exchange on one demo application and one entry
    "tpj.valorisation.demo.load",
    "tpj.training.demo.load",  # a Breton training organisation's offers, one awaiting moderation
    "tpj.demo.training_entry.load",  # its registry entry (priority 9, same SIRET): lists its offers
    "tpj.calls.demo_territorial.load",  # the commissaire's territorial training call of Bretagne, open, one application
    "tpj.demo.worker_tier.load",
    "tpj.demo.story.settle_past_notifications",  # the 2021 campaign's notifications dated then, read
    # last: the dashboard's registry figures count every entry loaded above
    "tpj.valorisation.demo.refresh_coverage",
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    organisation: str
    role: str | None
    scope_level: str = ScopeLevel.NATIONAL
    region: str | None = None
    departements: tuple[str, ...] = ()
    staff: bool = False


# (name, kind, commune INSEE code, région of competence)
ORGANISATIONS = [
    ("Direction de projet 1000 premiers jours", Organisation.Kind.MINISTRY, "75056", None),
    ("ARS Bretagne", Organisation.Kind.ARS, "35238", "53"),
    ("DREETS Bretagne", Organisation.Kind.DREETS, "35238", "53"),
    ("ARS Occitanie", Organisation.Kind.ARS, "31555", "76"),
    ("DREETS Occitanie", Organisation.Kind.DREETS, "31555", "76"),
    ("DDETS du Rhône", Organisation.Kind.DDETS, "69123", "84"),
    ("CAF d'Ille-et-Vilaine", Organisation.Kind.CAF, "35238", "53"),
    ("Conseil départemental du Finistère — PMI", Organisation.Kind.DEPARTEMENT, "29232", "53"),
    ("Association Parentalité en Pays de Rennes", Organisation.Kind.ASSOCIATION, "35238", "53"),
    ("Réseau périnatal de Bretagne", Organisation.Kind.ASSOCIATION, "29019", "53"),
    ("Ville de Brest", Organisation.Kind.COMMUNE, "29019", "53"),
    ("Centre hospitalier de Saint-Brieuc", Organisation.Kind.HEALTH_FACILITY, "22278", "53"),
    ("Plateforme Territoires des 1000 premiers jours", Organisation.Kind.OTHER, "75056", None),
    ("Institut de formation petite enfance de Bretagne", Organisation.Kind.ASSOCIATION, "35238", "53"),
    ("Commissaire à la prévention et à la lutte contre la pauvreté — Bretagne", Organisation.Kind.OTHER, "35238", "53"),
]

ACCOUNTS = [
    DemoAccount(
        "admin@demo.1000jours.fr",
        "Alice",
        "Administratrice",
        "Plateforme Territoires des 1000 premiers jours",
        Role.ADMINISTRATOR,
        staff=True,
    ),
    DemoAccount(
        "national@demo.1000jours.fr", "Nadia", "Nationale", "Direction de projet 1000 premiers jours", Role.NATIONAL_TEAM
    ),
    DemoAccount(
        "moderateur.rhone@demo.1000jours.fr",
        "Romain",
        "Modérateur",
        "DDETS du Rhône",
        Role.MODERATOR,
        ScopeLevel.DEPARTEMENTS,
        departements=("69",),
    ),
    DemoAccount(
        "moderateur.bretagne@demo.1000jours.fr",
        "Bérénice",
        "Modératrice",
        "CAF d'Ille-et-Vilaine",
        Role.MODERATOR,
        ScopeLevel.REGION,
        region="53",
    ),
    DemoAccount(
        "ars.bretagne@demo.1000jours.fr",
        "Anne",
        "Référente ARS",
        "ARS Bretagne",
        Role.CALL_MANAGER,
        ScopeLevel.REGION,
        region="53",
    ),
    DemoAccount(
        "dreets.bretagne@demo.1000jours.fr",
        "Denis",
        "Référent DREETS",
        "DREETS Bretagne",
        Role.CALL_MANAGER,
        ScopeLevel.REGION,
        region="53",
    ),
    DemoAccount(
        "ars.occitanie@demo.1000jours.fr",
        "Olivier",
        "Référent ARS",
        "ARS Occitanie",
        Role.CALL_MANAGER,
        ScopeLevel.REGION,
        region="76",
    ),
    DemoAccount(
        "jury.caf@demo.1000jours.fr",
        "Julie",
        "Jurée CAF",
        "CAF d'Ille-et-Vilaine",
        Role.JURY_MEMBER,
        ScopeLevel.REGION,
        region="53",
    ),
    DemoAccount(
        "jury.reseau@demo.1000jours.fr",
        "Jean",
        "Juré réseau",
        "Réseau périnatal de Bretagne",
        Role.JURY_MEMBER,
        ScopeLevel.REGION,
        region="53",
    ),
    # An agent of the ARS without a role of its own: instructs the files the referent gives it
    # (tpj/calls/demo_instruction.py).
    DemoAccount("instruction.ars.bretagne@demo.1000jours.fr", "Isabelle", "Instructrice ARS", "ARS Bretagne", None),
    DemoAccount("porteur@demo.1000jours.fr", "Paula", "Porteuse", "Association Parentalité en Pays de Rennes", Role.APPLICANT),
    DemoAccount("pro@demo.1000jours.fr", "Sophie", "Sage-femme", "", None),
    # Module 4: a training organisation's member publishes offers (tpj/training/demo.py); the
    # commissaire of Bretagne moderates the offers of the région's organisations.
    DemoAccount("formation@demo.1000jours.fr", "Fanny", "Formatrice", "Institut de formation petite enfance de Bretagne", None),
    DemoAccount(
        "commissaire.bretagne@demo.1000jours.fr",
        "Claire",
        "Commissaire",
        "Commissaire à la prévention et à la lutte contre la pauvreté — Bretagne",
        Role.COMMISSAIRE,
        ScopeLevel.REGION,
        region="53",
    ),
]


def _organisation(name, kind, commune, region) -> Organisation:
    org, _ = Organisation.objects.update_or_create(
        name=name,
        defaults={
            "kind": kind,
            "commune_id": commune,
            "region_id": region
            or Departement.objects.get(code=commune[:2] if not commune.startswith("97") else commune[:3]).region_id,
            "siret": demo_siret(name),
        },
    )
    return org


def _account(spec: DemoAccount) -> User:
    user = User.objects.filter(email=spec.email).first() or User(email=spec.email)
    user.first_name, user.last_name = spec.first_name, spec.last_name
    user.organisation = Organisation.objects.filter(name=spec.organisation).first()
    user.is_demo, user.is_active = True, True
    user.is_staff = user.is_superuser = spec.staff
    user.email_confirmed_at = user.email_confirmed_at or timezone.now()
    user.set_password(DEMO_PASSWORD)
    user.save()
    if spec.role:
        assignment, _ = RoleAssignment.objects.update_or_create(
            user=user, role=spec.role, defaults={"scope_level": spec.scope_level, "region_id": spec.region, "is_active": True}
        )
        assignment.departements.set(spec.departements)
    return user


@transaction.atomic
def load_demo() -> dict[str, User]:
    """Create (or refresh) the demo organisations and accounts, then each module's demo data."""
    if not settings.DEMO_MODE:
        raise RuntimeError("Les données de démonstration ne sont disponibles qu'en mode démo (DEMO_MODE=True).")
    for row in ORGANISATIONS:
        _organisation(*row)
    accounts = {spec.email: _account(spec) for spec in ACCOUNTS}
    for path in MODULE_LOADERS:
        import_string(path)(accounts)
    return accounts
