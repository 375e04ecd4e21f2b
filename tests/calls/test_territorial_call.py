"""Issue 20 §7: the commissaire's « AAP territorial formation petite enfance » runs on the calls'
engine — its own managers (the région's commissaire, the national team; never the ARS nor the
DREETS), the 7 training themes as axes, its own envelope on the commissaire's funding source,
no declaration of intent nor national minimum; jury, decisions and transmission as for a
1000-jours call, which stays as it was."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory, user_with_role
from tpj.accounts.models import Role
from tpj.calls.models import Application, Call, Envelope, JuryMember
from tpj.calls.services.applications import create_application, submit_application
from tpj.calls.services.calls import create_call, fire_call, transmit
from tpj.calls.services.checks import eligibility_checks, laureates_problems, publication_problems
from tpj.calls.services.decisions import decide
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign, declare_conflict, save_scores
from tpj.core.policy import PermissionDenied, check
from tpj.nomenclatures.models import TrainingTheme

from .factories import CampaignFactory, content, jury_user, make_call, manager, pdf_upload

pytestmark = pytest.mark.django_db

TERRITORIAL = Call.Strand.TERRITORIAL


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def commissaire():
    org = OrganisationFactory(name="Commissaire à la pauvreté — Bretagne", kind="other", region_id="53", commune_id=None)
    return user_with_role(Role.COMMISSAIRE, region="53", organisation=org)


@pytest.fixture
def campaign():
    return CampaignFactory()


def territorial_call(commissaire, campaign, envelope=Decimal("150000")) -> Call:
    """The commissaire's call, its envelope endowed and published (through the services)."""
    call = create_call(commissaire, campaign, TERRITORIAL)
    call.applications_deadline = timezone.now() + datetime.timedelta(days=7)
    call.cahier_des_charges = pdf_upload()
    call.save()
    Envelope.objects.filter(call=call).update(local_top_up=envelope)
    return fire_call(call, commissaire, "publish")


def definition_data(call, **changes) -> dict:
    """The definition page's POST as the page shows it (every formset row), with `changes`."""
    deadline = timezone.localtime(timezone.now() + datetime.timedelta(days=20))
    data = {
        "summary": "Départs en formation des professionnels de la petite enfance.",
        "targeting_mode": "none",
        "applications_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "cahier_des_charges": pdf_upload(),
    }
    axes = list(call.axes.prefetch_related("training_themes"))
    data.update(
        {"axes-TOTAL_FORMS": len(axes), "axes-INITIAL_FORMS": len(axes), "axes-MIN_NUM_FORMS": 0, "axes-MAX_NUM_FORMS": 1000}
    )
    for i, axis in enumerate(axes):
        data[f"axes-{i}-id"] = axis.pk
        data[f"axes-{i}-label"] = axis.label
        data[f"axes-{i}-training_themes"] = [t.pk for t in axis.training_themes.all()]
    criteria = list(call.criteria.all())
    data.update({"criteria-TOTAL_FORMS": len(criteria), "criteria-INITIAL_FORMS": len(criteria)})
    data.update({"criteria-MIN_NUM_FORMS": 0, "criteria-MAX_NUM_FORMS": 1000})
    for i, c in enumerate(criteria):
        data.update({f"criteria-{i}-id": c.pk, f"criteria-{i}-label": c.label, f"criteria-{i}-weight": c.weight})
        data[f"criteria-{i}-max_score"] = c.max_score
    envelopes = list(call.envelopes.all())
    data.update({"envelopes-TOTAL_FORMS": len(envelopes), "envelopes-INITIAL_FORMS": len(envelopes)})
    data.update({"envelopes-MIN_NUM_FORMS": 0, "envelopes-MAX_NUM_FORMS": 1000})
    for i, e in enumerate(envelopes):
        data.update({f"envelopes-{i}-id": e.pk, f"envelopes-{i}-local_top_up": "120000"})
    data.update(changes)
    return data


