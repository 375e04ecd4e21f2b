"""Who the calls' events concern, and the page where each of them acts.

The resolvers answer QuerySets of users; `tpj.notifications.services.notify` then leaves
out whoever may not see the object (`Recipients.may_see`), is inactive, or caused the event.
The workflows (workflows.py) declare them on their transitions; the jury, the campaigns and
the scheduled reminders (services/) use them directly.
"""

from django.db.models import Q
from django.urls import reverse

from tpj.accounts.models import Role, ScopeLevel, User
from tpj.notifications.recipients import Recipients

from .models import AGENCY_OF_KIND, ScoreSheet
from .models.access import STRANDS_OF_AGENCY

# -- who ------------------------------------------------------------------------------------


def _with_role(role, **scope):
    """Active users holding an active `role` (with the assignment's `scope` lookups, if any)."""
    lookups = {f"role_assignments__{name}": value for name, value in scope.items()}
    return User.objects.filter(is_active=True, role_assignments__role=role, role_assignments__is_active=True, **lookups)


def call_managers(call):
    """The call's managers, as `Call.is_managed_by` decides for one: holders of the manager role
    of the call's kind (models/kinds.py) over the call's whole région (or national) — for a
    1000-jours call, call managers whose agency (ARS, DREETS) takes part in the call; for a
    territorial training call, the région's commissaire. Administrators, who manage every call,
    and the national team, which may manage a territorial call, are nobody's manager here."""
    definition = call.definition
    covering = Q(role_assignments__scope_level=ScopeLevel.NATIONAL) | Q(
        role_assignments__scope_level=ScopeLevel.REGION, role_assignments__region=call.region_id
    )
    if definition.agency_bound:
        kinds = [kind for kind, agency in AGENCY_OF_KIND.items() if call.strand in STRANDS_OF_AGENCY[agency]]
        covering &= Q(organisation__kind__in=kinds)
    # One filter() call: the role, its activity and its scope are those of the same assignment.
    return (
        User.objects.filter(
            covering,
            is_active=True,
            role_assignments__role=definition.manager_role,
            role_assignments__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def application_managers(application):
    """The application's instruction team: the managers of its call, and the instructors of
    the call it is assigned to (each is told of the files given to them only)."""
    assigned = application.instruction_assignments.values("instructor__user_id")
    managers = call_managers(application.call).values("pk")
    return User.objects.filter(Q(pk__in=managers) | Q(pk__in=assigned), is_active=True).order_by("pk")


def managers_of_submitted(application):
    """The managers of the application's call once it was submitted (a withdrawn draft is
    nobody's business but its carrier's)."""
    return application_managers(application) if application.submitted_at else User.objects.none()


def carriers(application):
    """The application's people: the active accounts of its carrier organisation, who all act
    for it (`permissions.carries`)."""
    return User.objects.filter(organisation_id=application.organisation_id, is_active=True).order_by("pk")


def applicant(application):
    """The account that created the application (the receipt and the requests are e-mailed to it)."""
    return User.objects.filter(pk=application.created_by_id, is_active=True)


def other_carriers(application):
    """The carrier's accounts but the applicant."""
    return carriers(application).exclude(pk=application.created_by_id)


def jurors_to_score(call):
    """The active members of the call's jury who have files to score (`ScoreSheet.to_score`:
    neither recused nor validated); a member seated without files is told when given some."""
    sheets = ScoreSheet.objects.filter(member__call=call).to_score()
    return User.objects.filter(pk__in=sheets.values("member__user_id"), is_active=True).order_by("pk")


def national_team(obj=None):
    """The active members of the national team."""
    return _with_role(Role.NATIONAL_TEAM).distinct().order_by("pk")


def agency_managers(organisation):
    """The active call managers of an agency (an ARS or a DREETS organisation)."""
    return _with_role(Role.CALL_MANAGER).filter(organisation=organisation).distinct().order_by("pk")


# -- where ----------------------------------------------------------------------------------


def application_url(application) -> str:
    """The application's page: its carrier follows it there, its managers instruct it there."""
    return reverse("calls:application-detail", args=[application.pk])


def call_url(call) -> str:
    return reverse("calls:call-detail", args=[call.pk])


def my_jury_url(obj=None) -> str:
    """The juror's files to score."""
    return reverse("calls:my-jury")


def campaign_board_url(obj) -> str:
    """The national team's board of the campaign of `obj` (a call, a declaration of intent)."""
    return reverse("calls:campaign-board", args=[obj.campaign_id])


# -- declared on the transitions --------------------------------------------------------------

CALL_MANAGERS = Recipients("les gestionnaires de l'appel", call_managers, url=call_url, may_see="calls.manage_call")
JURORS_TO_SCORE = Recipients(
    "les membres du jury qui ont des dossiers à noter", jurors_to_score, url=my_jury_url, may_see="calls.view_my_sheets"
)
NATIONAL_TEAM = Recipients("l'équipe nationale", national_team, url=campaign_board_url, may_see="calls.view_national")
INSTRUCTORS = Recipients(
    "les gestionnaires de l'appel et les instructeurs du dossier",
    application_managers,
    url=application_url,
    may_see="calls.instruct",
)
INSTRUCTORS_OF_SUBMITTED = Recipients(
    "les gestionnaires de l'appel et les instructeurs du dossier (candidature déjà déposée)",
    managers_of_submitted,
    url=application_url,
    may_see="calls.instruct",
)
CARRIERS = Recipients("la structure porteuse", carriers, url=application_url, may_see="calls.act_as_carrier")
# The information request is e-mailed to the applicant by the transition's effect
# (workflows.ask_information): the applicant is told in the platform, its colleagues by e-mail.
APPLICANT_EMAILED = Recipients(
    "le déposant de la candidature",
    applicant,
    url=application_url,
    may_see="calls.act_as_carrier",
    emailed_elsewhere=True,
)
OTHER_CARRIERS = Recipients(
    "les autres comptes de la structure porteuse", other_carriers, url=application_url, may_see="calls.act_as_carrier"
)
