"""Factories and helpers building calls at any stage of their lifecycle."""

import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import OrganisationFactory, user_with_role
from tpj.accounts.demo import demo_siret
from tpj.accounts.models import Organisation, Role
from tpj.calls.letters import simple_pdf
from tpj.calls.models import Application, Call, Campaign, IntentDeclaration
from tpj.calls.services.applications import create_application, submit_application
from tpj.calls.services.calls import create_call, fire_call
from tpj.calls.services.content import ApplicationContent
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import declare_eligible
from tpj.nomenclatures.models import FundingSource
from tpj.territories.models import Commune


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        values = {**Campaign.defaults_for(kwargs["year"]), **kwargs}
        return super()._create(model_class, *args, **values)


def pdf_upload(name="cahier-des-charges.pdf"):
    return SimpleUploadedFile(
        name, simple_pdf("Cahier des charges", ["Appel à projets 1000 premiers jours."]), content_type="application/pdf"
    )


def manager(agency="ARS", region="53"):
    org = Organisation.objects.filter(kind=agency.lower(), region_id=region).first() or OrganisationFactory(
        name=f"{agency} {region}", kind=agency.lower(), region_id=region, commune_id=None
    )
    return user_with_role(Role.CALL_MANAGER, region=region, organisation=org)


def jury_user(organisation=None, region="53"):
    return user_with_role(
        Role.JURY_MEMBER, region=region, organisation=organisation or OrganisationFactory(kind=Organisation.Kind.CAF)
    )


def applicant(organisation=None):
    return user_with_role(Role.APPLICANT, organisation=organisation or OrganisationFactory())


def make_call(strand="joint", region="53", state=Call.State.PUBLISHED, deadline=None, campaign=None, by=None) -> Call:
    """A call of `region` in `state`, created and published through the services."""
    campaign = campaign or CampaignFactory()
    by = by or manager("ARS" if strand in ("ars", "joint") else "DREETS", region)
    declared(by, campaign, joint=strand == "joint")
    call = create_call(by, campaign, strand)
    call.applications_deadline = deadline or timezone.now() + datetime.timedelta(days=7)
    call.cahier_des_charges = pdf_upload()
    call.save()
    if state != Call.State.DRAFT:
        call = fire_call(call, by, "publish")
    call.manager = by
    if strand == "joint":
        call.co_manager = manager("DREETS", region)
    return call


def declared(by, campaign, joint=True):
    """`by`'s agency has declared its intent for `campaign`, as a call requires (recorded directly:
    no notification, no audit, so that tests counting them see only their own)."""
    org = by.organisation
    IntentDeclaration.objects.get_or_create(
        campaign=campaign,
        region_id=org.region_id,
        agency=org.kind.upper(),
        defaults={
            "organisation": org,
            "joint": joint,
            "referent_name": by.get_full_name() or "Référent",
            "referent_email": by.email,
            "declared_by": by,
        },
    )


def content(call, **overrides) -> ApplicationContent:
    values = {
        "title": "Ateliers parents-bébés itinérants",
        "description": "Des ateliers itinérants d'éveil et de soutien à la parentalité.",
        "target_public": "Parents d'enfants de 0 à 3 ans",
        "carrier_siret": demo_siret("porteur de test"),
        "start_date": datetime.date(timezone.localdate().year, 10, 1),
        "end_date": datetime.date(timezone.localdate().year + 1, 9, 30),
        "call_axes": list(call.axes.all()[:2]),
        "places": [Commune.objects.get(insee_code="35238")]
        if call.region_id == "53"
        else [Commune.objects.filter(region_id=call.region_id).first()],
        "partners": [],
        "budget_lines": [{"label": "Animation", "amount": Decimal("120000")}, {"label": "Matériel", "amount": Decimal("30000")}],
        "cofinancings": [{"source": FundingSource.objects.get(slug="caf-fnp"), "amount": Decimal("20000")}],
        "requests": {a: Decimal("60000") for a in call.agencies},
        "indicators": [{"name": "Familles accompagnées", "baseline": "0", "target": "200", "method": "Registre des présences"}],
    }
    values.update(overrides)
    return ApplicationContent(**values)


def submitted_application(call, user=None, **overrides) -> Application:
    user = user or applicant()
    app, _ = create_application(user, call, content(call, **overrides))
    return submit_application(app, user)


def close(call):
    return fire_call(call, call.manager, "close_applications")


def eligible_application(call, user=None, **overrides) -> Application:
    """Submitted while the call is published; the caller closes the call then declares it eligible."""
    app = submitted_application(call, user, **overrides)
    return declare_eligible(app, call.manager)


def decidable(strand="joint", requested=Decimal("60000")):
    """A closed call with four eligible applications, each asking `requested` of every agency."""
    call = make_call(strand=strand)
    apps = [submitted_application(call, title=f"Projet {i}", requests=dict.fromkeys(call.agencies, requested)) for i in range(4)]
    close(call)
    return call, [declare_eligible(a, call.manager) for a in apps]


def decided_call():
    """A joint call with its laureates decided: four decisions (two laureates, two rejected)."""
    call, apps = decidable()
    decide(apps[0], call.manager, "laureate", "Excellent", {"ARS": Decimal("60000"), "DREETS": Decimal("60000")})
    decide(apps[1], call.manager, "laureate", "Bien", {"ARS": Decimal("40000"), "DREETS": Decimal("40000")})
    for app in apps[2:]:
        decide(app, call.manager, "rejected", "Moins prioritaire")
    fire_call(call, call.manager, "decide_laureates")
    return call, apps
