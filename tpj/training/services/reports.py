"""The bilan of a session (journey 5): once the session has ended, a member of its training
organisation declares the hours delivered and the participants by audience and département.

One bilan per session: submitting again updates it. The whole bilan is checked before anything
is written, then written in one transaction; two submissions at once wait for each other on the
session's row (PostgreSQL) or, on SQLite, the second finds the first's bilan and updates it.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.text import french_count, french_plural
from tpj.territories.models import Departement

from ..models import Audience, ReportLine, Session, SessionReport
from . import coverage_snapshots

# Plausibility cap of the hours delivered: 10 times the offer's duration (a session repeated for
# several groups stays below it; a typo such as 140 for 14 does not). Without a duration, 24 hours
# per day of the session.
HOURS_CAP_FACTOR = 10
HOURS_PER_DAY = 24
MAX_LINES = 120


@dataclass(frozen=True)
class Line:
    audience: str
    departement: str  # the département's code
    participants: int


def plain(value: Decimal) -> Decimal:
    """14.00 → 14 and 10.50 → 10.5 (140 stays 140, not 1.4E+2): how a form shows hours."""
    value = Decimal(value).normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def decimal_text(value) -> str:
    """14.50 → "14,5": how a French sentence writes hours."""
    return format(plain(value), "f").replace(".", ",")


def _date(value) -> str:
    return f"{value:%d/%m/%Y}"


def hours_cap(session: Session) -> Decimal:
    duration = session.offer.duration_hours
    if duration:
        return Decimal(duration) * HOURS_CAP_FACTOR
    return Decimal(HOURS_PER_DAY * ((session.end_date - session.start_date).days + 1))


def has_ended(session: Session, today=None) -> bool:
    return session.end_date < (today or timezone.localdate())


def not_ended_message(session: Session) -> str:
    return (
        f"La session se termine le {_date(session.end_date)} : son bilan pourra être déclaré "
        f"à partir du lendemain, une fois la session terminée."
    )


def _check_hours(session: Session, hours) -> list[str]:
    if hours is None or hours == "":
        return ["Indiquez les heures dispensées."]
    try:
        hours = Decimal(str(hours).replace(",", "."))
    except InvalidOperation:
        return ["Indiquez les heures dispensées en nombre, par exemple 14 ou 10,5."]
    if not hours.is_finite():
        return ["Indiquez les heures dispensées en nombre, par exemple 14 ou 10,5."]
    if hours < 0:
        return ["Les heures dispensées ne peuvent pas être négatives."]
    if hours != hours.quantize(Decimal("0.1")):
        return ["Indiquez les heures dispensées avec au plus une décimale, par exemple 10,5."]
    cap = hours_cap(session)
    if hours > cap:
        if session.offer.duration_hours:
            return [
                f"{decimal_text(hours)} heures dispensées pour une formation de {decimal_text(Decimal(session.offer.duration_hours))} heures : "
                f"c'est plus de {HOURS_CAP_FACTOR} fois sa durée, vérifiez le nombre d'heures."
            ]
        return [
            f"{decimal_text(hours)} heures dispensées : c'est plus de {HOURS_PER_DAY} heures par jour de session, vérifiez-le."
        ]
    return []


def validate(session: Session, hours, lines, today=None) -> tuple[Decimal, list[Line]]:
    """The bilan's hours and lines, checked; raises a ValidationError listing every problem in French."""
    if not has_ended(session, today):
        raise ValidationError(not_ended_message(session))
    errors = _check_hours(session, hours)
    lines = list(lines)
    if not lines:
        errors.append("Indiquez au moins une ligne de participants : le public, le département et le nombre de participants.")
    if len(lines) > MAX_LINES:
        errors.append(f"Un bilan compte au plus {MAX_LINES} lignes : regroupez les participants par public et par département.")
        raise ValidationError(errors)
    known = set(Departement.objects.filter(code__in={line.departement for line in lines}).values_list("code", flat=True))
    names = dict(Departement.objects.filter(code__in=known).values_list("code", "name"))
    seen, total = set(), 0
    for number, line in enumerate(lines, start=1):
        if line.audience not in Audience.values:
            errors.append(f"Ligne {number} : public inconnu « {str(line.audience)[:50]} ».")
            continue
        if line.departement not in known:
            errors.append(f"Ligne {number} : département inconnu « {str(line.departement)[:50]} ».")
            continue
        if not isinstance(line.participants, int) or line.participants < 1:
            errors.append(f"Ligne {number} : le nombre de participants est d'au moins 1 (laissez la ligne vide pour l'ignorer).")
            continue
        key = (line.audience, line.departement)
        if key in seen:
            errors.append(
                f"La ligne « {Audience(line.audience).label} — {names[line.departement]} ({line.departement}) » "
                "figure deux fois : regroupez ses participants sur une seule ligne."
            )
        seen.add(key)
        total += line.participants
    if total > session.capacity:
        errors.append(
            f"Le bilan compte {french_count(total)} participant{french_plural(total)} pour "
            f"{french_count(session.capacity)} place{french_plural(session.capacity)} : corrigez le nombre de participants, "
            "qui ne peut pas dépasser le nombre de places de la session."
        )
    if errors:
        raise ValidationError(errors)
    return Decimal(str(hours).replace(",", ".")), lines


