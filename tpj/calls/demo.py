"""Demo data of the calls module (idempotent: each scenario is skipped when its call exists).

- Campaign 2021 (the instruction's values): a joint ARS-DREETS Bretagne call run through its
  whole lifecycle — applications, jury (jury.caf@ as funder, jury.reseau@ as operator,
  recused from the project its network partners), decisions on both envelopes, list
  transmitted: its laureates are public (Module 3 shows them).
- Current campaign (this year's, its national deadlines set around the day of the load): the
  Bretagne joint call published and open, with a draft of porteur@; an Occitanie ARS call
  managed by ars.occitanie@ (isolation).

Every date of the current campaign is relative to the day of the load (`current_calendar()`),
so that the story holds whatever that day: declarations made before the intent deadline, a
call published, open until its reception deadline, then its jury, its laureates before the
national deadline, their list transmitted, the projects started — always in that order.
"""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db.models import Value
from django.db.models.functions import Replace
from django.utils import timezone

from tpj.accounts.demo import DEMO_PASSWORD, demo_siret
from tpj.accounts.models import Organisation, Role, RoleAssignment, ScopeLevel, User
from tpj.nomenclatures.models import FundingSource
from tpj.notifications.models import Notification
from tpj.territories.models import Commune

from .letters import simple_pdf
from .models import Application, Call, Campaign, IntentDeclaration, JuryMember
from .services.applications import create_application, submit_application
from .services.calls import create_call, fire_call, transmit
from .services.campaigns import declare_intent
from .services.content import ApplicationContent
from .services.decisions import decide, notify_decisions
from .services.follow_up import add_indicator_value, record_convention, record_start
from .services.instruction import declare_eligible
from .services.jury import add_jury_member, assign, declare_conflict, save_scores

EXTRA_APPLICANTS = [
    ("porteur.brest@demo.1000jours.fr", "Bruno", "Porteur", "Ville de Brest"),
    ("porteur.chsb@demo.1000jours.fr", "Claire", "Porteuse", "Centre hospitalier de Saint-Brieuc"),
    ("porteur.toulouse@demo.1000jours.fr", "Thomas", "Porteur", "Association Petite enfance Toulouse"),
]


def _applicant(email, first, last, organisation_name) -> User:
    org = Organisation.objects.filter(name=organisation_name).first()
    if org is None:
        org = Organisation.objects.create(
            name=organisation_name,
            kind=Organisation.Kind.ASSOCIATION,
            commune_id="31555",
            region_id="76",
            siret=demo_siret(organisation_name),
        )
    user = User.objects.filter(email=email).first() or User(email=email)
    user.first_name, user.last_name, user.organisation, user.is_demo = first, last, org, True
    user.email_confirmed_at = user.email_confirmed_at or timezone.now()
    user.set_password(DEMO_PASSWORD)
    user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.APPLICANT, defaults={"scope_level": ScopeLevel.NATIONAL})
    return user


# The current campaign's story, in days from the day of the load.
CURRENT_NATIONAL_DEADLINES = {
    "intent_deadline": -14,
    "laureates_deadline": 70,
    "transmission_deadline": 80,
    "projects_start_deadline": 110,
}
CURRENT_CALL_CALENDAR = {"publication_date": -10, "jury_date": 45, "laureates_date": 60, "projects_start_date": 100}
CURRENT_APPLICATIONS_DEADLINE = 30  # at noon, Paris time


def current_calendar(today: datetime.date) -> tuple[dict, dict]:
    """The current campaign's national deadlines and its calls' calendar around `today`."""
    national = {name: today + datetime.timedelta(days=days) for name, days in CURRENT_NATIONAL_DEADLINES.items()}
    call = {name: today + datetime.timedelta(days=days) for name, days in CURRENT_CALL_CALENDAR.items()}
    deadline_day = today + datetime.timedelta(days=CURRENT_APPLICATIONS_DEADLINE)
    call["applications_deadline"] = timezone.make_aware(datetime.datetime.combine(deadline_day, datetime.time(12)))
    return national, call


def _campaign(year, deadlines=None) -> Campaign:
    campaign, _ = Campaign.objects.get_or_create(year=year, defaults={**Campaign.defaults_for(year), **(deadlines or {})})
    return campaign


def _declare(user, campaign, joint):
    agency = user.organisation.kind.upper()
    if IntentDeclaration.objects.filter(campaign=campaign, region_id=user.organisation.region_id, agency=agency).exists():
        return
    declaration = declare_intent(user, campaign, joint=joint, referent_name=user.get_full_name(), referent_email=user.email)
    if campaign.intent_deadline < timezone.localdate():
        # The story: the agencies declared in time, three weeks before the national deadline,
        # and the national team was told then (the demo is loaded after that deadline).
        declared_at = timezone.make_aware(datetime.datetime.combine(campaign.intent_deadline, datetime.time(10)))
        declared_at -= datetime.timedelta(days=21)
        IntentDeclaration.objects.filter(pk=declaration.pk).update(declared_at=declared_at)
        Notification.objects.filter(
            content_type=ContentType.objects.get_for_model(declaration), object_id=str(declaration.pk)
        ).update(created_at=declared_at, title=Replace("title", Value(" (après l'échéance nationale)"), Value("")))


