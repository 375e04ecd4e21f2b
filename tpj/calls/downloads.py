"""The full history of a call as a file prepared by the workers (tpj.downloads).

The content is the synchronous export's (`exports.call_history`, the audit log's CSV rows).
The job keeps the asker's scope at request time; the build applies `Call.objects.visible_to`
and the policy with the rights the asker has then (a right withdrawn meanwhile: no file)."""

from django.core.exceptions import ValidationError

from tpj.accounts.models import Role
from tpj.audit.exports import HEADER, audit_rows
from tpj.core import policy
from tpj.core.exports import CSV_CONTENT_TYPE, csv_lines
from tpj.core.policy import Decision
from tpj.downloads.builders import Builder, register

from .exports import call_history
from .models import Call
from .models.access import is_national

NOT_FOUND = "Cet appel à projets est introuvable."


def _call(parameters, user) -> Call | None:
    return Call.objects.visible_to(user).select_related("region", "campaign").filter(pk=parameters.get("call")).first()


def _parse(query, user) -> dict:
    raw = (query.get("appel") or "").strip()
    if not raw.isdigit():
        raise ValidationError([NOT_FOUND])
    return {"call": int(raw)}


def _authorize(user, parameters) -> Decision:
    call = _call(parameters, user)
    if call is None:
        return Decision.deny(NOT_FOUND)
    return policy.check(user, "calls.view_history", call)


def _scope(user) -> dict:
    scope = user.scope(Role.CALL_MANAGER)
    return {"national": is_national(user) or scope.national, "regions": sorted(str(r) for r in scope.regions)}


def _chunks(parameters, user):
    call = _call(parameters, user)
    return csv_lines(HEADER, audit_rows(call_history(call)))


def _describe(parameters) -> str:
    call = Call.objects.select_related("region", "campaign").filter(pk=parameters.get("call")).first()
    return str(call) if call else ""


register(
    Builder(
        kind="calls.history",
        label="Historique complet d'un appel à projets (CSV)",
        format_label="CSV",
        content_type=CSV_CONTENT_TYPE,
        filename=lambda parameters: f"historique-aap-{parameters['call']}.csv",
        chunks=_chunks,
        parse=_parse,
        authorize=_authorize,
        scope=_scope,
        count=lambda parameters, user: call_history(_call(parameters, user)).count(),
        describe=_describe,
    )
)
