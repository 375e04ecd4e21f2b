"""Who may do what in the calls module: the only place deciding access (views and API ask it).

Which calls and applications a user sees or manages in a list is the same rule written as
QuerySet methods (`Call.objects.visible_to/managed_by`, `Application.objects...`), next to
the models; `manages_call` here is `Call.is_managed_by`.
"""

from tpj.accounts.models import Role
from tpj.core.policy import Decision, rule

from .models import Application, Call, JuryMember, ScoreSheet, agency_of
from .models.access import instructs, is_authenticated, is_national, manages_region
from .models.kinds import KINDS

DENY_SIGN_IN = "Connectez-vous pour accéder à cette page."
DENY_SCOPE = "Cet appel à projets relève d'une autre région ou d'une autre agence que la vôtre."
DENY_OPERATOR_DECIDES = (
    "Vous siégez au jury comme opérateur : vous notez les dossiers, mais la décision revient aux financeurs, "
    "enregistrée par les gestionnaires de l'appel (ARS, DREETS)."
)
DENY_JUROR_DECIDES = (
    "Les membres du jury notent les dossiers : la décision est enregistrée par les gestionnaires de l'appel, "
    "pour les financeurs (ARS, DREETS)."
)


def manages_call(user, call) -> bool:
    """A call manager of the call's région whose agency takes part in the call (or an administrator)."""
    return call.is_managed_by(user)


def carries(user, application) -> bool:
    return is_authenticated(user) and user.organisation_id is not None and user.organisation_id == application.organisation_id


def _sheet(user, application) -> ScoreSheet | None:
    if not is_authenticated(user):
        return None
    return ScoreSheet.objects.filter(member__user=user, member__call_id=application.call_id, application=application).first()


@rule("calls.manage_campaign")
def manage_campaign(user, obj=None) -> Decision:
    if is_national(user):
        return Decision.allow()
    return Decision.deny("Les campagnes nationales sont gérées par l'équipe nationale.")


@rule("calls.declare_intent")
def declare_intent(user, obj=None) -> Decision:
    if not is_authenticated(user):
        return Decision.deny(DENY_SIGN_IN)
    org = user.organisation
    if user.has_role(Role.CALL_MANAGER) and agency_of(org) and org.region_id and manages_region(user, org.region_id):
        return Decision.allow()
    return Decision.deny("Seul un référent d'ARS ou de DREETS gestionnaire d'appels à projets peut déclarer une intention.")


def creatable_kinds(user) -> list[str]:
    """The kinds of call the user may create: a 1000-jours call for an ARS or DREETS call manager
    (`calls.declare_intent`); a kind managed without an agency (the territorial training call)
    for whoever holds its manager role over a région, or for the national team when it manages it."""
    kinds = []
    for kind, definition in KINDS.items():
        if definition.agency_bound:
            allowed = bool(declare_intent(user))
        else:
            allowed = is_authenticated(user) and (
                (definition.national_team_manages and user.is_national_team) or not user.scope(definition.manager_role).is_empty
            )
        if allowed:
            kinds.append(kind)
    return kinds


@rule("calls.create_call")
def create_call(user, call=None) -> Decision:
    """Without a call: may the user create a call of some kind (the creation page). With the call
    to be (unsaved: its kind, strand and région): whoever would manage it creates it — for a
    1000-jours call, its agency's call manager (who must then have declared its intent)."""
    if not is_authenticated(user):
        return Decision.deny(DENY_SIGN_IN)
    if call is None:
        if creatable_kinds(user):
            return Decision.allow()
        return declare_intent(user)
    definition = call.definition
    if definition.agency_bound:
        return declare_intent(user, call)
    if call.is_managed_by(user):
        return Decision.allow()
    return Decision.deny(definition.deny_manage)


@rule("calls.view_call")
def view_call(user, call=None) -> Decision:
    if call is None or call.state != Call.State.DRAFT:
        return Decision.allow()
    if is_national(user) or manages_call(user, call) or manages_region(user, call.region_id):
        return Decision.allow()
    return Decision.deny("Cet appel à projets n'est pas encore publié.")


@rule("calls.manage_call")
def manage_call(user, call=None) -> Decision:
    if not is_authenticated(user):
        return Decision.deny(DENY_SIGN_IN)
    if call is None:
        managers = {d.manager_role for d in KINDS.values()}
        if user.is_administrator or any(user.has_role(role) for role in managers):
            return Decision.allow()
        return Decision.deny(DENY_SCOPE)
    # The kind says who manages (models/kinds.py) and why someone else may not.
    return Decision.allow() if manages_call(user, call) else Decision.deny(call.definition.deny_manage)


@rule("calls.view_ranking")
def view_ranking(user, call=None) -> Decision:
    return manage_call(user, call)


@rule("calls.view_history")
def view_history(user, call=None) -> Decision:
    if is_national(user):
        return Decision.allow()
    return manage_call(user, call)