def _call(manager, campaign, strand, summary, calendar) -> tuple[Call, bool]:
    """The call, created then published with `calendar` (its dates), unless it exists."""
    existing = Call.objects.filter(campaign=campaign, region_id=manager.organisation.region_id, strand=strand).first()
    if existing:
        return existing, False
    call = create_call(manager, campaign, strand)
    call.summary = summary
    for name, value in calendar.items():
        setattr(call, name, value)
    call.cahier_des_charges.save(
        f"cahier-des-charges-{call.region_id}-{campaign.year}.pdf",
        ContentFile(
            simple_pdf(
                call.title,
                [
                    "Cahier des charges de l'appel à projets régional « 1000 premiers jours ».",
                    "Axes : les 6 axes nationaux de l'instruction SGMCAS/2021/74. Projets portés par une structure dotée d'un SIRET, "
                    "dont tous les lieux d'action sont dans la région.",
                    "Critères : fort potentiel (l'apport de crédits renforce l'ambition), qualité des indicateurs d'impact.",
                ],
            )
        ),
        save=False,
    )
    call.save()
    return fire_call(call, manager, "publish"), True


def _content(call, title, description, places, requests, partners=(), axes=(1, 3)):
    caf = FundingSource.objects.get(slug="caf-fnp")
    collectivites = FundingSource.objects.get(slug="collectivites")
    total = sum(requests.values()) + Decimal("40000")
    return ApplicationContent(
        title=title,
        description=description,
        target_public="Futurs parents et parents d'enfants de 0 à 3 ans, en particulier les familles isolées ou vulnérables.",
        carrier_siret="",
        start_date=call.projects_start_date,
        end_date=call.projects_start_date + datetime.timedelta(days=364),
        call_axes=[a for a in call.axes.all() if a.position in axes],
        places=list(Commune.objects.filter(insee_code__in=places)),
        partners=[{"name": n, "role": r} for n, r in partners],
        budget_lines=[
            {"label": "Personnel d'animation et de coordination", "amount": total - Decimal("15000")},
            {"label": "Matériel, supports et déplacements", "amount": Decimal("15000")},
        ],
        cofinancings=[
            {"source": caf, "amount": Decimal("25000"), "secured": True},
            {"source": collectivites, "amount": Decimal("15000")},
        ],
        requests=requests,
        indicators=[
            {
                "name": "Familles accompagnées",
                "baseline": "0",
                "target": "150",
                "method": "Registre anonymisé des participations",
            },
            {
                "name": "Parents déclarant moins d'isolement",
                "baseline": "—",
                "target": "70 %",
                "method": "Questionnaire à 3 et 9 mois",
            },
        ],
    )


def _apply(user, call, content, submit=True) -> Application:
    content.carrier_siret = user.organisation.siret
    app, _ = create_application(user, call, content)
    return submit_application(app, user) if submit else app


