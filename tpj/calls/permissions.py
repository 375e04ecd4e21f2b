"""Who may do what in the calls module: the only place deciding access (views and API ask it).

Which calls and applications a user sees or manages in a list is the same rule written as
QuerySet methods (`Call.objects.visible_to/managed_by`, `Application.objects...`), next to
the models; `manages_call` here is `Call.is_managed_by`.
"""

from tpj.accounts.models import Role
from tpj.core.policy import Decision, rule

from .models import Application, Call, ScoreSheet, agency_of
from .models.access import is_authenticated, is_national, manages_region

DENY_SIGN_IN = "Connectez-vous pour accéder à cette page."
DENY_SCOPE = "Cet appel à projets relève d'une autre région ou d'une autre agence que la vôtre."


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


@rule("calls.create_call")
def create_call(user, obj=None) -> Decision:
    return declare_intent(user, obj)


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
        return Decision.allow() if user.has_role(Role.CALL_MANAGER) or user.is_administrator else Decision.deny(DENY_SCOPE)
    return Decision.allow() if manages_call(user, call) else Decision.deny(DENY_SCOPE)


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
    if application.state != Application.State.DRAFT and (is_national(user) or manages_call(user, application.call)):
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
    if application is None or not manages_call(user, application.call):
        return Decision.deny("Seuls les gestionnaires de l'appel instruisent les candidatures.")
    return Decision.allow()


@rule("calls.decide")
def decide(user, application=None) -> Decision:
    """Who decides; when (the call closed, the laureates not yet decided) is for the
    workflow side (services.decide): a policy rule of a transition never reads a state."""
    if application is None or not manages_call(user, application.call):
        return Decision.deny("Seuls les gestionnaires de l'appel décident des lauréats.")
    return Decision.allow()


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
    if sheet.application.state not in Application.DECIDABLE_STATES or sheet.application.call.state != Call.State.CLOSED:
        return Decision.deny("Ce dossier n'est pas ouvert à la notation.")
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
