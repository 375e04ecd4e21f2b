"""The calls' notification kinds outside their workflows (found by tpj.notifications.apps).

The transitions' kinds are declared by the workflows themselves (`Transition.notifies`):
importing them here declares them when the apps are ready, for the preferences page.
"""

from tpj.notifications.kinds import register

from . import workflows  # noqa: F401 (declares the kinds of the transitions that notify)

GROUP = "Appels à projets"

JURY_SEAT = register("calls.jury_seat", "Vous siégez au jury d'un appel à projets", group=GROUP).key
SHEETS_ASSIGNED = register("calls.sheets_assigned", "Des dossiers vous sont attribués pour notation", group=GROUP).key
INTENT_DECLARED = register(
    "calls.intent_declared", "Une agence déclare son intention de lancer un appel à projets", group=GROUP
).key
DEADLINE_REMINDER = register(
    "calls.deadline_reminder", "Rappel d'une échéance nationale que votre agence n'a pas encore tenue", group=GROUP
).key
DRAFT_REMINDER = register("calls.draft_reminder", "Rappel : votre candidature est encore en brouillon", group=GROUP).key
JURY_REMINDER = register("calls.jury_reminder", "Rappel : des dossiers vous restent à noter", group=GROUP).key
DEROGATION_REQUESTED = register(
    "calls.derogation_requested", "Une dérogation au minimum national de dotation est demandée", group=GROUP
).key
DEROGATION_GRANTED = register(
    "calls.derogation_granted", "Une dérogation au minimum national de dotation est accordée", group=GROUP
).key
DEROGATION_REFUSED = register(
    "calls.derogation_refused", "Une dérogation au minimum national de dotation est refusée", group=GROUP
).key
INSTRUCTION_TEAM = register(
    "calls.instruction_team", "Vous rejoignez l'équipe d'instruction d'un appel à projets", group=GROUP
).key
INSTRUCTION_ASSIGNED = register(
    "calls.instruction_assigned", "Des dossiers vous sont attribués pour instruction", group=GROUP
).key
REPORT_REMINDER = register("calls.report_reminder", "Rappel : un rapport de suivi de votre projet est attendu", group=GROUP).key
