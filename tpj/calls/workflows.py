"""The call's and the application's lifecycles, declared as data (see tpj.core.workflow).

Each transition names the policy rule (tpj/calls/permissions.py) that decides who may fire
it, whatever the state; the states a transition starts from are declared here, and its side
effects and business checks live in services.py.
"""

from tpj.core.workflow import Transition, Workflow

from .models import Application, Call

C = Call.State
A = Application.State

CALL_WORKFLOW = Workflow(
    name="calls.call",
    state_field="state",
    transitions=[
        Transition("publish", "Publier l'appel", (C.DRAFT,), C.PUBLISHED, "calls.manage_call"),
        Transition("close_applications", "Clore les candidatures", (C.PUBLISHED,), C.CLOSED, "calls.manage_call"),
        Transition("decide_laureates", "Arrêter la liste des lauréats", (C.CLOSED,), C.LAUREATES_DECIDED, "calls.manage_call"),
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
        ),
    ],
)

APPLICATION_WORKFLOW = Workflow(
    name="calls.application",
    state_field="state",
    transitions=[
        # (the carrier's rule, not "calls.edit_application" which also says the draft is still editable:
        # a transition's rule never reads the state, so a replayed submission is a 400 from the workflow)
        Transition("submit", "Déposer la candidature", (A.DRAFT,), A.SUBMITTED, "calls.act_as_carrier"),
        Transition(
            "withdraw",
            "Retirer la candidature",
            (A.DRAFT, A.SUBMITTED, A.INFO_REQUESTED, A.ELIGIBLE),
            A.WITHDRAWN,
            "calls.act_as_carrier",
        ),
        Transition("request_info", "Demander un complément", (A.SUBMITTED,), A.INFO_REQUESTED, "calls.instruct"),
        Transition(
            "answer_info", "Répondre à la demande de complément", (A.INFO_REQUESTED,), A.SUBMITTED, "calls.act_as_carrier"
        ),
        Transition("declare_eligible", "Déclarer recevable", (A.SUBMITTED,), A.ELIGIBLE, "calls.instruct"),
        Transition(
            "declare_ineligible",
            "Déclarer irrecevable",
            (A.SUBMITTED, A.INFO_REQUESTED),
            A.INELIGIBLE,
            "calls.instruct",
            requires_reason=True,
        ),
        Transition(
            "select", "Retenir comme lauréat", (A.ELIGIBLE, A.WAITING_LIST), A.LAUREATE, "calls.decide", requires_reason=True
        ),
        Transition(
            "waitlist", "Inscrire en liste d'attente", (A.ELIGIBLE,), A.WAITING_LIST, "calls.decide", requires_reason=True
        ),
        Transition("reject", "Ne pas retenir", (A.ELIGIBLE, A.WAITING_LIST), A.REJECTED, "calls.decide", requires_reason=True),
        Transition(
            "reopen",
            "Annuler la décision",
            (A.LAUREATE, A.WAITING_LIST, A.REJECTED),
            A.ELIGIBLE,
            "calls.decide",
            requires_reason=True,
        ),
    ],
)

# Transitions the API exposes as POST applications/{id}/{action}/ (decisions go through calls/{id}/decisions/).
APPLICATION_API_ACTIONS = ["submit", "withdraw", "request_info", "answer_info", "declare_eligible", "declare_ineligible"]
