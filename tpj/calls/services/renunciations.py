"""The ranking as a history: the laureates that withdrew once the list was decided
(transition « renounce ») stay in it, at their rank, with the date and reason of their
withdrawal read from the audit log, instead of disappearing from the decisions page."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q

from tpj.audit.models import AuditEvent

from ..models import Application, Call
from .jury import RANKING_FIELDS

RENOUNCE_ACTION = "calls.application.renounce"


def renunciations(call: Call) -> dict[int, AuditEvent]:
    """{application id: the audit event of its withdrawal as a laureate} for the call (two queries)."""
    withdrawn = [str(pk) for pk in call.applications.filter(state=Application.State.WITHDRAWN).values_list("pk", flat=True)]
    if not withdrawn:
        return {}
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Application), object_id__in=withdrawn, action=RENOUNCE_ACTION
    ).order_by("created_at", "pk")
    return {int(event.object_id): event for event in events}


def ranking_history(call: Call, renounced_ids):
    """The ranking (`services.jury.ranking`: the pool, best mean first, then the files without a
    mean) with the laureates that withdrew (`renounced_ids`) at the rank their mean gives them."""
    return (
        call.applications.filter(Q(state__in=Application.DECIDABLE_STATES) | Q(pk__in=list(renounced_ids)))
        .select_related("organisation")
        .only(*RANKING_FIELDS)
        .order_by(F("mean_score").desc(nulls_last=True), "reference")
    )


def rank(position: int, app: Application) -> int | None:
    """The ranking's rank of `app` at `position` (1-based) of `ranking_history`: the files with
    a mean come first, so their position is their rank; a file without a mean is not ranked."""
    return position if app.mean_score is not None else None
