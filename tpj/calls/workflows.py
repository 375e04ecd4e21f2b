"""The call's and the application's lifecycles, declared as data (see tpj.core.workflow).

Each transition names the policy rule (tpj/calls/permissions.py) that decides who may fire
it, whatever the state; the states it starts from; its guards (business checks, French
problems, from services/checks.py), its stamps (fields saved with the new state) and its
effects (after the save and the audit record, in the same transaction; mail on commit),
and who is told (`notifies`, recipients.py; docs/domain.md lists them).
"""

from django.utils import timezone
from django.utils.formats import date_format

from tpj.audit.services import record
from tpj.core.workflow import Transition, Workflow
from tpj.notifications.recipients import NOBODY

from . import emails
from .models import Application, Call, InformationRequest, euros
from .recipients import (
    APPLICANT_EMAILED,
    CALL_MANAGERS,
    CARRIERS,
    INSTRUCTORS,
    INSTRUCTORS_OF_SUBMITTED,
    JURORS_TO_SCORE,
    NATIONAL_TEAM,
    OTHER_CARRIERS,
)
from .services import checks, mail
from .services.allocations import after_laureates_problems, release

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


# --- what cannot be undone, said before an irreversible transition (tpj.core.confirm) ---------


def closing_consequences(call: Call) -> str:
    """Closing the applications, said with the deadline when it is still ahead."""
    consequence = "les candidats ne pourront plus déposer ni compléter leur dossier"
    deadline = call.applications_deadline
    if deadline and deadline > timezone.now():
        when = date_format(timezone.localtime(deadline), "j F Y à H:i")
        return f"La date limite est le {when} : {consequence}. Les candidatures ne pourront pas être rouvertes."
    return f"Une fois les candidatures closes, {consequence} ; elles ne pourront pas être rouvertes."


CALL_WORKFLOW = Workflow(
    name="calls.call",
    state_field="state",
    group="Appels à projets",
    transitions=[
        Transition(
            "publish",
            "Publier l'appel",
            (C.DRAFT,),
            C.PUBLISHED,
            "calls.manage_call",
            guards=(checks.publication_problems,),
            stamps=(stamp_published,),
            confirm="L'appel sera public et ouvert aux candidatures : il ne pourra plus revenir à l'état de brouillon.",
            # The other managers of the call (the other agency of a joint call); applicants
            # find the call on the public list.
            notifies=(CALL_MANAGERS,),
        ),
        Transition(
            "close_applications",
            "Clore les candidatures",
            (C.PUBLISHED,),
            C.CLOSED,
            "calls.manage_call",
            # Scoring opens (rule "calls.score": a call closed): the jurors with files to score.
            # Those seated or given files later are told then (services.jury).
            notifies=(JURORS_TO_SCORE, CALL_MANAGERS),
            confirm=closing_consequences,
        ),
        Transition(
            "decide_laureates",
            "Arrêter la liste des lauréats",
            (C.CLOSED,),
            C.LAUREATES_DECIDED,
            "calls.manage_call",
            guards=(checks.laureates_problems,),
            stamps=(stamp_laureates_decided,),
            confirm=(
                "La liste des lauréats sera arrêtée et les courriers de décision pourront être envoyés. Les décisions "
                "ne pourront plus être modifiées, sauf à les rouvrir avec un motif enregistré au journal d'audit."
            ),
            # The carriers hear of their decision by its letter (services.decisions.notify_decisions).
            notifies=(CALL_MANAGERS,),
        ),
        Transition(
            "reopen_decisions",
            "Rouvrir les décisions",
            (C.LAUREATES_DECIDED,),
            C.CLOSED,
            "calls.manage_call",
            requires_reason=True,
            notifies=(CALL_MANAGERS,),
        ),
        Transition(
            "transmit",
            "Transmettre la liste des lauréats à l'équipe nationale",
            (C.LAUREATES_DECIDED,),
            C.TRANSMITTED,
            "calls.manage_call",
            stamps=(stamp_transmitted,),
            notifies=(NATIONAL_TEAM, CALL_MANAGERS),
            confirm=(
                "La liste des lauréats et leurs montants seront transmis à l'équipe nationale et publiés : "
                "ils ne pourront plus être modifiés."
            ),
        ),
    ],
)


# --- stamps and effects of the application's transitions ------------------------------------


SUBMISSION_CONSEQUENCES = (
    "Une fois déposée, la candidature ne pourra plus être modifiée : elle reçoit sa référence, part au service "
    "instructeur et un accusé de réception vous est envoyé. Seuls un retrait ou une réponse à une demande de "
    "complément resteront possibles."
)


def renouncing_consequences(app: Application) -> str:
    """A laureate's withdrawal, said with the amount that goes back to the envelopes (the
    decisions page prefetches the requests)."""
    allocated = sum((r.amount_allocated or 0) for r in app.requests.all())
    return (
        f"Le désistement est définitif : le dossier {app.reference} ne pourra plus redevenir lauréat, les "
        f"{euros(allocated)} attribués reviendront à leurs enveloppes et le porteur en sera informé."
    )


def promoting_consequences(app: Application) -> str:
    """A promotion from the waiting list, once the laureates are decided: it cannot be taken back."""
    return (
        f"Le dossier {app.reference} deviendra lauréat avec les montants indiqués, pris sur les enveloppes de "
        "l'appel : la promotion ne pourra pas être annulée (seul un désistement le retirerait ensuite de la liste "
        "des lauréats), et son courrier de décision partira à la prochaine notification des décisions."
    )


