"""Who may do what in Module 3 (registered in the policy registry, tpj.core.policy)."""

from tpj.accounts.models import Role
from tpj.core.policy import Decision, rule

NOT_NATIONAL = "Réservé à l'équipe nationale des 1000 premiers jours."


def _region_of(obj):
    """The région code an object belongs to (a Region, or anything with region_id)."""
    if obj is None:
        return None
    return getattr(obj, "region_id", None) or getattr(obj, "code", None) or (obj if isinstance(obj, str) else None)


def is_national(user) -> bool:
    return getattr(user, "is_authenticated", False) and (user.is_national_team or user.is_administrator)


def manager_regions(user) -> frozenset:
    """Régions wholly covered by the user's call-manager assignments (a national assignment
    covers no région by name: the national team's "all régions" is `regions_in_scope`)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return user.scope(Role.CALL_MANAGER).regions


def regions_in_scope(user) -> list[str] | None:
    """Régions whose Module 3 figures `user` sees and where it records deployments:
    None (all of them) for the national team, else those of its call-manager assignments."""
    return None if is_national(user) else sorted(manager_regions(user))


def _regional_decision(user, obj, *, none: str, other: str) -> Decision:
    """Allow a call manager whose régions include `obj`'s région (any région when obj is None)."""
    regions = manager_regions(user)
    if not regions:
        return Decision.deny(none)
    region = _region_of(obj)
    if region is not None and region not in regions:
        return Decision.deny(other)
    return Decision.allow()


@rule("valorisation.view_public")
def view_public(user, obj=None) -> Decision:
    """Projetothèque, priorities pages, measures, open data: public."""
    return Decision.allow()


@rule("valorisation.record_deployment")
def record_deployment(user, obj=None) -> Decision:
    """The national team records deployments anywhere; a call manager (ARS or DREETS referent)
    in its own région. `obj` is the région (or a deployment) when known."""
    if is_national(user):
        return Decision.allow()
    scope = user.scope(Role.CALL_MANAGER) if user.is_authenticated else None
    if scope is None or scope.is_empty:
        return Decision.deny("Seuls l'équipe nationale et les référents régionaux peuvent enregistrer un déploiement.")
    region = _region_of(obj)
    if region is not None and not scope.covers_region_wholly(region):
        return Decision.deny("Vous ne pouvez enregistrer un déploiement que dans votre région.")
    return Decision.allow()


@rule("valorisation.apportion")
def apportion(user, obj=None) -> Decision:
    """Importing births and apportioning posts is the national team's job."""
    return Decision.allow() if is_national(user) else Decision.deny(NOT_NATIONAL)


@rule("valorisation.view_dashboard")
def view_dashboard(user, obj=None) -> Decision:
    """The national team sees every région; a call manager sees only its région's row.
    With a région as `obj`, the user must cover it."""
    if is_national(user):
        return Decision.allow()
    return _regional_decision(
        user,
        obj,
        none="Le tableau de bord national est réservé à l'équipe nationale et aux référents régionaux des appels à projets.",
        other="Cette région n'est pas dans votre périmètre : vous ne voyez que les chiffres de votre région.",
    )


@rule("valorisation.view_library")
def view_library(user, obj=None) -> Decision:
    """The shared library of calls: every call manager reads every région's calls."""
    if is_national(user) or manager_regions(user):
        return Decision.allow()
    return Decision.deny("La bibliothèque des appels est réservée aux référents régionaux et à l'équipe nationale.")


@rule("valorisation.choose_highlight")
def choose_highlight(user, obj=None) -> Decision:
    """The "coup de cœur" of a région is chosen by that région's call manager.
    `obj` is the laureate application (or the région)."""
    return _regional_decision(
        user,
        obj,
        none="Seul un référent régional d'appel à projets peut choisir le coup de cœur de sa région.",
        other="Ce projet n'appartient pas à votre région : vous ne pouvez choisir que le coup de cœur de votre région.",
    )
