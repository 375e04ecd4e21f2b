"""Demo training offers of a Breton training organisation, over the 7 themes, with sessions
dated from today (past and coming), one awaiting the moderation (idempotent).

Published offers go through the real workflow (submitted by the organisation's demo member,
published by the national team), so that their history and notifications are those of the site.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from tpj.accounts.demo import demo_siret
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune

from .models import (
    Offer,
    OfferAudience,
    OfferFundingRoute,
    OfferState,
    Session,
    SessionReport,
    TrainingOrganisation,
    TrainingPlan,
)
from .services.offers import moderate, submit
from .services.plans import add_offer, create_plan, update_item
from .services.reports import Line, submit_report
from .workflow import Move

MEMBER = "formation@demo.1000jours.fr"
NATIONAL = "national@demo.1000jours.fr"
PROFESSIONAL = "pro@demo.1000jours.fr"
PLAN_NAME = "Formations de l'équipe — année à venir"
ORGANISATION = "Institut de formation petite enfance de Bretagne"
# Fictitious, check-digit-valid SIRET (tpj.accounts.demo.demo_siret's kind) and an 11-digit number.
ORGANISATION_FIELDS = {
    "activity_number": "53350912335",
    "qualiopi": True,
    "qualiopi_date": datetime.date(2022, 1, 14),
    "commune_id": "35238",
}

PUBLISHED, SUBMITTED = OfferState.PUBLISHED, OfferState.SUBMITTED

# title, themes, audiences, format, hours, price (cents), funding routes, target state,
# sessions: (days from today to the start, days long, commune or None for remote, capacity, seats left)
OFFERS = [
    (
        "Favoriser l'éveil au langage des tout-petits",
        (1,),
        ("eaje", "assistant_maternel"),
        "presentiel",
        "14",
        0,
        ("volet_national",),
        PUBLISHED,
        ((-40, 1, "35238", 14, 0), (21, 1, "29019", 14, 9), (75, 1, "56260", 14, 14)),
    ),
    (
        "Alimentation, nature et jardinage avec les jeunes enfants",
        (2,),
        ("eaje", "garde_domicile"),
        "mixte",
        "10,5",
        18000,
        ("volet_national", "opco"),
        PUBLISHED,
        ((35, 2, "29232", 12, 12),),
    ),
    (
        "L'art et la culture dès le berceau : albums, musique, arts plastiques",
        (3,),
        ("eaje", "assistant_maternel", "animateur_rpe"),
        "presentiel",
        "21",
        42000,
        ("volet_territorial", "employeur"),
        PUBLISHED,
        ((-10, 2, "22278", 16, 0), (50, 2, "35288", 16, 16)),
    ),
    (
        "Accueil occasionnel : accueillir l'enfant et sa famille sans rupture",
        (4, 6),
        ("eaje", "animateur_rpe"),
        "presentiel",
        "7",
        0,
        ("volet_national",),
        PUBLISHED,
        ((14, 0, "56121", 20, 3),),
    ),
    (
        "Prévenir les stéréotypes de genre dès la petite enfance",
        (5,),
        ("eaje", "assistant_maternel", "garde_domicile", "animateur_rpe"),
        "distanciel",
        "6",
        9000,
        ("volet_national", "opco"),
        PUBLISHED,
        ((10, 0, None, 30, 22), (60, 0, None, 30, 30)),
    ),
    (
        "Le numérique et les écrans : accompagner les parents de jeunes enfants",
        (7, 6),
        ("assistant_maternel", "animateur_rpe", "autre"),
        "mixte",
        "12",
        24000,
        ("employeur", "autre"),
        PUBLISHED,
        ((28, 1, "35238", 15, 15),),
    ),
    (
        "Accueillir les parents : la coéducation au quotidien",
        (6,),
        ("eaje", "assistant_maternel"),
        "presentiel",
        "14",
        30000,
        ("volet_territorial",),
        SUBMITTED,
        ((45, 1, "29019", 12, 12),),
    ),
]


def _organisation(member) -> TrainingOrganisation:
    organisation, _ = TrainingOrganisation.objects.update_or_create(
        name=ORGANISATION, defaults={**ORGANISATION_FIELDS, "siret": demo_siret(ORGANISATION)}
    )
    organisation.members.add(member)
    return organisation


def load(accounts: dict) -> None:
    member, national = accounts.get(MEMBER), accounts.get(NATIONAL)
    if member is None or national is None:
        return
    organisation = _organisation(member)
    today = timezone.localdate()
    themes = {theme.number: theme for theme in TrainingTheme.objects.all()}
    communes = Commune.objects.in_bulk({row[2] for spec in OFFERS for row in spec[8] if row[2]})
    for title, numbers, audiences, fmt, hours, price, routes, target, sessions in OFFERS:
        offer, created = Offer.objects.get_or_create(
            organisation=organisation,
            title=title,
            defaults={
                "objectives": f"À l'issue de la formation « {title} », les professionnel·les savent en faire une pratique du quotidien.",
                "programme": "Apports théoriques, analyse de situations vécues, mises en pratique et outils à rapporter.",
                "duration_hours": Decimal(hours.replace(",", ".")),
                "format": fmt,
                "price_cents": price,
                "funding_details": "Prise en charge selon la voie de financement : renseignez-vous auprès de l'organisme.",
                "accessibility": "Locaux accessibles de plain-pied ; référente handicap joignable avant l'inscription.",
                "registration_url": "https://formation-petite-enfance-bretagne.example.fr/inscription",
                "contact_email": "inscriptions@formation-petite-enfance-bretagne.example.fr",
            },
        )
        if not created:
            continue
        offer.themes.set([themes[number] for number in numbers])
        OfferAudience.objects.bulk_create(OfferAudience(offer=offer, audience=value) for value in audiences)
        OfferFundingRoute.objects.bulk_create(OfferFundingRoute(offer=offer, route=value) for value in routes)
        rows = [
            Session(
                offer=offer,
                start_date=today + datetime.timedelta(days=start),
                end_date=today + datetime.timedelta(days=start + length),
                commune=communes.get(commune) if commune else None,
                is_remote=commune is None,
                capacity=capacity,
                seats_left=seats_left,
            )
            for start, length, commune, capacity, seats_left in sessions
        ]
        copies = offer.session_copies()
        for row in rows:  # bulk_create does not call Session.save: the search's copies
            row.denormalise(copies, row.commune)
        Session.objects.bulk_create(rows)
        submit(offer, member)
        if target == PUBLISHED:
            moderate(offer, Move.PUBLISH, national)
    _plan_and_reports(accounts.get(PROFESSIONAL), member, organisation, today)


def _plan_and_reports(professional, member, organisation, today) -> None:
    """Journeys 4 and 5: the demo professional's plan (two offers, one with its session chosen),
    and, of the organisation's ended sessions, the oldest with its bilan, the others awaiting theirs."""
    offers = {offer.title: offer for offer in Offer.objects.filter(organisation=organisation, state=PUBLISHED)}
    if professional is not None and not TrainingPlan.objects.filter(owner=professional, name=PLAN_NAME).exists():
        plan = create_plan(professional, PLAN_NAME)
        language = offers.get(OFFERS[0][0])
        stereotypes = offers.get(OFFERS[4][0])
        if language is not None:
            item, _ = add_offer(professional, plan, language)
            update_item(
                professional, item, attendees="Sophie et une collègue de l'équipe", note="À financer par le volet national."
            )
        if stereotypes is not None:
            session = stereotypes.sessions.filter(start_date__gte=today).first()
            item, _ = add_offer(professional, plan, stereotypes, session)
            update_item(professional, item, attendees="Toute l'équipe, à distance", note="", session=session)
    ended = Session.objects.filter(offer__organisation=organisation, end_date__lt=today).order_by("end_date", "id").first()
    if ended is not None and not SessionReport.objects.filter(session=ended).exists():
        seats = ended.capacity
        lines = [Line("eaje", "35", max(1, seats // 2)), Line("assistant_maternel", "22", max(1, seats // 4))]
        submit_report(member, ended, hours=ended.offer.duration_hours or Decimal(7), lines=lines, today=today)