def _summary(hours, lines) -> dict:
    return {
        "heures": decimal_text(Decimal(hours)),
        "participants": sum(line.participants for line in lines),
        "lignes": [[line.audience, line.departement, line.participants] for line in lines],
    }


def _stored_lines(report: SessionReport) -> list[Line]:
    return [Line(line.audience, line.departement_id, line.participants) for line in report.lines.order_by("id")]


def submit_report(user, session: Session, *, hours, lines, today=None) -> tuple[SessionReport, bool]:
    """Declare (or correct) the bilan of `session`. Returns (report, created)."""
    policy.require(user, "training.report_session", session)
    with transaction.atomic():
        session = Session.objects.select_for_update(of=("self",)).select_related("offer").get(pk=session.pk)
        hours, lines = validate(session, hours, lines, today)
        report = SessionReport.objects.select_for_update().filter(session=session).first()
        created = report is None
        if created:
            try:
                with transaction.atomic():
                    report = SessionReport.objects.create(session=session, hours_delivered=hours, submitted_by=user)
            except IntegrityError:  # declared at the same time by another member: this one corrects it
                report = SessionReport.objects.select_for_update().get(session=session)
                created = False
        before = None if created else _summary(report.hours_delivered, _stored_lines(report))
        if not created:
            report.hours_delivered = hours
            report.submitted_by = user
            report.save()
            report.lines.all().delete()
        ReportLine.objects.bulk_create(
            ReportLine(report=report, audience=line.audience, departement_id=line.departement, participants=line.participants)
            for line in lines
        )
        record(actor=user, obj=report, action="training.report.submit", before=before, after=_summary(hours, lines))
        coverage_snapshots.changed()  # the steering's snapshots count the professionals trained
    return report, created


# -- Reading -----------------------------------------------------------------------------------


def sessions_of_member(user):
    return Session.objects.filter(offer__organisation__members=user) if user.is_authenticated else Session.objects.none()


def awaiting_report(user, today=None):
    """The ended sessions of the user's organisations whose bilan is not declared yet, oldest first."""
    today = today or timezone.localdate()
    return (
        sessions_of_member(user)
        .filter(end_date__lt=today)
        .exclude(Exists(SessionReport.objects.filter(session=OuterRef("pk"))))
        .select_related("offer__organisation", "commune")
        .order_by("end_date", "id")
    )


def declared_reports(user):
    """The bilans of the user's organisations, the latest first, with their participants' total."""
    if not user.is_authenticated:
        return SessionReport.objects.none()
    return (
        SessionReport.objects.filter(session__offer__organisation__members=user)
        .select_related("session__offer__organisation", "session__commune")
        .annotate(participants=Sum("lines__participants"))
        .order_by("-session__end_date", "-id")
    )
