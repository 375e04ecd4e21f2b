"""Demo of the territorial strand of the training plan run as a call (issue 20 §7): the
« AAP territorial formation petite enfance » of Bretagne, created and published by its
commissaire (commissaire.bretagne@) with the calls' engine, open, with one submitted application
of the Breton training organisation (formation@). Idempotent; every date relative to the day of
the load, in the current campaign (tpj/calls/demo.py builds it first)."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from tpj.nomenclatures.models import FundingSource
from tpj.territories.models import Commune

from .demo import _campaign, current_calendar
from .letters import simple_pdf
from .models import Call, Envelope
from .services.applications import create_application, submit_application
from .services.calls import create_call, fire_call
from .services.content import ApplicationContent

COMMISSAIRE = "commissaire.bretagne@demo.1000jours.fr"
TRAINER = "formation@demo.1000jours.fr"
ENVELOPE = Decimal("150000")


def _content(call, trainer) -> ApplicationContent:
    themes = [a for a in call.axes.all() if a.position in (1, 5)]  # le langage, la prévention des stéréotypes
    return ApplicationContent(
        title="Parler avec les tout-petits, sans stéréotypes : départs en formation en Ille-et-Vilaine",
        description=(
            "Deux sessions de trois jours pour les équipes des crèches et les assistantes maternelles des relais "
            "petite enfance : le langage des tout-petits et la prévention des stéréotypes, avec un temps d'analyse "
            "des pratiques trois mois après."
        ),
        target_public="Professionnels des EAJE, assistants maternels et animateurs de relais petite enfance.",
        carrier_siret=trainer.organisation.siret,
        start_date=call.projects_start_date,
        end_date=call.projects_start_date + datetime.timedelta(days=270),
        call_axes=themes,
        places=list(Commune.objects.filter(insee_code__in=["35238", "35047"])),
        partners=[],
        budget_lines=[
            {"label": "Formateurs et ingénierie pédagogique", "amount": Decimal("38000")},
            {"label": "Remplacement des professionnels en formation", "amount": Decimal("12000")},
        ],
        cofinancings=[{"source": FundingSource.objects.get(slug="collectivites"), "amount": Decimal("10000")}],
        requests={"CLP": Decimal("40000")},
        indicators=[
            {
                "name": "Professionnels formés",
                "baseline": "0",
                "target": "60",
                "method": "Feuilles d'émargement des sessions",
            }
        ],
    )


def load(accounts: dict) -> None:
    commissaire, trainer = accounts.get(COMMISSAIRE), accounts.get(TRAINER)
    if commissaire is None or trainer is None or trainer.organisation is None:
        return
    today = timezone.localdate()
    national, calendar = current_calendar(today)
    campaign = _campaign(today.year, national)
    if Call.objects.filter(campaign=campaign, region_id="53", strand=Call.Strand.TERRITORIAL).exists():
        return
    call = create_call(commissaire, campaign, Call.Strand.TERRITORIAL)
    call.summary = (
        "Le volet territorial du plan de formation des professionnels de la petite enfance finance des départs en "
        "formation sur les 7 thèmes du plan : candidatures ouvertes aux organismes de formation et aux employeurs bretons."
    )
    for name, value in calendar.items():
        setattr(call, name, value)
    call.cahier_des_charges.save(
        f"cahier-des-charges-formation-{call.region_id}-{campaign.year}.pdf",
        ContentFile(
            simple_pdf(
                call.title,
                [
                    "Cahier des charges de l'appel à projets territorial du plan de formation petite enfance.",
                    "Axes : les 7 thèmes du plan de formation. Projets portés par une structure dotée d'un SIRET, "
                    "dont toutes les sessions ont lieu dans la région.",
                ],
            )
        ),
        save=False,
    )
    call.save()
    Envelope.objects.filter(call=call).update(local_top_up=ENVELOPE)  # the commissaire's own envelope
    call = fire_call(call, commissaire, "publish")
    app, _ = create_application(trainer, call, _content(call, trainer))
    submit_application(app, trainer)
