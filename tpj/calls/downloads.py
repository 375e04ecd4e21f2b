"""A call's files prepared by the workers (tpj.downloads): its full history, and the
selection committee's files (tpj.calls.committee_export).

The history's content is the synchronous export's (`exports.call_history`, the audit log's
CSV rows). Each job keeps the asker's scope at request time; the build applies
`Call.objects.visible_to` and the policy with the rights the asker has then (a right
withdrawn meanwhile: no file)."""

from django.core.exceptions import ValidationError

from tpj.accounts.models import Role
from tpj.audit.exports import HEADER, audit_rows
from tpj.core import policy
from tpj.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_lines
from tpj.core.policy import Decision
from tpj.core.text import french_plural
from tpj.downloads.builders import Builder, register

from .committee_export import VERSIONS, attachment_files, committee_table, xlsx_chunks, zip_chunks
from .exports import call_history
from .models import Application, Call
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


# -- The selection committee's files ----------------------------------------------------------

MAX_ZIP_APPLICATIONS = 200


def _committee_parse(query, user) -> dict:
    version = query.get("version", "")
    if version not in VERSIONS:
        raise ValidationError(["Choisissez la version de l'export : pour le jury ou pour les gestionnaires."])
    return {**_parse(query, user), "version": version}


def _committee_authorize(user, parameters) -> Decision:
    call = _call(parameters, user)
    if call is None:
        return Decision.deny(NOT_FOUND)
    return policy.check(user, "calls.committee_export", call)


def _committee(parameters, user):
    return committee_table(_call(parameters, user), anonymise=parameters["version"] == "jury")


def _committee_count(parameters, user) -> int:
    return _call(parameters, user).applications.exclude(state=Application.State.DRAFT).count()


def _committee_describe(parameters) -> str:
    return f"{_describe(parameters)} — version {VERSIONS.get(parameters.get('version'), '')}"


def _committee_filename(extension):
    def filename(parameters) -> str:
        version = "jury" if parameters.get("version") == "jury" else "gestionnaires"
        return f"comite-aap-{parameters['call']}-{version}.{extension}"

    return filename


register(
    Builder(
        kind="calls.committee.xlsx",
        label="Export complet des candidatures pour le comité (XLSX)",
        format_label="XLSX",
        content_type=XLSX_CONTENT_TYPE,
        filename=_committee_filename("xlsx"),
        chunks=lambda parameters, user: xlsx_chunks(*_committee(parameters, user), title="Candidatures"),
        parse=_committee_parse,
        authorize=_committee_authorize,
        scope=_scope,
        count=_committee_count,
        describe=_committee_describe,
        framing=1,  # the workbook, after an empty piece per row
    )
)
register(
    Builder(
        kind="calls.committee.csv",
        label="Export complet des candidatures pour le comité (CSV)",
        format_label="CSV",
        content_type=CSV_CONTENT_TYPE,
        filename=_committee_filename("csv"),
        chunks=lambda parameters, user: csv_lines(*_committee(parameters, user), decimal_comma=True),
        parse=_committee_parse,
        authorize=_committee_authorize,
        scope=_scope,
        count=_committee_count,
        describe=_committee_describe,
    )
)


def _chosen(call, parameters) -> list[Application]:
    return list(call.applications.exclude(state=Application.State.DRAFT).filter(pk__in=parameters.get("applications", [])))


def _attachments_parse(query, user) -> dict:
    parameters = _parse(query, user)
    ids = sorted({int(v) for v in query.getlist("candidature") if v.strip().isdigit()})
    if not ids:
        raise ValidationError(["Choisissez au moins une candidature."])
    if len(ids) > MAX_ZIP_APPLICATIONS:
        raise ValidationError([f"{len(ids)} candidatures choisies : {MAX_ZIP_APPLICATIONS} au plus par fichier."])
    parameters["applications"] = ids
    call = _call(parameters, user)
    if call is not None and _attachments_authorize(user, parameters) and not attachment_files(ids):
        subject = french_plural(len(ids), "Cette candidature n'a", "Ces candidatures n'ont")
        raise ValidationError([f"{subject} aucune pièce jointe."])
    return parameters


def _attachments_authorize(user, parameters) -> Decision:
    """The chosen applications, all of the call, each instructed by `user` (calls.instruct)."""
    call = _call(parameters, user)
    if call is None:
        return Decision.deny(NOT_FOUND)
    chosen = _chosen(call, parameters)
    if len(chosen) != len(parameters.get("applications", [])):
        return Decision.deny("Une des candidatures choisies est introuvable dans cet appel à projets.")
    for application in chosen:
        application.call = call
        if not (decision := policy.check(user, "calls.instruct", application)):
            return decision
    return Decision.allow()


def _attachments_describe(parameters) -> str:
    count = len(parameters.get("applications", []))
    return f"{_describe(parameters)} — {count} candidature{french_plural(count)}"


register(
    Builder(
        kind="calls.attachments",
        label="Pièces jointes de candidatures (ZIP)",
        format_label="ZIP",
        content_type="application/zip",
        filename=lambda parameters: f"pieces-jointes-aap-{parameters['call']}.zip",
        chunks=lambda parameters, user: zip_chunks(parameters["applications"]),
        parse=_attachments_parse,
        authorize=_attachments_authorize,
        scope=_scope,
        count=lambda parameters, user: len(attachment_files(parameters["applications"])),
        describe=_attachments_describe,
        framing=1,  # the ZIP's central directory, after a piece per file
    )
)
