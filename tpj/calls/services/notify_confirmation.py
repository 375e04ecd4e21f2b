"""What « Notifier les décisions » cannot undo, said before the letters leave (tpj.core.confirm):
the service (services.decisions.notify_decisions) is confirmed as an irreversible transition is."""

from tpj.core.text import french_plural

from ..models import Application, Call, DecisionLetter
from .notifications import current_letters


def letters_to_send(call: Call) -> int:
    """How many decision letters « Notifier les décisions » would prepare now (as
    `services.decisions.notify_decisions` chooses them): decided files not notified yet, whose
    current letter is neither e-mailed nor requested, drawn or issued (a failed one is redone)."""
    if call.state not in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED):
        return 0
    apps = call.applications.filter(state__in=Application.DECIDED_STATES, notified_at__isnull=True)
    decided = dict(apps.values_list("pk", "decided_at"))
    if not decided:
        return 0
    lettered = set(current_letters(apps))
    pending = {
        pk
        for pk, decided_at in DecisionLetter.objects.filter(application_id__in=list(decided))
        .exclude(state=DecisionLetter.State.FAILED)
        .values_list("application_id", "decided_at")
        if decided_at == decided[pk]
    }
    return len(set(decided) - lettered - pending)


def notify_confirmation(call: Call) -> str:
    """What cannot be undone once the decisions are notified ("" when no letter would leave)."""
    n = letters_to_send(call)
    if n == 0:
        return ""
    return french_plural(
        n,
        "Le courrier de décision sera envoyé au porteur du dossier décidé ; il ne pourra pas être rappelé, "
        "et la décision sera notifiée dès son envoi.",
        f"Les courriers de décision seront envoyés aux {n} porteurs des dossiers décidés ; ils ne pourront pas être "
        "rappelés, et chaque décision sera notifiée dès l'envoi de son courrier.",
    )