def test_the_commissaire_creates_defines_and_publishes_its_territorial_call_through_the_pages(client, commissaire, campaign):
    client.force_login(commissaire)
    page = text_of(client.get(reverse("calls:call-create")))
    # only its kind is offered: no strand of the ARS or the DREETS, no declaration of intent to make
    assert "AAP territorial formation petite enfance" in page
    assert "Appel commun ARS-DREETS" not in page and "Déclarer l'intention" not in page

    response = client.post(reverse("calls:call-create"), {"kind": Call.Kind.TERRITORIAL_TRAINING, "campaign": campaign.pk})
    call = Call.objects.get()
    assert response.status_code == 302 and response.url == reverse("calls:call-edit", args=[call.pk])
    assert call.kind == Call.Kind.TERRITORIAL_TRAINING and call.strand == TERRITORIAL and call.region_id == "53"
    assert call.title.startswith("Formation petite enfance en Bretagne")

    assert client.get(reverse("calls:call-edit", args=[call.pk])).status_code == 200
    response = client.post(reverse("calls:call-edit", args=[call.pk]), definition_data(call))
    assert response.status_code == 302, text_of(response)
    envelope = call.envelopes.get()
    assert envelope.total == Decimal("120000") and envelope.national_dotation == 0

    detail = text_of(client.get(reverse("calls:call-detail", args=[call.pk])))
    assert "Type d'appel : AAP territorial formation petite enfance" in detail
    assert "Le langage" in detail and "Avant de publier" not in detail
    assert "minimum national" not in detail  # no national minimum for this kind

    client.post(reverse("calls:call-transition", args=[call.pk, "publish"]), {"confirm": "1"})
    call.refresh_from_db()
    assert call.state == Call.State.PUBLISHED

    # the public list shows the call with the badge of its kind
    client.logout()
    listing = text_of(client.get(reverse("calls:index")))
    assert call.title in listing and "Formation petite enfance</p>" in listing


def test_its_axes_are_the_7_training_themes_and_its_envelope_the_commissaires(commissaire, campaign):
    call = create_call(commissaire, campaign, TERRITORIAL)
    themes = list(TrainingTheme.objects.order_by("number"))
    axes = list(call.axes.prefetch_related("training_themes", "national_axes"))
    assert len(themes) == 7
    assert [a.label for a in axes] == [t.label for t in themes]
    assert [list(a.training_themes.all()) for a in axes] == [[t] for t in themes]
    assert not any(a.national_axes.exists() for a in axes)
    assert axes[0].attachment_labels() == ["thème « Le langage »"]

    envelope = call.envelopes.select_related("funding_source").get()
    assert envelope.funding_source.slug == "commissaire-pauvrete"
    assert envelope.funding_source.label == "Commissaire à la lutte contre la pauvreté"
    assert envelope.agency == "CLP" and envelope.national_dotation == 0
    # no declaration of intent was needed; the only thing left before publishing is the call's own
    assert publication_problems(call) == [
        "Fixez la date limite de dépôt des candidatures.",
        "Joignez le cahier des charges (PDF).",
    ]


def test_an_axis_of_a_territorial_call_must_attach_to_a_theme(client, commissaire, campaign):
    call = create_call(commissaire, campaign, TERRITORIAL)
    client.force_login(commissaire)
    response = client.post(reverse("calls:call-edit", args=[call.pk]), definition_data(call, **{"axes-0-training_themes": []}))
    assert response.status_code == 400
    assert "Rattachez cet axe à au moins un des 7 thèmes du plan de formation." in text_of(response)


