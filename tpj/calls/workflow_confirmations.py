"""What cannot be undone, said before the calls' irreversible actions that are services rather
than workflow transitions (issue 18 §5), declared as data as `Transition.confirm` is
(tpj.calls.workflows): declaring the intent for a campaign, issuing and signing a convention, recording a payment, deciding a
derogation, declaring a conflict of interest discovered late, sending or recording a report.

Each `Action` has the label its button shows (the confirmation step's title) and its `confirm`
text, or fn(obj) returning one. The page's button opens a DSFR modal (core/_confirm_modal.html)
whose « Confirmer » button sends `confirm=<the action's name>`; without JavaScript the button
posts without it and the view answers with the confirmation step, which posts the form again
with `confirm=1` (tpj.core.confirm). Nothing is done without one of them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tpj.core.confirm import CONFIRMED

from .models import euros


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    confirm: str | Callable

    def confirmation(self, obj=None) -> str:
        return self.confirm(obj) if callable(self.confirm) else self.confirm


def _report_sent(kind_label: str) -> str:
    return (
        f"Le {kind_label.lower()} sera transmis aux gestionnaires de l'appel et daté d'aujourd'hui : une fois reçu, "
        "il ne pourra plus être remplacé ni retiré."
    )


def _report_received(kind_label: str) -> str:
    return (
        f"Le {kind_label.lower()} sera enregistré comme reçu à la date indiquée : il ne pourra plus être déposé sur "
        "la plateforme, et cette date ne pourra plus être modifiée."
    )


def _payment(amount) -> str:
    shown = f"de {euros(amount)} " if amount is not None else ""
    return (
        f"Le versement {shown}sera enregistré contre l'échéancier de la convention et inscrit au journal d'audit : "
        "il ne pourra être ni modifié ni supprimé."
    )


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "declare_intent",
            "Transmettre la déclaration",
            "La déclaration d'intention sera transmise à la DGCS et au SGMCAS avec son référent : elle ne pourra plus "
            "être modifiée ni retirée, et votre agence ne pourra pas en faire une autre pour cette campagne.",
        ),
        Action(
            "issue_convention",
            "Enregistrer et rédiger la convention (PDF)",
            "La convention sera rédigée en PDF, envoyée au porteur par courriel et conservée telle qu'émise : son "
            "échéancier ne pourra plus être modifié.",
        ),
        Action(
            "sign_convention",
            "Enregistrer la convention signée",
            "La convention sera enregistrée comme signée, avec ce fichier et cette date : ni l'un ni l'autre ne "
            "pourra plus être remplacé, et les versements pourront commencer.",
        ),
        Action("record_payment", "Enregistrer le versement", _payment),
        Action(
            "grant_derogation",
            "Accorder la dérogation",
            "La dérogation sera accordée avec cette dotation minimale et ce motif, communiqués aux gestionnaires de "
            "l'appel et inscrits au journal d'audit : elle ne pourra être ni retirée ni modifiée.",
        ),
        Action(
            "refuse_derogation",
            "Refuser la dérogation",
            "Le refus sera communiqué aux gestionnaires de l'appel avec ce motif et inscrit au journal d'audit : il "
            "ne pourra pas être annulé (les gestionnaires pourront seulement demander une nouvelle dérogation).",
        ),
        Action(
            "declare_late_conflict",
            "Déclarer un conflit d'intérêts",
            "Cette déclaration est définitive : vous ne verrez plus ce dossier, vos notes non validées seront effacées "
            "et vous ne pourrez plus le noter.",
        ),
        Action("send_report", "Envoyer le rapport", _report_sent),
        Action("record_report_received", "Enregistrer la réception", _report_received),
    )
}


def confirmation_text(name: str, obj=None) -> str:
    """What cannot be undone by action `name` (on `obj`, when its text depends on it)."""
    return ACTIONS[name].confirmation(obj)


def chosen(post, name: str, choices: dict) -> tuple[str | None, bool]:
    """(the action chosen by the form's button `name`, confirmed?) for a form whose buttons
    choose among `choices` ({button value: action name}). The modal's « Confirmer » sends
    `confirm=<action name>` (the button that opened it is not sent); the no-JavaScript
    confirmation step sends the button's own value again with `confirm=1`."""
    confirm = post.get(CONFIRMED, "")
    for value, action in choices.items():
        if confirm == action:
            return value, True
    value = post.get(name)
    return (value if value in choices else None), confirm == "1"


def confirmed(post, action: str) -> bool:
    """Whether a form with one irreversible button (action `action`) was confirmed."""
    return post.get(CONFIRMED) in ("1", action)
