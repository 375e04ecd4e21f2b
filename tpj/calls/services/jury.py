"""The jury: members, assignment with automatic recusal, conflict declarations, scores and ranking."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Max, Min, Q
from django.utils import timezone

from tpj.accounts.models import Role
from tpj.audit.services import record
from tpj.core import policy
from tpj.core.errors import Conflict
from tpj.core.text import french_plural
from tpj.notifications.services import notify

from ..models import (
    Application,
    Call,
    Criterion,
    CriterionScore,
    JuryMember,
    ScoreSheet,
)
from ..notification_kinds import JURY_SEAT, SHEETS_ASSIGNED
from ..recipients import my_jury_url
from .applications import fresh_application


def add_jury_member(call: Call, user, member_user, kind: str) -> JuryMember:
    """Seat a partner representative (funder, operator or expert) on the call's jury.

    One seat per member (`one_seat_per_member`): a simultaneous second seating is a `Conflict`.
    The member is told (notification "calls.jury_seat") in the seating's transaction.
    """
    policy.require(user, "calls.manage_jury", call)
    if not member_user.scope(Role.JURY_MEMBER).covers_region_wholly(call.region_id):
        raise ValidationError(
            {"member": f"{member_user.email} n'a pas le rôle de membre de jury pour la région {call.region.name}."}
        )
    if kind != JuryMember.Kind.FUNDER and call.is_managed_by(member_user):
        # the call's managers decide for the funders (rule "calls.decide"): never seated as anything else
        raise ValidationError(
            {"member": f"{member_user.email} gère cet appel pour un financeur : il ne peut siéger au jury que comme financeur."}
        )
    already = f"{member_user.email} siège déjà à ce jury."
    if JuryMember.objects.filter(call=call, user=member_user).exists():
        raise Conflict({"member": already})
    try:
        with transaction.atomic():
            member = JuryMember.objects.create(call=call, user=member_user, kind=kind)
            notify(
                JURY_SEAT,
                [member_user],
                target=call,
                title=f"Vous siégez au jury de l'appel « {call.title} » ({member.get_kind_display().lower()})",
                body="Les dossiers à noter vous seront attribués par les gestionnaires de l'appel.",
                url=my_jury_url(),
                may_see="calls.view_my_sheets",
                actor=user,
            )
    except IntegrityError:
        raise Conflict({"member": already}) from None
    record(actor=user, obj=call, action="calls.jury.member_added", after={"member": member_user.email, "kind": kind})
    return member


def assign(call: Call, user, members=None, applications=None) -> dict:
    """Assign applications of the pool to jury members; recuse automatically where needed.

    A member whose organisation carries or partners an application gets a recused sheet
    (never a scorable one). Returns counts of created and recused sheets. Each member given
    files to score is told how many, in the assignment's transaction ("calls.sheets_assigned").

    The call's row is locked while the existing sheets are read and the new ones written:
    simultaneous assignments run one after the other, the later ones finding the sheets
    already made (`one_sheet_per_member_application` backs this up: a `Conflict`, not a 500).
    """
    policy.require(user, "calls.manage_jury", call)
    try:
        with transaction.atomic():
            Call.objects.select_for_update().values_list("pk", flat=True).get(pk=call.pk)
            members = list(members if members is not None else call.jury.select_related("user"))
            applications = list(
                (applications if applications is not None else call.applications.in_instruction_pool()).prefetch_related(
                    "partners"
                )
            )
            existing = set(ScoreSheet.objects.filter(member__call=call).values_list("member_id", "application_id"))
            sheets = []
            for app in applications:
                for member in members:
                    if (member.pk, app.pk) in existing:
                        continue
                    sheets.append(ScoreSheet(member=member, application=app, auto_recused=member.auto_recused_from(app)))
            ScoreSheet.objects.bulk_create(sheets)
            # the statistics are recomputed on locked applications (a member declaring at the same time waits)
            list(Application.objects.select_for_update().filter(pk__in={s.application_id for s in sheets}).order_by("pk"))
            refresh_jury_stats({s.application_id for s in sheets})
            _tell_jurors(call, user, sheets)
    except IntegrityError:
        raise Conflict("Une autre attribution des dossiers vient d'être enregistrée : rechargez la page.") from None
    recused = sum(s.auto_recused for s in sheets)
    record(actor=user, obj=call, action="calls.jury.assigned", after={"sheets": len(sheets), "recused": recused})
    for s in sheets:
        if s.auto_recused:
            record(
                actor=user,
                obj=s.application,
                action="calls.jury.auto_recused",
                reason=f"{s.member.user.email} : son organisation porte ce projet ou y est partenaire.",
            )
    return {"created": len(sheets), "recused": recused}


def _tell_jurors(call: Call, user, sheets) -> None:
    """Tell each member how many files the assignment gives it to score (recused ones are not)."""
    counts = {}
    for sheet in sheets:
        if not sheet.auto_recused:
            counts[sheet.member.user] = counts.get(sheet.member.user, 0) + 1
    closed = Call.objects.filter(pk=call.pk, state=Call.State.CLOSED).exists()  # (the call's row is locked)
    opens = "" if closed else " La notation s'ouvrira à la clôture des candidatures."
    for juror, count in counts.items():
        files = f"{count} dossier{french_plural(count)}"
        notify(
            SHEETS_ASSIGNED,
            [juror],
            target=call,
            title=f"{files} à noter pour l'appel « {call.title} »",
            body=f"Déclarez d'abord, pour chaque dossier, l'absence ou l'existence d'un conflit d'intérêts.{opens}",
            url=my_jury_url(),
            may_see="calls.view_my_sheets",
            actor=user,
        )


CONFLICT_IRREVOCABLE = (
    "Vous avez déclaré un conflit d'intérêts pour ce dossier : cette déclaration est définitive, elle ne peut pas être retirée."
)


def declare_conflict(sheet: ScoreSheet, user, *, has_conflict: bool, note: str = "") -> ScoreSheet:
    """The member states, before seeing the file, whether it has a conflict of interest.

    A declaration is final, decided on the sheet's locked row (simultaneous declarations run
    one after the other and see the first one):

    - a declared conflict is never withdrawn: any later declaration is a `Conflict` (409);
    - « no conflict » may later become a conflict — a member who discovers one must be able to
      say so — as long as its scores are not validated: its draft scores are then deleted and
      it no longer sees the file. After validation the call's managers must be told instead;
    - repeating « no conflict » is a `Conflict` too: the first declaration stands.
    """
    policy.require(user, "calls.declare_conflict", sheet)
    if has_conflict and not note.strip():
        raise ValidationError({"conflict_note": "Précisez la nature du conflit d'intérêts."})
    with transaction.atomic():
        # the sheet and its application: the jury statistics recomputed on the application see
        # every other member's declaration or scores once committed, never half of them
        sheet = (
            ScoreSheet.objects.select_for_update(of=("self", "application"))
            .select_related("member", "application__call")
            .get(pk=sheet.pk)
        )
        policy.require(user, "calls.declare_conflict", sheet)
        if sheet.conflict_declared_at and sheet.has_conflict:
            raise Conflict(CONFLICT_IRREVOCABLE)
        if sheet.conflict_declared_at and not has_conflict:
            raise Conflict("Votre déclaration d'absence de conflit d'intérêts pour ce dossier est déjà enregistrée.")
        if sheet.conflict_declared_at and sheet.is_locked:
            raise Conflict(
                "Votre notation de ce dossier est validée : elle ne peut plus être retirée. "
                "Signalez le conflit d'intérêts aux gestionnaires de l'appel."
            )
        revised = sheet.conflict_declared_at is not None
        if revised:
            sheet.scores.all().delete()
            sheet.comment = ""
        sheet.has_conflict, sheet.conflict_note, sheet.conflict_declared_at = has_conflict, note.strip(), timezone.now()
        sheet.save(update_fields=["has_conflict", "conflict_note", "conflict_declared_at", "comment"])
        refresh_jury_stats([sheet.application_id])
        record(
            actor=user,
            obj=sheet.application,
            action="calls.jury.conflict_declared" if has_conflict else "calls.jury.no_conflict",
            reason=note,
            after={"member": user.email, "after_no_conflict": revised},
        )
    return sheet


def weighted_score(criteria: list[Criterion], values: dict) -> Decimal | None:
    """Weighted score out of 20: Σ weight × value / max over the criteria not « sans objet »."""
    num, den = Decimal(0), Decimal(0)
    for c in criteria:
        value, not_applicable = values.get(c.pk, (None, False))
        if not_applicable or value is None:
            continue
        num += Decimal(c.weight) * Decimal(value) / Decimal(c.max_score)
        den += Decimal(c.weight)
    if not den:
        return None
    return (Decimal(20) * num / den).quantize(Decimal("0.01"))


def save_scores(sheet: ScoreSheet, user, values: dict, comment: str = "", submit: bool = False) -> ScoreSheet:
    """Save a member's scores (criterion id -> (value or None, sans objet)); submitting locks them."""
    with transaction.atomic():
        sheet = (
            ScoreSheet.objects.select_for_update(of=("self", "application"))  # (see declare_conflict)
            .select_related("application__call", "member")
            .get(pk=sheet.pk)
        )
        policy.require(user, "calls.hold_sheet", sheet)
        if sheet.is_locked:
            # a double-clicked validation, or a change after it: the validated scores stand
            raise Conflict("Votre notation est validée : elle ne peut plus être modifiée.")
        policy.require(user, "calls.score", sheet)
        criteria = list(sheet.application.call.criteria.all())
        by_id = {c.pk: c for c in criteria}
        errors = []
        for cid, (value, not_applicable) in values.items():
            criterion = by_id.get(cid)
            if criterion is None:
                errors.append("Critère inconnu pour cet appel.")
            elif not_applicable and value is not None:
                errors.append(f"« {criterion.label} » : choisissez une note ou « sans objet », pas les deux.")
            elif value is not None and not (0 <= value <= criterion.max_score):
                errors.append(f"La note du critère « {criterion.label} » doit être comprise entre 0 et {criterion.max_score}.")
        if submit:
            missing = [c.label for c in criteria if values.get(c.pk, (None, False)) == (None, False)]
            if missing:
                errors.append("Notez chaque critère (ou cochez « sans objet ») avant de valider : " + " ; ".join(missing))
            elif all(values[c.pk][1] for c in criteria):
                errors.append("Au moins un critère doit être noté.")
        if errors:
            raise ValidationError(errors)
        for cid, (value, not_applicable) in values.items():
            CriterionScore.objects.update_or_create(
                sheet=sheet, criterion_id=cid, defaults={"value": value, "not_applicable": not_applicable}
            )
        sheet.comment = comment or ""
        if submit:
            sheet.submitted_at = timezone.now()
            sheet.weighted_score = weighted_score(criteria, values)
        sheet.save()
        if submit:
            refresh_jury_stats([sheet.application_id])
        record(
            actor=user,
            obj=sheet.application,
            action="calls.jury.scores_submitted" if submit else "calls.jury.scores_saved",
            after={
                "member": user.email,
                "scores": {str(k): list(v) for k, v in values.items()},
                "weighted_score": str(sheet.weighted_score) if submit else None,
            },
        )
    return sheet