def _bretagne_2021(accounts):
    campaign = _campaign(2021)
    ars, dreets = accounts["ars.bretagne@demo.1000jours.fr"], accounts["dreets.bretagne@demo.1000jours.fr"]
    _declare(ars, campaign, True)
    _declare(dreets, campaign, True)
    call, created = _call(
        ars,
        campaign,
        Call.Strand.JOINT,
        "Appel commun de l'ARS et de la DREETS Bretagne : soutenir les initiatives locales pour un parcours sans rupture.",
        {
            # open for an hour while the story is played; its 2021 dates are written at the end
            "applications_deadline": timezone.now() + datetime.timedelta(hours=1),
            "jury_date": datetime.date(2021, 7, 23),
            "laureates_date": datetime.date(2021, 8, 27),
            "projects_start_date": datetime.date(2021, 10, 1),
        },
    )
    if not created:
        return
    porteur = accounts["porteur@demo.1000jours.fr"]
    brest, chsb = (_applicant(*spec) for spec in EXTRA_APPLICANTS[:2])
    a1 = _apply(
        porteur,
        call,
        _content(
            call,
            "Cafés des parents itinérants en Pays de Rennes",
            "Des cafés des parents animés par des professionnels de la PMI et de la parentalité, dans les quartiers et les communes rurales.",
            ["35238", "35047"],
            {"ARS": Decimal("60000"), "DREETS": Decimal("50000")},
            axes=(1, 3, 6),
            partners=[("Centre social de Cleunay", "Accueil des ateliers et relais auprès des familles")],
        ),
    )
    a2 = _apply(
        chsb,
        call,
        _content(
            call,
            "Sortie de maternité accompagnée en Côtes-d'Armor",
            "Visites à domicile coordonnées maternité-PMI pour les familles repérées vulnérables lors de l'entretien prénatal précoce.",
            ["22278"],
            {"ARS": Decimal("40000"), "DREETS": Decimal("50000")},
            axes=(1, 2),
            partners=[("Réseau périnatal de Bretagne", "Formation des professionnels et coordination du parcours")],
        ),
    )
    a3 = _apply(
        brest,
        call,
        _content(
            call,
            "Éveil culturel des tout-petits à Brest",
            "Ateliers lecture et musique dans les médiathèques et les crèches des quartiers prioritaires.",
            ["29019"],
            {"ARS": Decimal("30000"), "DREETS": Decimal("30000")},
            axes=(4,),
        ),
    )
    call = fire_call(call, ars, "close_applications")
    for app in (a1, a2, a3):
        declare_eligible(app, ars)
    caf_member, reseau_member = accounts["jury.caf@demo.1000jours.fr"], accounts["jury.reseau@demo.1000jours.fr"]
    add_jury_member(call, ars, caf_member, JuryMember.Kind.FUNDER)
    add_jury_member(call, ars, reseau_member, JuryMember.Kind.OPERATOR)
    assign(call, ars)
    criteria = list(call.criteria.all())
    for member, app, value in [
        (caf_member, a1, 5),
        (caf_member, a2, 4),
        (caf_member, a3, 3),
        (reseau_member, a1, 4),
        (reseau_member, a3, 3),
    ]:
        sheet = member.jury_seats.get(call=call).sheets.get(application=app)
        declare_conflict(sheet, member, has_conflict=False)
        save_scores(
            sheet,
            member,
            {c.pk: (value, False) for c in criteria},
            "Projet cohérent avec les besoins du territoire.",
            submit=True,
        )
    decide(
        a1,
        ars,
        Application.State.LAUREATE,
        "Projet à fort potentiel, partenariat solide, indicateurs précis.",
        {"ARS": Decimal("60000"), "DREETS": Decimal("50000")},
    )
    decide(
        a2,
        dreets,
        Application.State.LAUREATE,
        "Répond au repérage des fragilités et à la continuité du parcours.",
        {"ARS": Decimal("40000"), "DREETS": Decimal("50000")},
    )
    decide(a3, dreets, Application.State.WAITING_LIST, "Projet intéressant ; enveloppes entièrement engagées.")
    call = fire_call(call, ars, "decide_laureates")
    notify_decisions(call, ars)
    for app in (a1, a2):
        record_convention(app, ars, datetime.date(2021, 9, 15))
    transmit(call, dreets)
    Call.objects.filter(pk=call.pk).update(
        publication_date=datetime.date(2021, 6, 21),
        applications_deadline=datetime.datetime(2021, 7, 16, 12, 0, tzinfo=datetime.UTC),
        laureates_decided_at=datetime.datetime(2021, 8, 27, 10, 0, tzinfo=datetime.UTC),
        transmitted_at=datetime.datetime(2021, 9, 3, 10, 0, tzinfo=datetime.UTC),
        transmitted_late=False,
    )
    # the 2021 lists are transmitted: the campaign takes no new call
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.TRANSMITTED)
    app1 = Application.objects.get(pk=a1.pk)
    record_start(app1, porteur, datetime.date(2021, 10, 4))
    add_indicator_value(app1.indicators.first(), porteur, datetime.date(2022, 3, 31), "64", "Premier semestre")


def _current(accounts):
    today = timezone.localdate()
    national, calendar = current_calendar(today)
    campaign = _campaign(today.year, national)
    ars, dreets = accounts["ars.bretagne@demo.1000jours.fr"], accounts["dreets.bretagne@demo.1000jours.fr"]
    occitanie = accounts["ars.occitanie@demo.1000jours.fr"]
    _declare(ars, campaign, True)
    _declare(occitanie, campaign, False)
    call, created = _call(
        dreets, campaign, Call.Strand.JOINT, "Nouvel appel commun ARS-DREETS Bretagne : candidatures ouvertes.", calendar
    )
    if created:
        porteur = accounts["porteur@demo.1000jours.fr"]
        _apply(
            porteur,
            call,
            _content(
                call,
                "Relais parental de nuit à Rennes",
                "Un accueil de répit pour les parents épuisés.",
                ["35238"],
                {"ARS": Decimal("30000"), "DREETS": Decimal("30000")},
                axes=(3,),
            ),
            submit=False,
        )
        brest = _applicant(*EXTRA_APPLICANTS[0])
        _apply(
            brest,
            call,
            _content(
                call,
                "Pères en crèche",
                "Ateliers pères-enfants le samedi matin.",
                ["29019"],
                {"DREETS": Decimal("25000")},
                axes=(6,),
                partners=[("Réseau périnatal de Bretagne", "Sensibilisation des professionnels")],
            ),
        )
    call_occ, created = _call(occitanie, campaign, Call.Strand.ARS, "Appel de l'ARS Occitanie (volet santé).", calendar)
    if created:
        toulouse = _applicant(*EXTRA_APPLICANTS[2])
        _apply(
            toulouse,
            call_occ,
            _content(
                call_occ,
                "Santé environnementale des tout-petits à Toulouse",
                "Ateliers « Agir pour bébé » pour les futurs parents.",
                ["31555"],
                {"ARS": Decimal("50000")},
                axes=(2,),
            ),
        )


def load(accounts: dict):
    """Create the calls demo scenarios (safe to run twice)."""
    _bretagne_2021(accounts)
    _current(accounts)