@rule("calls.apply")
def apply(user, call=None) -> Decision:
    if not is_authenticated(user):
        return Decision.deny(DENY_SIGN_IN)
    if user.organisation_id is None:
        return Decision.deny(
            "Rattachez votre compte à une structure pour candidater : la candidature est déposée au nom d'une structure."
        )
    if call is not None and not call.applications_open:
        return Decision.deny("Cet appel à projets ne reçoit pas de candidatures.")
    return Decision.allow()


@rule("calls.view_application")
def view_application(user, application=None) -> Decision:
    if not is_authenticated(user):
        return Decision.deny(DENY_SIGN_IN)
    if application is None:
        return Decision.allow()
    if carries(user, application):
        return Decision.allow()
    if application.state != Application.State.DRAFT and (
        is_national(user) or manages_call(user, application.call) or instructs(user, application.call)
    ):
        return Decision.allow()
    sheet = _sheet(user, application)
    if sheet is not None:
        if sheet.is_recused:
            return Decision.deny("Vous êtes récusé(e) pour ce dossier : vous ne pouvez ni le consulter ni le noter.")
        if sheet.conflict_declared_at is None:
            return Decision.deny("Déclarez d'abord l'absence ou l'existence de conflit d'intérêts pour ce dossier.")
        return Decision.allow()
    return Decision.deny("Vous n'avez pas accès à cette candidature.")


@rule("calls.act_as_carrier")
def act_as_carrier(user, application=None) -> Decision:
    if application is not None and carries(user, application):
        return Decision.allow()
    return Decision.deny("Seule la structure porteuse peut agir sur sa candidature.")


@rule("calls.edit_application")
def edit_application(user, application=None) -> Decision:
    decision = act_as_carrier(user, application)
    if not decision:
        return decision
    if not application.is_editable:
        return Decision.deny("Une candidature déposée ne peut plus être modifiée.")
    return Decision.allow()


@rule("calls.instruct")
def instruct(user, application=None) -> Decision:
    """The call's managers and its instruction team (the agents they added) instruct its
    applications: information requests, admissibility, checklist, instruction notes."""
    if application is not None and (manages_call(user, application.call) or instructs(user, application.call)):
        return Decision.allow()
    return Decision.deny("Seuls les gestionnaires et les instructeurs de l'appel instruisent les candidatures.")


@rule("calls.manage_instruction")
def manage_instruction(user, call=None) -> Decision:
    """The call's managers compose its instruction team, assign its applications and add points
    to its checklist: the instructors instruct the files given to them, they do not share them out."""
    if call is not None and manages_call(user, call):
        return Decision.allow()
    return Decision.deny("Seuls les gestionnaires de l'appel composent l'équipe d'instruction et attribuent les dossiers.")


@rule("calls.view_my_instruction")
def view_my_instruction(user, obj=None) -> Decision:
    """The page listing the files assigned to the user for instruction: any signed-in user (it may be empty)."""
    return Decision.allow() if is_authenticated(user) else Decision.deny(DENY_SIGN_IN)


@rule("calls.manage_follow_up")
def manage_follow_up(user, application=None) -> Decision:
    """The convention, the payments and the reports' due dates commit the agencies' money: the
    call's managers record them (its instructors instruct, they do not pay)."""
    if application is not None and manages_call(user, application.call):
        return Decision.allow()
    return Decision.deny("Seuls les gestionnaires de l'appel enregistrent la convention, les versements et les échéances.")


@rule("calls.view_reports")
def view_reports(user, call=None) -> Decision:
    """The follow-up of a call's reports: its managers, and the national team that reads every call."""
    if call is not None and (is_national(user) or manages_call(user, call)):
        return Decision.allow()
    return Decision.deny("Le suivi des rapports d'un appel est réservé à ses gestionnaires et à l'équipe nationale.")


@rule("calls.decide")
def decide(user, application=None) -> Decision:
    """Who decides; when (the call closed, the laureates not yet decided) is for the
    workflow side (services.decide): a policy rule of a transition never reads a state.

    The call's managers decide and record the deliberation, for the funders (their agencies'
    envelopes pay); the jury's members score, and an operator's never decides (docs/domain.md)."""
    if application is not None and manages_call(user, application.call):
        return Decision.allow()
    if application is not None and is_authenticated(user):
        seat = JuryMember.objects.filter(call_id=application.call_id, user=user).values_list("kind", flat=True).first()
        if seat == JuryMember.Kind.OPERATOR:
            return Decision.deny(DENY_OPERATOR_DECIDES)
        if seat is not None:
            return Decision.deny(DENY_JUROR_DECIDES)
    return Decision.deny("Seuls les gestionnaires de l'appel décident des lauréats.")


@rule("calls.follow_up")
def follow_up(user, application=None) -> Decision:
    if application is None or application.state != Application.State.LAUREATE:
        return Decision.deny("Le suivi concerne les projets lauréats.")
    if carries(user, application) or manages_call(user, application.call):
        return Decision.allow()
    return Decision.deny("Seuls le porteur et les gestionnaires de l'appel suivent ce projet.")


