"""Demo of last year's campaign in Bretagne: the national minimum out of reach, a national
derogation, then a convention signed and its first instalment paid.

The joint ARS-DREETS Bretagne call of the previous campaign received two applications only,
porteur@'s (90 000 €) and the Centre hospitalier de Saint-Brieuc's (70 000 €). Both laureates at
the amounts they asked (an allocation never exceeds the request) make 160 000 € against the
200 000 € minimum of a joint call: the list could not be decided. ars.bretagne@ asked the national
team for a derogation with its reason; national@ granted it (160 000 € accepted, with its reason:
both in the audit log, on the call's page and on that campaign's national dashboard); the list was
then decided, the decisions notified (their letters wait for a worker, as the 2021 call's) and
transmitted in time. porteur@'s convention was prepared from the decision (schedule 70 % at the
signature, 30 % on the final report), drawn by the worker's task (as the worker tier's demo draws
a decision letter), signed by porteur@, and its first instalment on the ARS envelope paid.

Every date is relative to the day of the load, one year before the current campaign
(tpj.calls.demo.current_calendar: its declarations are due 14 days before the load), so that the
whole story is over on any day: declared, published, closed, derogation, laureates, transmission,
convention signed and paid, projects started — in that order, each national deadline met.
Everything goes through the services; the dates no service sets in the past are moved back by an
update at the end, as the 2021 story does. Runs after `tpj.calls.demo.load` (listed after it in
`tpj.demo.services.MODULE_LOADERS`); safe to run twice: skipped when the call exists.
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from .demo import EXTRA_APPLICANTS, _applicant, _apply, _call, _campaign, _content, _declare
from .letters import simple_pdf
from .models import (
    Application,
    Call,
    Campaign,
    Convention,
    DecisionLetter,
    InstalmentPayment,
    JuryMember,
    MinimumDerogation,
    Payment,
)
from .services.calls import fire_call, transmit
from .services.conventions import (
    ScheduleLine,
    current_convention,
    issue_convention,
    record_instalment_payment,
    request_convention,
    save_schedule,
    shares,
    sign_convention,
)
from .services.decisions import decide, notify_decisions
from .services.derogations import grant_derogation, request_derogation
from .services.follow_up import record_start
from .services.instruction import declare_eligible
from .services.jury import add_jury_member, assign, declare_conflict, save_scores

MANAGER = "ars.bretagne@demo.1000jours.fr"
OTHER_MANAGER = "dreets.bretagne@demo.1000jours.fr"
NATIONAL = "national@demo.1000jours.fr"
CARRIER = "porteur@demo.1000jours.fr"
JUROR = "jury.caf@demo.1000jours.fr"

PORTEUR_TITLE = "Maison des familles itinérante en Pays de Rennes"
CHSB_TITLE = "Consultations de périnatalité en Centre-Bretagne"
PORTEUR_REQUESTS = {"ARS": Decimal("50000"), "DREETS": Decimal("40000")}
CHSB_REQUESTS = {"ARS": Decimal("40000"), "DREETS": Decimal("30000")}
ACCEPTED = Decimal("160000")
REQUEST_REASON = (
    "Deux candidatures seulement ont été déposées ; recevables et bien classées par le jury, elles sont retenues au "
    "montant qu'elles demandent (160 000 € au total). Aucune autre candidature ne permet d'atteindre le minimum "
    "national de 200 000 € d'un appel commun : nous demandons une dérogation pour arrêter la liste."
)
GRANT_REASON = (
    "Dérogation accordée : les deux projets couvrent le repérage des vulnérabilités et l'accompagnement des parents "
    "dans un territoire peu doté ; la région relancera un appel plus largement diffusé l'an prochain."
)
SCHEDULE = [("À la signature de la convention", 70), ("Sur remise du rapport final", 30)]

# The previous campaign's story, in days from the day of the load (all of it in the past).
PREVIOUS_NATIONAL_DEADLINES = {
    "intent_deadline": -379,
    "laureates_deadline": -295,
    "transmission_deadline": -285,
    "projects_start_deadline": -255,
}
PREVIOUS_CALL_CALENDAR = {"publication_date": -375, "jury_date": -320, "laureates_date": -305, "projects_start_date": -265}
PREVIOUS_APPLICATIONS_DEADLINE = -335  # at noon, Paris time
# When each step of the story took place (days from the load, at 10:00 Paris time).
STEPS = {
    "submitted": -340,
    "decided": -316,
    "derogation_requested": -314,
    "derogation_granted": -309,
    "laureates_decided": -305,
    "transmitted": -300,
    "convention_prepared": -299,
    "convention_issued": -298,
    "signed": -290,
    "paid": -280,
    "started": -265,
    "final_report": 135,
}


def _day(today: datetime.date, days: int) -> datetime.date:
    return today + datetime.timedelta(days=days)


def _moment(today: datetime.date, step: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(_day(today, STEPS[step]), datetime.time(10)))


def previous_calendar(today: datetime.date) -> tuple[dict, dict]:
    """The previous campaign's national deadlines and its Bretagne call's calendar before `today`."""
    national = {name: _day(today, days) for name, days in PREVIOUS_NATIONAL_DEADLINES.items()}
    call = {name: _day(today, days) for name, days in PREVIOUS_CALL_CALENDAR.items()}
    deadline = datetime.datetime.combine(_day(today, PREVIOUS_APPLICATIONS_DEADLINE), datetime.time(12))
    call["applications_deadline"] = timezone.make_aware(deadline)
    return national, call


def previous_call() -> Call | None:
    """The demo's joint Bretagne call of the previous campaign, once loaded."""
    year = timezone.localdate().year - 1
    return Call.objects.filter(campaign__year=year, region_id="53", strand=Call.Strand.JOINT).first()


