"""The call's and the application's lifecycles, declared as data (see tpj.core.workflow).

Each transition names the policy rule (tpj/calls/permissions.py) that decides who may fire
it, whatever the state; the states it starts from; its guards (business checks, French
problems, from services/checks.py), its stamps (fields saved with the new state) and its
effects (after the save and the audit record, in the same transaction; mail on commit).
"""

from django.utils import timezone

from tpj.core.workflow import Transition, Workflow

from . import emails
from .models import Application, Call, InformationRequest
from .services import checks, mail
from .services.allocations import release

C = Call.State
A = Application.State


# --- stamps and effects of the call's transitions ------------------------------------------


def stamp_published(call: Call, firing):
    call.published_at = timezone.now()
    call.publication_date = call.publication_date or timezone.localdate()


def stamp_laureates_decided(call: Call, firing):
    call.laureates_decided_at = timezone.now()


def stamp_transmitted(call: Call, firing):
    call.transmitted_at = timezone.now()
    call.transmitted_late = timezone.localdate(call.transmitted_at) > call.campaign.transmission_deadline


CALL_WORKFLOW = Workflow(
    name="calls.call",
    state_field="state",
    transitions=[
        Transition(
            "publish",
            "Publier l'appel",
            (C.DRAFT,),
            C.PUBLISHED,
            "calls.manage_call",
            guards=(checks.publication_problems,),
            stamps=(stamp_published,),
        ),
        Transition("close_applications", "Clore les candidatures", (C.PUBLISHED,), C.CLOSED, "calls.manage_call"),
        Transition(
            "decide_laureates",
            "Arrêter la liste des lauréats",
            (C.CLOSED,),
            C.LAUREATES_DECIDED,
            "calls.manage_call",
            guards=(checks.laureates_problems,),
            stamps=(stamp_laureates_decided,),
        ),
        Transition(
            "reopen_decisions",
            "Rouvrir les décisions",
            (C.LAUREATES_DECIDED,),
            C.CLOSED,
            "calls.manage_call",
            requires_reason=True,
        ),
        Transition(
            "transmit",
            "Transmettre la liste des lauréats à l'équipe nationale",
            (C.LAUREATES_DECIDED,),
            C.TRANSMITTED,
            "calls.manage_call",
            stamps=(stamp_transmitted,),
        ),
    ],
)


# --- stamps and effects of the application's transitions ------------------------------------


def stamp_reference(app: Application, firing):
    """The next reference of the call (its row is locked by `checks.submission_window_problems`)."""
    call = Call.objects.select_related("campaign").get(pk=app.call_id)
    number = call.applications.exclude(reference="").count() + 1
    app.reference = f"AAP{call.campaign.year}-{call.region_id}-{number:04d}"
    app.submitted_at = timezone.now()


def send_receipt(app: Application, firing):
    mail.send(
        emails.RECEIPT,
        app.created_by.email,
        f"Accusé de réception — {app.reference}",
        f"Votre candidature « {app.title} » à l'appel « {app.call.title} » a été déposée le "
        f"{timezone.localtime(app.submitted_at):%d/%m/%Y à %H:%M:%S}.\nRéférence : {app.reference}.",
        obj=app,
        sender=firing.user,
    )


def ask_information(app: Application, firing):
    """The question is the transition's reason."""
    InformationRequest.objects.create(application=app, question=firing.reason, asked_by=firing.user)
    mail.send(
        emails.INFORMATION_REQUEST,
        app.created_by.email,
        f"Demande de complément — {app.reference}",
        f"Le service instructeur demande un complément pour « {app.title} » :\n\n{firing.reason}\n\nRépondez sur la plateforme.",
        obj=app,
        sender=firing.user,
    )


def answer_information(app: Application, firing):
    """The answer is the transition's reason; it answers the last open request."""
    request = app.information_requests.filter(answered_at__isnull=True).last()
    request.answer, request.answered_by, request.answered_at = firing.reason, firing.user, timezone.now()
    request.save()


def stamp_decision(app: Application, firing):
    app.decision_reason = firing.reason
    app.decided_at = timezone.now()


def clear_decision(app: Application, firing):
    app.decision_reason = ""
    app.decided_at = None
    app.notified_at = None


def release_allocations(app: Application, firing):
    release(app)


DECISION = {
    "action": "calls.decide",
    "requires_reason": True,
    "guards": (checks.decision_period_problems,),
    "stamps": (stamp_decision,),
}

APPLICATION_WORKFLOW = Workflow(
    name="calls.application",
    state_field="state",
    transitions=[
        # (the carrier's rule, not "calls.edit_application" which also says the draft is still editable:
        # a transition's rule never reads the state, so a replayed submission is a 400 from the workflow)
        Transition(
            "submit",
            "Déposer la candidature",
            (A.DRAFT,),
            A.SUBMITTED,
            "calls.act_as_carrier",
            guards=(checks.submission_window_problems, checks.submission_problems, checks.content_problems),
            stamps=(stamp_reference,),
            effects=(send_receipt,),
        ),
        Transition(
            "withdraw",
            "Retirer la candidature",
            (A.DRAFT, A.SUBMITTED, A.INFO_REQUESTED, A.ELIGIBLE),
            A.WITHDRAWN,
            "calls.act_as_carrier",
        ),
        Transition(
            "request_info",
            "Demander un complément",
            (A.SUBMITTED,),
            A.INFO_REQUESTED,
            "calls.instruct",
            effects=(ask_information,),
        ),
        Transition(
            "answer_info",
            "Répondre à la demande de complément",
            (A.INFO_REQUESTED,),
            A.SUBMITTED,
            "calls.act_as_carrier",
            guards=(checks.open_information_request_problems,),
            effects=(answer_information,),
        ),
        Transition(
            "declare_eligible",
            "Déclarer recevable",
            (A.SUBMITTED,),
            A.ELIGIBLE,
            "calls.instruct",
            guards=(checks.eligibility_problems,),
        ),
        Transition(
            "declare_ineligible",
            "Déclarer irrecevable",
            (A.SUBMITTED, A.INFO_REQUESTED),
            A.INELIGIBLE,
            "calls.instruct",
            requires_reason=True,
            stamps=(stamp_decision,),
        ),
        Transition("select", "Retenir comme lauréat", (A.ELIGIBLE, A.WAITING_LIST), A.LAUREATE, **DECISION),
        Transition("waitlist", "Inscrire en liste d'attente", (A.ELIGIBLE,), A.WAITING_LIST, **DECISION),
        Transition("reject", "Ne pas retenir", (A.ELIGIBLE, A.WAITING_LIST), A.REJECTED, **DECISION),
        Transition(
            "reopen",
            "Annuler la décision",
            (A.LAUREATE, A.WAITING_LIST, A.REJECTED),
            A.ELIGIBLE,
            "calls.decide",
            requires_reason=True,
            guards=(checks.decision_period_problems,),
            stamps=(clear_decision,),
            effects=(release_allocations,),
        ),
    ],
)

# The outcomes of a decision, the transition each fires, and their labels in the decision forms.
OUTCOMES = {A.LAUREATE: "select", A.WAITING_LIST: "waitlist", A.REJECTED: "reject"}
OUTCOME_CHOICES = [(A.LAUREATE, "Lauréat"), (A.WAITING_LIST, "Liste d'attente"), (A.REJECTED, "Non retenu")]

# Transitions the API exposes as POST applications/{id}/{action}/ (decisions go through calls/{id}/decisions/).
APPLICATION_API_ACTIONS = ["submit", "withdraw", "request_info", "answer_info", "declare_eligible", "declare_ineligible"]
