import datetime
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from tests.calls.factories import CampaignFactory
from tests.factories import OrganisationFactory, UserFactory
from tpj.accounts.demo import demo_siret
from tpj.accounts.models import Organisation
from tpj.calls.models import Application, Call, CallAxis, CoFinancing, Envelope, EnvelopeRequest, Indicator
from tpj.nomenclatures.models import Axis, FundingSource
from tpj.valorisation.models import Deployment, Measure


def measure(slug: str) -> Measure:
    return Measure.objects.get(slug=slug)


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    measure = factory.LazyFunction(lambda: measure("unites-parents-bebe"))
    region_id = "53"
    title = factory.Sequence(lambda n: f"Unité parents-bébé n° {n}")
    date = datetime.date(2021, 9, 1)
    quantity = 1
    amount = Decimal("150000.00")


def births_csv(counts: dict[str, int], *, encoding="utf-8", header="region;naissances") -> bytes:
    return ("\n".join([header, *(f"{code};{n}" for code, n in counts.items())]) + "\n").encode(encoding)


# Illustrative counts (not official figures), one per région.
BIRTHS = {
    "01": 4500,
    "02": 3200,
    "03": 8000,
    "04": 13500,
    "06": 10000,
    "11": 170000,
    "24": 25000,
    "27": 26000,
    "28": 31000,
    "32": 63000,
    "44": 54000,
    "52": 38000,
    "53": 30000,
    "75": 55000,
    "76": 58000,
    "84": 85000,
    "93": 54000,
    "94": 2700,
}


# --- laureate projects (Module 2 objects built directly, at the stage Module 3 reads them) ---

_REFERENCES = itertools.count(1)


def laureate(
    region="53",
    *,
    title="Ateliers parents-bébés itinérants",
    year=2021,
    transmitted=True,
    axes=(3,),
    places=("35238",),
    kind=None,
    description="Des ateliers d'éveil et de soutien à la parentalité.",
    allocated=Decimal("60000"),
):
    """A laureate application of a call of `region` (transmitted or not), with places, axes and funding."""
    campaign = CampaignFactory(year=year)
    author = UserFactory()
    state = Call.State.TRANSMITTED if transmitted else Call.State.LAUREATES_DECIDED
    call = Call.objects.filter(campaign=campaign, region_id=region, strand=Call.Strand.ARS).first()
    if call is None:
        call = Call.objects.create(
            campaign=campaign,
            region_id=region,
            strand=Call.Strand.ARS,
            created_by=author,
            state=state,
            transmitted_at=timezone.now() if transmitted else None,
        )
        call_axis = CallAxis.objects.create(call=call, label="Axes nationaux")
        call_axis.national_axes.set(Axis.objects.all())
    envelope, _ = Envelope.objects.get_or_create(
        call=call,
        agency="ARS",
        defaults={"funding_source": FundingSource.objects.filter(agency="ARS").first(), "national_dotation": Decimal("100000")},
    )
    # Several laureates may share one call: top the envelope up so it is never over-allocated
    # (PostgreSQL's trigger refuses that, as it should).
    envelope.local_top_up += allocated
    envelope.allocated += allocated
    envelope.save(update_fields=["local_top_up", "allocated"])
    organisation = OrganisationFactory(kind=kind or Organisation.Kind.ASSOCIATION, region_id=region, commune_id=places[0])
    app = Application.objects.create(
        call=call,
        organisation=organisation,
        created_by=author,
        title=title,
        description=description,
        state=Application.State.LAUREATE,
        budget_total=Decimal("150000"),
        decided_at=timezone.now(),
        carrier_siret=demo_siret(title),
        reference=f"AAP-{year}-{region}-{next(_REFERENCES)}",
        start_date=datetime.date(year, 10, 1),
        end_date=datetime.date(year + 1, 9, 30),
    )
    if not Organisation.objects.filter(kind="ars", region_id=region).exclude(siret="").exists():
        OrganisationFactory(name=f"ARS {region}", kind="ars", region_id=region, commune_id=None)
    app.places.set(places)
    own_axis = CallAxis.objects.create(call=call, label=f"Axes de {title}")
    own_axis.national_axes.set(Axis.objects.filter(number__in=axes))
    app.call_axes.set([own_axis])
    EnvelopeRequest.objects.create(application=app, envelope=envelope, amount_requested=allocated, amount_allocated=allocated)
    CoFinancing.objects.create(application=app, source=FundingSource.objects.get(slug="caf-fnp"), amount=Decimal("20000"))
    Indicator.objects.create(application=app, name="Familles accompagnées", baseline="0", target="200", method="Registre")
    return app


# Three public laureates and what each projetothèque filter keeps of them: shared by the
# projetothèque page tests and the laureates API tests, which must agree.
PUBLIC_LAUREATE_FILTER_CASES = [
    ({"region": "53"}, {"Éveil musical à Brest", "Pères en balade"}),
    ({"departement": "29"}, {"Éveil musical à Brest"}),
    ({"axis": "6"}, {"Pères en balade"}),
    ({"year": "2022"}, {"Répit parental toulousain"}),
    ({"carrier_kind": "commune"}, {"Pères en balade"}),
    ({"q": "eveil MUSICAL"}, {"Éveil musical à Brest"}),
    ({"q": "toulouse"}, {"Répit parental toulousain"}),  # the place of action matches
]


def three_public_laureates():
    """Brest (axis 4) and Rennes (axis 6, carried by a commune) in Bretagne, Toulouse (2022) in Occitanie."""
    return [
        laureate("53", title="Éveil musical à Brest", axes=(4,), places=("29019",)),
        laureate("53", title="Pères en balade", axes=(6,), places=("35238",), kind=Organisation.Kind.COMMUNE),
        laureate("76", title="Répit parental toulousain", axes=(3,), places=("31555",), year=2022),
    ]