def _play(accounts, campaign, calendar) -> Call:
    """Declare, publish, apply, close, score, decide under a derogation, notify, transmit, and
    prepare porteur@'s convention: the steps of the story the services take today."""
    ars, dreets, national = accounts[MANAGER], accounts[OTHER_MANAGER], accounts[NATIONAL]
    porteur, juror = accounts[CARRIER], accounts.get(JUROR)
    _declare(ars, campaign, True)
    _declare(dreets, campaign, True)
    # open for an hour while the story is played; its dates are written at the end
    playing = {**calendar, "applications_deadline": timezone.now() + datetime.timedelta(hours=1)}
    call, created = _call(
        ars,
        campaign,
        Call.Strand.JOINT,
        "Appel commun de l'ARS et de la DREETS Bretagne : repérer tôt les vulnérabilités et accompagner les parents.",
        playing,
    )
    if not created:
        return call
    chsb = _applicant(*EXTRA_APPLICANTS[1])
    first = _apply(
        porteur,
        call,
        _content(
            call,
            PORTEUR_TITLE,
            "Une maison des familles qui se déplace dans les communes rurales du Pays de Rennes : accueil parents-enfants, "
            "permanences de PMI et ateliers de soutien à la parentalité.",
            ["35238", "35047"],
            PORTEUR_REQUESTS,
            axes=(1, 3),
        ),
    )
    second = _apply(
        chsb,
        call,
        _content(
            call,
            CHSB_TITLE,
            "Des consultations avancées de sages-femmes et de puéricultrices dans les maisons de santé du Centre-Bretagne.",
            ["22278"],
            CHSB_REQUESTS,
            axes=(1, 2),
        ),
    )
    call = fire_call(call, ars, "close_applications")
    for app in (first, second):
        declare_eligible(app, ars)
    if juror is not None:
        add_jury_member(call, ars, juror, JuryMember.Kind.FUNDER)
        assign(call, ars)
        criteria = list(call.criteria.all())
        for app, value in ((first, 4), (second, 4)):
            sheet = juror.jury_seats.get(call=call).sheets.get(application=app)
            declare_conflict(sheet, juror, has_conflict=False)
            save_scores(sheet, juror, {c.pk: (value, False) for c in criteria}, "Projet utile au territoire.", submit=True)
    decide(first, ars, Application.State.LAUREATE, "Projet solide, bien implanté, indicateurs précis.", PORTEUR_REQUESTS)
    decide(second, dreets, Application.State.LAUREATE, "Répond au repérage précoce des fragilités.", CHSB_REQUESTS)
    # « Arrêter la liste des lauréats » is refused at 160 000 € of 200 000 €: the way out
    request_derogation(call, ars, REQUEST_REASON)
    grant_derogation(call, national, ACCEPTED, GRANT_REASON)
    call = fire_call(call, ars, "decide_laureates")
    notify_decisions(call, ars)  # the letters wait for a worker
    transmit(call, dreets)
    first = Application.objects.get(pk=first.pk)
    lines = [
        ScheduleLine(SCHEDULE[0][0], SCHEDULE[0][1], _day(timezone.localdate(), STEPS["signed"])),
        ScheduleLine(SCHEDULE[1][0], SCHEDULE[1][1], _day(timezone.localdate(), STEPS["final_report"])),
    ]
    convention = save_schedule(first, ars, lines, timezone.localdate() + datetime.timedelta(days=61))
    request_convention(convention, ars)  # queued for a worker on commit
    return call