def test_an_ars_agent_may_neither_create_nor_manage_it(client, commissaire, campaign):
    call = territorial_call(commissaire, campaign)
    ars = manager("ARS", "53")
    decision = check(ars, "calls.manage_call", call)
    assert not decision and "géré par le commissaire à la prévention et à la lutte contre la pauvreté" in decision.reason
    client.force_login(ars)
    response = client.get(reverse("calls:call-edit", args=[call.pk]))
    assert response.status_code == 403 and "pas par l'ARS ni la DREETS" in text_of(response)
    assert call not in Call.objects.managed_by(ars)
    # the ARS's creation page offers only the 1000-jours call, and the service refuses the other
    page = text_of(client.get(reverse("calls:call-create")))
    assert "AAP territorial formation petite enfance" not in page and "Appel commun ARS-DREETS" in page
    with pytest.raises(PermissionDenied):
        create_call(ars, campaign, TERRITORIAL)
    assert Call.objects.count() == 1


def test_a_commissaire_of_another_region_is_refused(client, commissaire, campaign):
    call = territorial_call(commissaire, campaign)
    occitanie = user_with_role(Role.COMMISSAIRE, region="76")
    decision = check(occitanie, "calls.manage_call", call)
    assert not decision and "de sa région" in decision.reason
    client.force_login(occitanie)
    assert client.get(reverse("calls:call-edit", args=[call.pk])).status_code == 403
    assert client.get(reverse("calls:call-applications", args=[call.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        create_call(occitanie, campaign, TERRITORIAL, region_id="53")
    # its own région's call it may create
    own = create_call(occitanie, campaign, TERRITORIAL)
    assert own.region_id == "76" and list(Call.objects.managed_by(occitanie)) == [own]


def test_the_national_team_creates_one_for_a_region_it_names(client, campaign):
    national = user_with_role(Role.NATIONAL_TEAM)
    client.force_login(national)
    response = client.post(reverse("calls:call-create"), {"kind": Call.Kind.TERRITORIAL_TRAINING, "campaign": campaign.pk})
    assert response.status_code == 400 and "Choisissez la région de l'appel." in text_of(response)
    response = client.post(
        reverse("calls:call-create"), {"kind": Call.Kind.TERRITORIAL_TRAINING, "campaign": campaign.pk, "region": "53"}
    )
    call = Call.objects.get()
    assert response.status_code == 302 and call.region_id == "53" and call.is_managed_by(national)


def test_submission_jury_decision_and_transmission_with_the_existing_services(commissaire, campaign):
    call = territorial_call(commissaire, campaign)
    trainer = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(name="Institut de formation"))
    app, _ = create_application(trainer, call, content(call, requests={"CLP": Decimal("40000")}))
    app = submit_application(app, trainer)
    assert app.state == Application.State.SUBMITTED
    checks = {c.label: c.ok for c in eligibility_checks(app)}
    assert checks["Rattachement à au moins un des 7 thèmes du plan de formation"]

    fire_call(call, commissaire, "close_applications")
    app = declare_eligible(app, commissaire)
    juror = jury_user()
    add_jury_member(call, commissaire, juror, JuryMember.Kind.FUNDER)
    assign(call, commissaire)
    sheet = juror.jury_seats.get().sheets.get()
    declare_conflict(sheet, juror, has_conflict=False)
    save_scores(sheet, juror, {c.pk: (4, False) for c in call.criteria.all()}, submit=True)

    # an amount on an envelope the call does not have is refused, in French
    with pytest.raises(ValidationError, match="porté par le commissaire à la lutte contre la pauvreté seul :"):
        decide(app, commissaire, "laureate", "Très bon projet", {"ARS": Decimal("10000")})
    decide(app, commissaire, "laureate", "Très bon projet", {"CLP": Decimal("40000")})
    assert call.envelopes.get().allocated == Decimal("40000")
    # 40 000 € are below the 1000-jours national minimum: a territorial call has none
    call.refresh_from_db()
    assert laureates_problems(call) == []
    fire_call(call, commissaire, "decide_laureates")
    call = transmit(call, commissaire)
    assert call.state == Call.State.TRANSMITTED and call.transmitted_at is not None


def test_1000_jours_calls_are_unchanged():
    call = make_call(strand="joint")
    assert call.kind == Call.Kind.MILLE_JOURS
    assert (
        call.title
        == "1000 premiers jours en Bretagne : initiatives en faveur de la santé du jeune enfant et de l'accompagnement des parents"
    )
    axes = list(call.axes.prefetch_related("national_axes"))
    assert len(axes) == 6 and all(a.national_axes.count() == 1 for a in axes)
    assert sorted(e.national_dotation for e in call.envelopes.all()) == [Decimal("100000.00")] * 2
    assert call.minimum_endowment == Decimal("200000.00")
    commissaire = user_with_role(Role.COMMISSAIRE, region="53")
    assert not check(commissaire, "calls.manage_call", call)


def test_the_demo_has_the_open_territorial_call_of_bretagne_with_one_submitted_application():
    from tpj.calls import demo, demo_territorial
    from tpj.demo import services as demo_services

    for row in demo_services.ORGANISATIONS:
        demo_services._organisation(*row)
    accounts = {spec.email: demo_services._account(spec) for spec in demo_services.ACCOUNTS}
    demo.load(accounts)
    demo_territorial.load(accounts)
    demo_territorial.load(accounts)  # idempotent
    call = Call.objects.get(kind=Call.Kind.TERRITORIAL_TRAINING)
    commissaire = accounts["commissaire.bretagne@demo.1000jours.fr"]
    assert call.region_id == "53" and call.applications_open and call.is_managed_by(commissaire)
    assert not call.is_managed_by(accounts["ars.bretagne@demo.1000jours.fr"])
    app = call.applications.get()
    assert app.state == Application.State.SUBMITTED
    assert app.organisation == accounts["formation@demo.1000jours.fr"].organisation


def test_its_laureates_export_dashboard_row_and_subsidy_file_speak_of_the_commissaires_envelope(commissaire, campaign):
    """The laureates' export has a CLP column (not ARS/DREETS ones), the SCDL subsidy file names
    the commissaire's organisation as attributor, and the national dashboard asks it no minimum."""
    import csv
    import io

    from tpj.calls import exports
    from tpj.valorisation.dashboard import build

    commissaire.organisation.siret = "11000201100044"
    commissaire.organisation.save()
    call = territorial_call(commissaire, campaign)
    trainer = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(name="Institut de formation"))
    app, _ = create_application(trainer, call, content(call, requests={"CLP": Decimal("40000")}))
    app = submit_application(app, trainer)
    fire_call(call, commissaire, "close_applications")
    declare_eligible(app, commissaire)
    decide(app, commissaire, "laureate", "Très bon projet", {"CLP": Decimal("40000")})
    fire_call(call, commissaire, "decide_laureates")
    transmit(call, commissaire)

    rows = list(csv.DictReader(io.StringIO(exports.laureates_csv([call]).content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["attribué CLP (€)"] == "40000,00" and "attribué ARS (€)" not in rows[0]
    subsidy = next(exports.scdl_rows(call))
    assert subsidy["nomAttribuant"] == "Commissaire à la pauvreté — Bretagne" and subsidy["montant"] == "40000.00"
    assert subsidy["dispositifAide"].startswith(f"AAP Formation petite enfance {campaign.year}")
    (summary,) = [c for c in build(regions=["53"], campaign=campaign).rows[0].calls if c.pk == call.pk]
    assert summary.minimum == 0 and summary.minimum_reached


def test_the_commissaires_colleagues_and_no_ars_agent_join_its_instruction_team(commissaire, campaign):
    from tests.factories import UserFactory
    from tpj.calls.services.instruction_team import add_instructor, candidates

    call = territorial_call(commissaire, campaign)
    colleague = UserFactory(email="charge.mission@prefecture.example", organisation=commissaire.organisation)
    ars_agent = manager("ARS", "53")

    assert list(candidates(call)) == [colleague]
    add_instructor(call, commissaire, colleague)
    assert call.instructors.filter(user=colleague).exists()
    with pytest.raises(ValidationError, match="n'est pas un agent du commissaire de la région Bretagne"):
        add_instructor(call, commissaire, ars_agent)