def refresh_jury_stats(application_ids) -> None:
    """Recompute the jury statistics stored on the given applications from their score sheets."""
    submitted = Q(sheets__submitted_at__isnull=False)
    active = Q(sheets__auto_recused=False, sheets__has_conflict=False)
    rows = (
        Application.objects.filter(pk__in=list(application_ids))
        .annotate(
            s_mean=Avg("sheets__weighted_score", filter=submitted),
            s_low=Min("sheets__weighted_score", filter=submitted),
            s_high=Max("sheets__weighted_score", filter=submitted),
            s_count=Count("sheets", filter=submitted),
            s_expected=Count("sheets", filter=active),
            s_recused=Count("sheets", filter=~active & Q(sheets__isnull=False)),
        )
        .values_list("pk", "s_mean", "s_low", "s_high", "s_count", "s_expected", "s_recused")
    )
    updates = []
    for pk, mean, low, high, count, expected, recused in rows:
        app = Application(
            pk=pk,
            mean_score=None if mean is None else Decimal(mean).quantize(Decimal("0.01")),
            low_score=low,
            high_score=high,
            scores_count=count,
            expected_count=expected,
            recused_count=recused,
        )
        updates.append(app)
    Application.objects.bulk_update(updates, Application.JURY_STATS_FIELDS, batch_size=500)