def _sign_and_pay(accounts, app: Application) -> bool:
    """porteur@ signs the convention the worker drew; ars.bretagne@ pays its first instalment on
    the ARS envelope. Return whether the payment was recorded now."""
    convention = current_convention(app)
    if convention is None:
        return False
    if convention.state == Convention.State.REQUESTED:
        issue_convention(convention.pk)  # the worker's task: drawn, stored with its SHA-256, e-mailed
        convention.refresh_from_db()
    if convention.state == Convention.State.ISSUED:
        signed = simple_pdf(f"Convention de subvention {app.reference}", ["Exemplaire signé par les parties."])
        upload = SimpleUploadedFile(f"convention-signee-{app.reference}.pdf", signed, content_type="application/pdf")
        convention = sign_convention(convention, accounts[CARRIER], upload, timezone.localdate())
    if (
        convention.state != Convention.State.SIGNED
        or InstalmentPayment.objects.filter(instalment__convention=convention).exists()
    ):
        return False
    share = next(s for s in shares(convention) if s.request.envelope.agency == "ARS")
    record_instalment_payment(share.instalment, share.request, accounts[MANAGER], share.due, timezone.localdate())
    return True


def _date_the_story(call: Call, today: datetime.date, calendar: dict) -> None:
    """Move back the moments the services stamped today to when the story had them."""
    at = {step: _moment(today, step) for step in STEPS}
    Call.objects.filter(pk=call.pk).update(
        publication_date=calendar["publication_date"],
        published_at=timezone.make_aware(datetime.datetime.combine(calendar["publication_date"], datetime.time(9))),
        applications_deadline=calendar["applications_deadline"],
        laureates_decided_at=at["laureates_decided"],
        transmitted_at=at["transmitted"],
        transmitted_late=False,
    )
    apps = Application.objects.filter(call=call)
    apps.update(submitted_at=at["submitted"])
    laureates = apps.filter(state=Application.State.LAUREATE)
    # a decision, its letter and its convention share their moment (one of each per decision)
    for app in laureates:
        DecisionLetter.objects.filter(application=app, decided_at=app.decided_at).update(decided_at=at["decided"])
        Convention.objects.filter(application=app, decided_at=app.decided_at).update(decided_at=at["decided"])
    laureates.update(decided_at=at["decided"])
    MinimumDerogation.objects.filter(call=call).update(
        requested_at=at["derogation_requested"], decided_at=at["derogation_granted"]
    )
    conventions = Convention.objects.filter(application__call=call)
    conventions.update(
        created_at=at["convention_prepared"],
        issued_at=at["convention_issued"],
        signature_deadline=_day(today, STEPS["convention_issued"] + 61),
    )
    conventions.filter(state=Convention.State.SIGNED).update(signed_on=_day(today, STEPS["signed"]))
    apps.filter(convention_signed_on__isnull=False).update(convention_signed_on=_day(today, STEPS["signed"]))
    Payment.objects.filter(request__application__call=call).update(paid_on=_day(today, STEPS["paid"]))
    # the lists are transmitted: the campaign takes no new call
    Campaign.objects.filter(pk=call.campaign_id).update(state=Campaign.State.TRANSMITTED)


def load(accounts: dict) -> None:
    """Play last year's Bretagne story (safe to run twice: skipped once its call exists)."""
    needed = (MANAGER, OTHER_MANAGER, NATIONAL, CARRIER)
    if any(email not in accounts for email in needed):
        return
    today = timezone.localdate()
    if today.year - 1 <= 2021:  # the 2021 campaign is the instruction's own story (tpj.calls.demo)
        return
    national, calendar = previous_calendar(today)
    with transaction.atomic():
        call = previous_call() or _play(accounts, _campaign(today.year - 1, national), calendar)
    app = Application.objects.filter(call=call, created_by=accounts[CARRIER], state=Application.State.LAUREATE).first()
    if app is None or not _sign_and_pay(accounts, app):
        return  # the story was played already (or the call is not the demo's)
    record_start(app, accounts[CARRIER], _day(today, STEPS["started"]))
    _date_the_story(call, today, calendar)
