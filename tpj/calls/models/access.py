"""Who manages what in the calls module: the predicates shared by the QuerySets
(`visible_to`, `managed_by`) and the policy rules (tpj/calls/permissions.py)."""

from tpj.accounts.models import Role

from .common import Strand, agency_of

# The strands an agency takes part in: its own, and the joint ARS-DREETS call.
STRANDS_OF_AGENCY = {"ARS": [Strand.ARS, Strand.JOINT], "DREETS": [Strand.DREETS, Strand.JOINT]}


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_national(user) -> bool:
    """The national team and the administrators see every call and application."""
    return is_authenticated(user) and (user.is_national_team or user.is_administrator)


def manages_region(user, region_id) -> bool:
    return is_authenticated(user) and user.scope(Role.CALL_MANAGER).covers_region_wholly(region_id)


def managed_strands(user) -> list[str]:
    """The strands of the user's agency (none when its organisation is not an ARS or a DREETS)."""
    return STRANDS_OF_AGENCY.get(agency_of(user.organisation), [])


def instructs(user, call) -> bool:
    """A member of the call's instruction team: an agent of one of its agencies whom its managers
    added (`models.instruction.Instructor`); the team instructs the call's applications."""
    return is_authenticated(user) and call.instructors.filter(user_id=user.pk).exists()