def stamp_reference(app: Application, firing):
    """The next reference of the call (its row is locked by `checks.submission_window_problems`)."""
    call = Call.objects.select_related("campaign").get(pk=app.call_id)
    number = call.applications.exclude(reference="").count() + 1
    app.reference = call.application_reference(number)
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
    """The amounts go back to their envelopes; what each envelope got back is recorded."""
    if freed := release(app):
        record(actor=firing.user, obj=app, action="calls.decision.released", before=freed)


def stamp_promotion(app: Application, firing):
    """A new decision (the carrier gets its new letter when the managers notify the decisions)."""
    stamp_decision(app, firing)
    app.notified_at = None


DECISION = {
    "action": "calls.decide",
    "requires_reason": True,
    "guards": (checks.decision_period_problems,),
    "stamps": (stamp_decision,),
    # A decision may be taken again until the laureates are decided: the carrier learns it
    # from its decision letter (services.decisions.notify_decisions), never before; the other
    # managers see it on the ranking.
    "notifies": NOBODY,
}

APPLICATION_WORKFLOW = Workflow(
    name="calls.application",
    state_field="state",
    group="Appels à projets",
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
            # The applicant has its receipt (send_receipt): the managers have a file to instruct.
            notifies=(INSTRUCTORS,),
            confirm=SUBMISSION_CONSEQUENCES,
        ),
        Transition(
            "withdraw",
            "Retirer la candidature",
            (A.DRAFT, A.SUBMITTED, A.INFO_REQUESTED, A.ELIGIBLE),
            A.WITHDRAWN,
            "calls.act_as_carrier",
            notifies=(INSTRUCTORS_OF_SUBMITTED,),
            confirm="Le retrait est définitif : la candidature ne pourra plus être déposée, instruite ni retenue.",
        ),
        Transition(
            "request_info",
            "Demander un complément",
            (A.SUBMITTED,),
            A.INFO_REQUESTED,
            "calls.instruct",
            effects=(ask_information,),
            # ask_information e-mails the question to the applicant; its colleagues by notification.
            notifies=(APPLICANT_EMAILED, OTHER_CARRIERS),
        ),
        Transition(
            "answer_info",
            "Répondre à la demande de complément",
            (A.INFO_REQUESTED,),
            A.SUBMITTED,
            "calls.act_as_carrier",
            guards=(checks.open_information_request_problems,),
            effects=(answer_information,),
            notifies=(INSTRUCTORS,),
        ),
        Transition(
            "declare_eligible",
            "Déclarer recevable",
            (A.SUBMITTED,),
            A.ELIGIBLE,
            "calls.instruct",
            guards=(checks.eligibility_problems,),
            notifies=(CARRIERS,),
            confirm="La candidature sera soumise au jury : elle ne pourra plus être déclarée irrecevable.",
        ),
        Transition(
            "declare_ineligible",
            "Déclarer irrecevable",
            (A.SUBMITTED, A.INFO_REQUESTED),
            A.INELIGIBLE,
            "calls.instruct",
            requires_reason=True,
            stamps=(stamp_decision,),
            # The reason shows on the carrier's page at once; the formal letter follows with
            # the other decisions (services.decisions.notify_decisions), a later event.
            notifies=(CARRIERS,),
            confirm="L'irrecevabilité est définitive : le porteur en est informé, avec votre motif, et la candidature ne sera pas instruite.",
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
            # As for the decisions: the carrier hears of the decision taken again by its letter.
            notifies=NOBODY,
        ),
        # Once the laureates are decided: a laureate withdraws, or does not sign its convention
        # (its money goes back to its envelopes), and the next on the waiting list is promoted
        # (services.decisions.promote, with its amounts: the envelopes' row locks and checks of a decision).
        Transition(
            "renounce",
            "Enregistrer le désistement du lauréat",
            (A.LAUREATE,),
            A.WITHDRAWN,
            "calls.decide",
            requires_reason=True,
            guards=(after_laureates_problems,),
            effects=(release_allocations,),
            # The carrier reads that its withdrawal is recorded (with the reason); the other managers
            # see the freed amount on the decisions page.
            notifies=(CARRIERS, INSTRUCTORS),
            confirm=renouncing_consequences,
        ),
        Transition(
            "promote",
            "Promouvoir depuis la liste d'attente",
            (A.WAITING_LIST,),
            A.LAUREATE,
            "calls.decide",
            requires_reason=True,
            guards=(after_laureates_problems,),
            stamps=(stamp_promotion,),
            # The carrier hears of it by its new decision letter, as of any decision
            # (services.decisions.notify_decisions); the other managers are told.
            notifies=(INSTRUCTORS,),
            confirm=promoting_consequences,
        ),
    ],
)

# The outcomes of a decision, the transition each fires, and their labels in the decision forms.
OUTCOMES = {A.LAUREATE: "select", A.WAITING_LIST: "waitlist", A.REJECTED: "reject"}
OUTCOME_CHOICES = [(A.LAUREATE, "Lauréat"), (A.WAITING_LIST, "Liste d'attente"), (A.REJECTED, "Non retenu")]

# Transitions the API exposes as POST applications/{id}/{action}/ (decisions go through calls/{id}/decisions/).
APPLICATION_API_ACTIONS = ["submit", "withdraw", "request_info", "answer_info", "declare_eligible", "declare_ineligible"]