def ranking(call: Call):
    """Applications of the pool with weighted mean, spread, count and missing scores, best first."""
    return (
        call.applications.in_instruction_pool()
        .select_related("organisation")
        .only(*RANKING_FIELDS)
        .order_by(F("mean_score").desc(nulls_last=True), "reference")
    )


def means_by_kind(application_ids) -> dict[int, dict[str, Decimal]]:
    """{application id: {member kind: mean of the validated weighted scores /20}} (one query).

    The ranking shows the funders' and the operators' means beside the overall one: each is the
    mean of the weighted scores (`weighted_score`, criteria weighted) of that kind's members."""
    rows = (
        ScoreSheet.objects.filter(application_id__in=list(application_ids), submitted_at__isnull=False)
        .values("application_id", "member__kind")
        .annotate(mean=Avg("weighted_score"))
        .order_by()
    )
    means = {}
    for row in rows:
        means.setdefault(row["application_id"], {})[row["member__kind"]] = Decimal(row["mean"]).quantize(Decimal("0.01"))
    return means


def without_jurors_q(prefix: str = "") -> Q:
    """Applications of the pool whose every juror is recused (automatically or on declaration),
    read from their jury statistics; `prefix` is the path to the application ("applications__")."""
    return Q(
        **{
            f"{prefix}state__in": Application.DECIDABLE_STATES,
            f"{prefix}expected_count": 0,
            f"{prefix}recused_count__gt": 0,
        }
    )


def without_jurors(call: Call):
    """The call's applications nobody can score, every juror being recused: the manager seats
    another member and assigns the files again (the jury page and « Mon espace » flag them)."""
    return call.applications.filter(without_jurors_q()).only("pk", "reference", "title").order_by("reference")


RANKING_FIELDS = [
    "pk",
    "call_id",
    "reference",
    "title",
    "state",
    "decision_reason",
    *Application.JURY_STATS_FIELDS,
    "organisation__name",
]


def set_deliberation_notes(app: Application, user, notes: str) -> Application:
    """Record the jury's deliberation on the application: the deciders' (rule "calls.decide")."""
    with transaction.atomic():
        app = fresh_application(app, lock=True)
        policy.require(user, "calls.decide", app)  # the deliberation is the deciders' (funders')
        app.deliberation_notes = notes
        app.save(update_fields=["deliberation_notes", "updated_at"])
        record(actor=user, obj=app, action="calls.jury.deliberation", reason=notes)
    return app
