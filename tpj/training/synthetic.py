"""Synthetic training offer for load tests (issue 20, « Scale, proven by a benchmark »).

`load(offers, sessions)` bulk-creates, deterministically for a seed:

- training organisations (one per 20 offers), each with a check-digit-valid SIRET, an
  11-digit numéro de déclaration d'activité and, for most, Qualiopi with a date, at a commune
  drawn in proportion to its population (as the registry's generator spreads its entries);
- published offers over the 7 themes (one or two each), with their audiences, funding routes,
  duration, price, objectives and programme in French (accents included, so that the
  accent-insensitive search has something to fold);
- sessions spread over the offers (at least one each), from today − 6 months to today + 12
  months, 10 % remote (no commune), the others at communes drawn by population; an offer whose
  sessions are all remote is « distanciel », one with both kinds « mixte »;
- for half of the sessions already over, a report (hours, participants by audience and
  département, never more than the seats taken), which feeds the steering's coverage.

Rows go in through `bulk_create` (no `save()`, no audit: this is load-test data, never demo
or production data), so the generator sets what `save()` would: the offer's `search_text`
and the organisation's région.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tpj.accounts.demo import demo_siret
from tpj.core.public_cache import versions
from tpj.core.text import normalize
from tpj.nomenclatures.models import TrainingTheme
from tpj.territories.models import Commune

from .models import (
    Audience,
    Format,
    FundingRoute,
    Offer,
    OfferAudience,
    OfferFundingRoute,
    OfferState,
    ReportLine,
    Session,
    SessionReport,
    TrainingOrganisation,
)
from .models.offers import bits

OFFERS_PER_ORGANISATION = 20
REMOTE_SHARE = 0.10
PAST_DAYS = 182  # sessions start from today − 6 months…
FUTURE_DAYS = 365  # …to today + 12 months
REPORTED_SHARE = 0.5  # of the sessions already over
BATCH = 2000

# Title stems by theme number: accents and apostrophes on purpose.
TITLES = {
    1: [
        "Favoriser l'éveil au langage",
        "Lire des albums aux tout-petits",
        "Parler bébé : les premiers mots",
        "Comptines et jeux de doigts",
    ],
    2: [
        "Éveil à la nature et au jardin",
        "L'alimentation du jeune enfant",
        "Sorties en forêt avec les tout-petits",
        "Cuisiner avec les enfants",
    ],
    3: [
        "Éveil artistique et culturel",
        "Musique et petite enfance",
        "Danse et motricité libre",
        "Le théâtre d'objets pour les bébés",
    ],
    4: ["Réussir l'accueil occasionnel", "Accueillir un enfant pour quelques heures", "L'adaptation en accueil occasionnel"],
    5: ["Prévenir les stéréotypes de genre", "Égalité filles-garçons dès la crèche", "Des jeux sans stéréotypes"],
    6: ["Accueillir les parents", "Coéducation : travailler avec les familles", "Le café des parents en structure"],
    7: ["Le numérique et les tout-petits", "Écrans et petite enfance", "Outils numériques pour les relais"],
}
FLAVOURS = ["niveau 1", "approfondissement", "en équipe", "pour les professionnel·les", "pratique", "initiation"]
ORGANISATION_NAMES = [
    "Institut de formation petite enfance",
    "Centre de formation Éveil et Enfance",
    "Association Premiers Pas Formation",
    "Organisme Les Petites Mains",
    "École des métiers de l'enfance",
    "Coopérative Grandir Ensemble",
]
OBJECTIVES = [
    "Comprendre le développement du jeune enfant et adapter ses pratiques.",
    "Construire des activités d'éveil avec les enfants de 0 à 3 ans.",
    "Échanger sur ses pratiques et repartir avec des outils concrets.",
]
PROGRAMME = "Jour 1 : apports théoriques et échanges. Jour 2 : mises en situation, analyse de pratiques et bilan."
ACCESSIBILITY = "Locaux accessibles ; contactez notre référent handicap pour adapter la formation."
FUNDING_DETAILS = "Prise en charge possible selon votre statut : renseignez-vous auprès de l'organisme."


@dataclass
class Loaded:
    organisations: int
    offers: int
    sessions: int
    remote: int
    reports: int
    participants: int


class Generator:
    """Reference data read once: communes (with their population as weight) and the themes."""

    def __init__(self, seed=2020):
        self.rng = random.Random(seed)
        self.communes = list(
            Commune.objects.order_by("insee_code").values_list("insee_code", "departement_id", "region_id", "population")
        )
        if not self.communes:
            raise RuntimeError("Aucune commune : chargez d'abord les territoires (manage.py load_territories).")
        self.positions = {
            insee: (latitude, longitude)
            for insee, latitude, longitude in Commune.objects.values_list("insee_code", "latitude", "longitude")
        }
        self.cum_weights = []
        total = 0
        for commune in self.communes:
            total += max(commune[3], 1)
            self.cum_weights.append(total)
        self.themes = dict(TrainingTheme.objects.values_list("number", "pk"))
        if not self.themes:
            raise RuntimeError("Aucun thème de formation : chargez d'abord les nomenclatures.")

    def communes_by_population(self, count):
        return self.rng.choices(self.communes, cum_weights=self.cum_weights, k=count)


def _activity_number(rng) -> str:
    return "".join(rng.choice("0123456789") for _ in range(11))


def _offer_format(rng, remote: int, total: int) -> str:
    if remote == total:
        return Format.REMOTE
    if remote:
        return Format.BLENDED
    return Format.BLENDED if rng.random() < 0.1 else Format.IN_PERSON


def load(offers: int, sessions: int, seed: int = 2020, today: datetime.date | None = None) -> Loaded:
    """Insert `offers` published offers and `sessions` sessions (at least one per offer) with
    their organisations and reports; return what was created."""
    if offers < 1 or sessions < offers:
        raise ValueError("Il faut au moins une offre et au moins une session par offre.")
    generator = Generator(seed)
    rng = generator.rng
    today = today or timezone.localdate()
    now = timezone.now()
    audiences, routes = list(Audience.values), list(FundingRoute.values)

    # Organisations, at communes drawn by population.
    organisation_count = max(1, offers // OFFERS_PER_ORGANISATION)
    organisations = []
    for index, (insee, _, region, _) in enumerate(generator.communes_by_population(organisation_count)):
        name = f"{rng.choice(ORGANISATION_NAMES)} {index + 1}"
        qualiopi = rng.random() < 0.8
        organisations.append(
            TrainingOrganisation(
                name=name,
                siret=demo_siret(f"synthetic training organisation {seed} {index}"),
                activity_number=_activity_number(rng),
                qualiopi=qualiopi,
                qualiopi_date=datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randint(0, 1400)) if qualiopi else None,
                commune_id=insee,
                region_id=region,
            )
        )

    # Which offer each session belongs to (one each first, then skewed: some offers run often),
    # and which sessions are remote (exactly REMOTE_SHARE of them).
    weights = [rng.choice((1, 1, 1, 2, 3, 6)) for _ in range(offers)]
    owners = list(range(offers)) + rng.choices(range(offers), weights=weights, k=sessions - offers)
    remote = set(rng.sample(range(sessions), round(sessions * REMOTE_SHARE)))
    remote_count, session_count = [0] * offers, [0] * offers
    for index, owner in enumerate(owners):
        session_count[owner] += 1
        remote_count[owner] += index in remote

    with transaction.atomic():
        TrainingOrganisation.objects.bulk_create(organisations, batch_size=BATCH)
        offer_rows = []
        for index in range(offers):
            organisation = organisations[index % organisation_count]
            numbers = rng.sample(sorted(generator.themes), rng.choice((1, 1, 1, 2)))
            title = f"{rng.choice(TITLES[numbers[0]])} — {rng.choice(FLAVOURS)}"
            objectives = rng.choice(OBJECTIVES)
            offer = Offer(
                organisation=organisation,
                title=title,
                objectives=objectives,
                programme=PROGRAMME,
                duration_hours=Decimal(rng.choice((7, 7, 14, 14, 21, 35))),
                format=_offer_format(rng, remote_count[index], session_count[index]),
                price_cents=0 if rng.random() < 0.15 else rng.randint(8, 120) * 1000,
                funding_details=FUNDING_DETAILS,
                accessibility=ACCESSIBILITY,
                registration_url=f"https://formation.example.fr/offres/{seed}-{index}",
                contact_email="contact@formation.example.fr",
                state=OfferState.PUBLISHED,
                submitted_at=now,
                published_at=now,
                search_text=normalize(" ".join((title, objectives, PROGRAMME, organisation.name))),
            )
            offer._numbers = numbers
            offer_rows.append(offer)
        Offer.objects.bulk_create(offer_rows, batch_size=BATCH)

        Through = Offer.themes.through
        Through.objects.bulk_create(
            (Through(offer_id=o.pk, trainingtheme_id=generator.themes[n]) for o in offer_rows for n in o._numbers),
            batch_size=BATCH,
        )
        for o in offer_rows:
            o._audiences = rng.sample(audiences, rng.randint(1, 3))
            o._routes = rng.sample(routes, rng.randint(1, 3))
        OfferAudience.objects.bulk_create(
            (OfferAudience(offer_id=o.pk, audience=a) for o in offer_rows for a in o._audiences), batch_size=BATCH
        )
        OfferFundingRoute.objects.bulk_create(
            (OfferFundingRoute(offer_id=o.pk, route=r) for o in offer_rows for r in o._routes), batch_size=BATCH
        )
        # What Session.save would copy from each offer (bulk_create does not call it): every offer is published.
        copies = [
            {
                "published": True,
                "theme_bits": bits(o._numbers, offset=1),
                "audience_bits": bits(Audience.values.index(a) for a in o._audiences),
                "funding_bits": bits(FundingRoute.values.index(r) for r in o._routes),
            }
            for o in offer_rows
        ]

        places = iter(generator.communes_by_population(sessions - len(remote)))
        session_rows = []
        for index, owner in enumerate(owners):
            start = today + datetime.timedelta(days=rng.randint(-PAST_DAYS, FUTURE_DAYS))
            end = start + datetime.timedelta(days=rng.choice((0, 0, 1, 1, 2)))
            capacity = rng.choice((8, 10, 12, 12, 14, 15, 16, 20, 25))
            # Sessions over have had takers; the others fill up as they get closer.
            seats_left = rng.randint(0, capacity // 3) if end < today else rng.randint(0, capacity)
            is_remote = index in remote
            place = None if is_remote else next(places)
            latitude, longitude = generator.positions[place[0]] if place else (None, None)
            session_rows.append(
                Session(
                    offer_id=offer_rows[owner].pk,
                    start_date=start,
                    end_date=end,
                    is_remote=is_remote,
                    commune_id=place[0] if place else None,
                    capacity=capacity,
                    seats_left=seats_left,
                    **copies[owner],
                    length_days=(end - start).days,
                    latitude=latitude,
                    longitude=longitude,
                    departement_id=place[1] if place else None,
                    region_id=place[2] if place else None,
                )
            )
        Session.objects.bulk_create(session_rows, batch_size=BATCH)

        reports, lines = _reports(generator, session_rows, offer_rows, owners, today)
        versions.bump(versions.TRAINING)  # bulk rows send no signal; a kept cache (Redis) must not serve an older base
    return Loaded(
        organisations=organisation_count,
        offers=offers,
        sessions=sessions,
        remote=len(remote),
        reports=reports,
        participants=lines,
    )


def _reports(generator, session_rows, offer_rows, owners, today) -> tuple[int, int]:
    """Reports for REPORTED_SHARE of the sessions over: participants ≤ the seats taken, each line
    a distinct (audience, département): mostly the session's own, else one drawn by population."""
    rng = generator.rng
    departement_of = {insee: departement for insee, departement, _, _ in generator.communes}
    audiences = list(Audience.values)
    reports, pending = [], []
    for session, owner in zip(session_rows, owners, strict=True):
        taken = session.capacity - session.seats_left
        if session.end_date >= today or taken < 1 or rng.random() >= REPORTED_SHARE:
            continue
        hours = offer_rows[owner].duration_hours
        reports.append(SessionReport(session_id=session.pk, hours_delivered=hours))
        pending.append((session, taken))
    SessionReport.objects.bulk_create(reports, batch_size=BATCH)
    lines, participants = [], 0
    for report, (session, taken) in zip(reports, pending, strict=True):
        home = departement_of[session.commune_id] if session.commune_id else generator.communes_by_population(1)[0][1]
        left, seen = taken, set()
        for _ in range(rng.randint(1, 3)):
            if left < 1:
                break
            departement = home if rng.random() < 0.8 else generator.communes_by_population(1)[0][1]
            key = (rng.choice(audiences), departement)
            if key in seen:
                continue
            seen.add(key)
            count = rng.randint(1, left)
            left -= count
            participants += count
            lines.append(ReportLine(report_id=report.pk, audience=key[0], departement_id=key[1], participants=count))
    ReportLine.objects.bulk_create(lines, batch_size=BATCH)
    return len(reports), participants