@rule("calls.manage_jury")
def manage_jury(user, call=None) -> Decision:
    return manage_call(user, call)


@rule("calls.view_my_sheets")
def view_my_sheets(user, obj=None) -> Decision:
    """The page listing the files assigned to the user as a juror: any signed-in user (it may be empty)."""
    return Decision.allow() if is_authenticated(user) else Decision.deny(DENY_SIGN_IN)


@rule("calls.hold_sheet")
def hold_sheet(user, sheet=None) -> Decision:
    """The sheet is the user's own: it was assigned to the user as a jury member (None: no sheet assigned)."""
    if sheet is None or sheet.member.user_id != getattr(user, "pk", None):
        return Decision.deny("Ce dossier ne vous est pas attribué.")
    return Decision.allow()


@rule("calls.declare_conflict")
def declare_conflict(user, sheet=None) -> Decision:
    decision = hold_sheet(user, sheet)
    if not decision:
        return decision
    if sheet.auto_recused:
        return Decision.deny("Vous êtes récusé(e) d'office : votre organisation porte ce projet ou y est partenaire.")
    return Decision.allow()


@rule("calls.score")
def score(user, sheet=None) -> Decision:
    decision = declare_conflict(user, sheet)
    if not decision:
        return decision
    if sheet.has_conflict:
        return Decision.deny("Vous avez déclaré un conflit d'intérêts : vous ne pouvez pas noter ce dossier.")
    if sheet.conflict_declared_at is None:
        return Decision.deny("Déclarez d'abord l'absence ou l'existence de conflit d'intérêts pour ce dossier.")
    if sheet.is_locked:
        return Decision.deny("Votre notation est validée : elle ne peut plus être modifiée.")
    if reason := sheet.scoring_closed_reason():  # (which says when it opens)
        return Decision.deny(reason)
    return Decision.allow()


@rule("calls.view_scores")
def view_scores(user, application=None) -> Decision:
    """Managers see every sheet; a juror sees only its own sheet, and never when recused."""
    if application is not None and manages_call(user, application.call):
        return Decision.allow()
    sheet = _sheet(user, application) if application is not None else None
    if sheet is None:
        return Decision.deny("Vous n'avez pas accès aux notes de ce dossier.")
    if sheet.is_recused:
        return Decision.deny("Vous êtes récusé(e) pour ce dossier : vous ne pouvez ni voir les notes ni noter.")
    return Decision.allow()


@rule("calls.view_national")
def view_national(user, obj=None) -> Decision:
    if is_national(user):
        return Decision.allow()
    return Decision.deny("Cette page est réservée à l'équipe nationale.")


@rule("calls.grant_minimum_derogation")
def grant_minimum_derogation(user, call=None) -> Decision:
    """A derogation to the minimum endowment of a call's laureates is the national team's to
    grant or refuse (the call's managers ask for it: "calls.manage_call")."""
    if is_national(user):
        return Decision.allow()
    return Decision.deny("Seule l'équipe nationale accorde ou refuse une dérogation au minimum national de dotation.")


@rule("calls.list_applications")
def list_applications(user, call=None) -> Decision:
    """The applications of a call, as a list: whoever sees the call, but a call manager only
    for the calls it manages (the list then holds only what the user may see)."""
    decision = view_call(user, call)
    if not decision:
        return decision
    if call is not None and user.has_role(Role.CALL_MANAGER) and not manages_call(user, call) and not is_national(user):
        return Decision.deny(DENY_SCOPE)
    return Decision.allow()


@rule("calls.view_decision_letter")
def view_decision_letter(user, application=None) -> Decision:
    """The carrier once the decision was notified; the call's managers at once."""
    decision = view_application(user, application)
    if not decision:
        return decision
    if application.notified_at or manages_call(user, application.call):
        return Decision.allow()
    return Decision.deny("Le courrier de décision n'a pas encore été notifié.")


@rule("calls.view_convention")
def view_convention(user, application=None) -> Decision:
    """A laureate's convention de subvention binds its carrier and the call's agencies: the
    carrier and the call's managers read it (jurors and instructors do not)."""
    if application is not None and (carries(user, application) or manages_call(user, application.call)):
        return Decision.allow()
    return Decision.deny("La convention de subvention se consulte par le porteur et les gestionnaires de l'appel.")


@rule("calls.sign_convention")
def sign_convention(user, application=None) -> Decision:
    """The signed copy is sent back by the carrier, or filed by a manager who received it on paper."""
    return view_convention(user, application)


@rule("calls.committee_export")
def committee_export(user, call=None) -> Decision:
    """Every application of a call with each juror's scores: for the call's managers, who
    prepare the committee (a version naming the jurors, and one « Juré 1 », « Juré 2 »… to hand out)."""
    if call is not None and manages_call(user, call):
        return Decision.allow()
    return Decision.deny("Les exports du comité de sélection sont réservés aux gestionnaires de l'appel.")
