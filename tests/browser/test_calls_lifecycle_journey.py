"""Issue 18's whole call lifecycle, as each role lives it in a real Chromium.

The people are made by the factories (accounts, roles, the agency's declaration of intent);
everything else goes through the pages: the ARS manager defines the call with its own
questions and a required document, two applicants answer and submit, an ARS agent joins the
instruction team, writes a note and ticks the checklist, a funder and an operator score, the
ranking shows both means, the manager keeps a laureate and a waiting list, the national team
grants a derogation to the minimum, the laureate withdraws, the waiting one is promoted, its
convention is drawn, signed and paid.

Each role's main page is scanned by axe-core (no serious or critical violation) and
photographed at 1280 px (and 375 px for the applicant's and the jurors' pages) into
var/screenshots/cycle-<nn>-<role>-<page>[-375].png (docs/architecture.md, « Tests navigateur »).
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


def confirm(page):
    """The DSFR modal that says what cannot be undone: confirmed."""
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()


def shot(page, axe_check, number, role, name, mobile=False):
    """axe-core scan and full-page screenshot at 1280 px (and 375 px when `mobile`)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe_check(page, f"{role} — {name}")
    page.screenshot(path=str(SCREENSHOTS / f"cycle-{number:02d}-{role}-{name}.png"), full_page=True)
    if mobile:
        page.set_viewport_size({"width": 375, "height": 900})
        axe_check(page, f"{role} — {name} (375 px)")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} : défilement horizontal à 375 px"
        )
        page.screenshot(path=str(SCREENSHOTS / f"cycle-{number:02d}-{role}-{name}-375.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def sign_in(page, live_server, login, user):
    page.context.clear_cookies()
    login(page, live_server, user.email)


def pdf(name, title):
    from tpj.calls.letters import simple_pdf

    return {"name": name, "mimeType": "application/pdf", "buffer": simple_pdf(title, ["Document de test."])}


def fill_application(page, porteur, title, families, questions):
    """The applicant's form: the project, its money (60 000 € asked of each agency), its answers."""
    page.fill("#id_title", title)
    page.fill("#id_carrier_siret", porteur.organisation.siret)
    page.fill("#id_description", f"{title} : des ateliers parents-enfants dans les quartiers de Rennes.")
    page.fill("#id_target_public", "Parents d'enfants de 0 à 3 ans")
    page.locator("label[for='id_call_axes_0']").click()
    page.fill("#id_places", "35238")
    page.fill("#id_start_date", "2030-10-01")
    page.fill("#id_end_date", "2031-09-30")
    page.fill("#id_budget-0-label", "Animation")
    page.fill("#id_budget-0-amount", "150000")
    page.fill("#id_request_ARS", "60000")
    page.fill("#id_request_DREETS", "60000")
    page.fill("#id_indicators-0-name", "Familles accompagnées")
    page.fill("#id_indicators-0-baseline", "0")
    page.fill("#id_indicators-0-target", "150")
    page.fill("#id_indicators-0-method", "Registre des présences")
    families_q, caf_q = questions
    page.fill(f"#id_question_{families_q.pk}", str(families))
    page.locator(f"label[for='id_question_{caf_q.pk}_0']").click()  # « Oui »
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r"/candidatures/\d+/$"))


@pytest.mark.django_db(transaction=True)
def test_whole_call_lifecycle_by_every_role(page, live_server, login, axe_check, settings):
    from playwright.sync_api import expect

    from tests.calls.factories import CampaignFactory, applicant, declared, jury_user, manager
    from tests.factories import OrganisationFactory, UserFactory, user_with_role
    from tpj.accounts.models import Role
    from tpj.calls.models import Application, Call, Convention
    from tpj.calls.services import calls as services

    settings.MAP_TILES_URL = ""  # no tile server: the dashboard's map draws France without one
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    ars = manager("ARS", "53")
    manager("DREETS", "53")
    campaign = CampaignFactory()
    declared(ars, campaign)
    call = services.create_call(ars, campaign, Call.Strand.JOINT)
    agent = UserFactory(organisation=ars.organisation, first_name="Lou", last_name="Instructrice")  # an ARS agent, no role
    funder = jury_user(organisation=OrganisationFactory(name="CAF d'Ille-et-Vilaine", kind="caf"))
    operator = jury_user(organisation=OrganisationFactory(name="Réseau des crèches associatives"))
    first, second = applicant(), applicant()
    national = user_with_role(Role.NATIONAL_TEAM)
    base = f"{live_server.url}/appels-a-projets"

    # 1. The ARS manager defines the call, adds its questions and a required document, publishes.
    sign_in(page, live_server, login, ars)
    page.goto(f"{base}/{call.pk}/modifier/")
    deadline = timezone.localtime() + datetime.timedelta(days=10)
    page.fill("#id_applications_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files("#id_cahier_des_charges", files=[pdf("cahier.pdf", "Cahier des charges")])
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(rf"/appels-a-projets/{call.pk}/$"))
    page.get_by_role("link", name="Questions et documents").click()
    page.fill("#id_questions-0-label", "Nombre de familles accompagnées l'an dernier")
    page.select_option("#id_questions-0-kind", "number")
    page.locator("label[for='id_questions-0-required']").click()
    page.fill("#id_questions-1-label", "Le projet a-t-il déjà reçu un financement de la CAF ?")
    page.select_option("#id_questions-1-kind", "yes_no")
    page.fill("#id_documents-0-label", "Statuts de l'association")
    page.get_by_role("button", name="Enregistrer les questions et documents").click()
    expect(page.get_by_text("Questions et documents demandés enregistrés.")).to_be_visible()
    shot(page, axe_check, 1, "gestionnaire", "questions-et-documents")
    questions = list(call.questions.order_by("position", "pk"))
    assert [q.required for q in questions] == [True, False]
    document = call.required_documents.get()
    assert document.required
    page.get_by_role("link", name="Appel", exact=True).click()
    page.get_by_role("button", name="Publier l'appel").click()
    confirm(page)
    expect(page.get_by_text("Publié — candidatures ouvertes").first).to_be_visible()
    shot(page, axe_check, 2, "gestionnaire", "appel")

    # 2. Two applicants answer the questions, give the required document on the application's page, submit.
    applications = []
    for number, (porteur, title, families) in enumerate(
        ((first, "Ateliers d'éveil partagés", 120), (second, "Cafés des parents itinérants", 80)), start=3
    ):
        sign_in(page, live_server, login, porteur)
        page.goto(f"{base}/{call.pk}/")
        page.get_by_role("link", name="Candidater").click()
        expect(page.get_by_text("Statuts de l'association (obligatoire pour déposer)")).to_be_visible()
        fill_application(page, porteur, title, families, questions)
        # without the required document, the submission is refused and says why
        page.get_by_role("button", name="Déposer la candidature").click()
        expect(page.get_by_text("Joignez le document demandé « Statuts de l'association ».").first).to_be_visible()
        assert Application.objects.get(title=title).state == Application.State.DRAFT
        page.set_input_files(f"#file-document-{document.pk}", files=[pdf("statuts.pdf", "Statuts")])
        page.locator(f"#file-document-{document.pk}").locator("xpath=ancestor::form").get_by_role(
            "button", name="Déposer", exact=True
        ).click()
        expect(page.get_by_text("« statuts.pdf » déposé.")).to_be_visible()
        page.get_by_role("button", name="Déposer la candidature").click()
        confirm(page)
        expect(page.get_by_role("heading", name="Accusé de réception")).to_be_visible()
        application = Application.objects.get(title=title)
        assert application.state == Application.State.SUBMITTED
        applications.append(application)
        if number == 3:
            expect(page.get_by_text(f"{families}", exact=True)).to_be_visible()  # the answer, on the application
            shot(page, axe_check, 3, "porteur", "candidature", mobile=True)
    laureate, waiting = applications

    # 3. The manager adds an ARS agent to the instruction team and assigns both files.
    sign_in(page, live_server, login, ars)
    page.goto(f"{base}/{call.pk}/instruction/")
    page.select_option("#instructor-user", label=f"{agent} — {agent.organisation}")
    page.get_by_role("button", name="Ajouter à l'équipe").click()
    expect(page.get_by_text(f"{agent} rejoint l'équipe d'instruction.")).to_be_visible()
    page.get_by_role("link", name="Les attribuer depuis la liste des candidatures").click()
    for application in applications:
        page.check(f"#choose-{application.pk}", force=True)
    page.select_option("#bulk-instructor", label=str(agent))
    page.get_by_role("button", name="Attribuer", exact=True).click()
    expect(page.get_by_text(f"2 dossiers attribués à {agent}.")).to_be_visible()
    shot(page, axe_check, 4, "gestionnaire", "candidatures")

    # The instructor finds the files, writes a private note, ticks the checklist, declares them eligible.
    sign_in(page, live_server, login, agent)
    page.goto(f"{base}/instruction/")
    expect(page.get_by_role("link", name=re.compile("Ateliers d'éveil partagés"))).to_be_visible()
    shot(page, axe_check, 5, "instructeur", "dossiers-a-instruire")
    for application in applications:
        page.goto(f"{base}/instruction/")
        page.get_by_role("link", name=re.compile(re.escape(application.title))).click()
        page.fill("#instruction-note", f"Budget cohérent ; statuts vérifiés pour {application.title}.")
        page.get_by_role("button", name="Enregistrer la note").click()
        panel = page.locator("section[aria-labelledby='instruction-equipe']")
        expect(panel.get_by_text(f"Budget cohérent ; statuts vérifiés pour {application.title}.")).to_be_visible()
        for ticked in (1, 2):  # the first two points, each ticked by the instructor (htmx swaps the list)
            page.locator("#verification").get_by_role("button", name=re.compile("^Cocher")).first.click()
            expect(page.locator("#verification").get_by_text(f"coché par {agent}")).to_have_count(ticked)
        if application == laureate:
            shot(page, axe_check, 6, "instructeur", "dossier")
        page.get_by_role("button", name="Déclarer recevable").click()
        confirm(page)
        expect(page.get_by_text("Recevable").first).to_be_visible()
    assert set(Application.objects.values_list("state", flat=True)) == {Application.State.ELIGIBLE}

    # 4. The manager closes the applications and seats a funder and an operator.
    sign_in(page, live_server, login, ars)
    page.goto(f"{base}/{call.pk}/")
    page.get_by_role("button", name="Clore les candidatures").click()
    confirm(page)
    page.goto(f"{base}/{call.pk}/jury/")
    for member, index in ((funder, 0), (operator, 1)):
        page.fill("#id_email", member.email)
        page.locator(f"label[for='id_kind_{index}']").click()
        page.get_by_role("button", name="Ajouter au jury").click()
    page.get_by_role("button", name="Attribuer les dossiers recevables à tous les membres").click()

    # Each juror declares no conflict and scores: the funder prefers the first, the operator ranks them even.
    scores = {funder: {laureate: "5", waiting: "3"}, operator: {laureate: "4", waiting: "4"}}
    for number, (role, member) in ((7, ("jure-financeur", funder)), (9, ("jure-operateur", operator))):
        sign_in(page, live_server, login, member)
        page.goto(f"{base}/jury/")
        shot(page, axe_check, number, role, "dossiers-a-noter", mobile=True)
        for application in applications:
            page.goto(f"{base}/jury/")
            page.get_by_role("link", name=re.compile(re.escape(application.title))).click()
            page.locator("label[for='id_has_conflict_0']").click()
            page.get_by_role("button", name="Enregistrer ma déclaration").click()
            expect(page.get_by_text("Statuts de l'association")).to_be_visible()  # the required document, on the sheet
            for criterion in call.criteria.all():
                page.fill(f"#id_score_{criterion.pk}", scores[member][application])
            if number == 7 and application == laureate:
                shot(page, axe_check, 8, role, "notation")
            page.get_by_role("button", name="Valider ma notation").click()
            confirm(page)
            expect(page.get_by_text("Notation validée et verrouillée.")).to_be_visible()

    # The ranking shows the funders' and the operators' means apart.
    sign_in(page, live_server, login, ars)
    page.goto(f"{base}/{call.pk}/classement/")
    first_row = page.get_by_role("row").filter(has_text="Ateliers d'éveil partagés")
    expect(first_row.get_by_role("cell", name="18,00")).to_be_visible()  # the mean
    expect(first_row.get_by_role("cell", name="20,00")).to_be_visible()  # the funders'
    expect(first_row.get_by_role("cell", name="16,00")).to_be_visible()  # the operators'
    second_row = page.get_by_role("row").filter(has_text="Cafés des parents itinérants")
    expect(second_row.get_by_role("cell", name="12,00")).to_be_visible()  # the funders'
    shot(page, axe_check, 10, "gestionnaire", "classement")

    # 5. One laureate, one on the waiting list; the minimum is not reached.
    page.goto(f"{base}/{call.pk}/decisions/")
    for application, outcome, reason in (
        (laureate, "laureate", "Projet le mieux classé."),
        (waiting, "waiting_list", "Deuxième du classement."),
    ):
        page.select_option(f"#id_d{application.pk}-outcome", outcome)
        page.fill(f"#id_d{application.pk}-reason", reason)
        if outcome == "laureate":
            page.fill(f"#id_d{application.pk}-amount_ARS", "60000")
            page.fill(f"#id_d{application.pk}-amount_DREETS", "60000")
        page.get_by_role("button", name="Enregistrer la décision").first.click()
        expect(page.get_by_text(f"Décision enregistrée pour {application.reference}.")).to_be_visible()
    progress = page.locator("section[aria-labelledby='minimum-national']")
    expect(progress).to_contain_text(re.compile(r"120\s000\s€ sur 200\s000\s€ — il manque 80\s000\s€"))
    expect(progress.get_by_text("Minimum national non atteint")).to_be_visible()
    # The minimum cannot be reached (every eligible file decided): the manager asks the national team.
    page.fill(f"#derogation-reason-{call.pk}", "Deux candidatures recevables seulement ; le second projet attend.")
    page.get_by_role("button", name="Demander une dérogation à l'équipe nationale").click()
    expect(page.get_by_role("heading", name="Dérogation demandée à l'équipe nationale")).to_be_visible()
    shot(page, axe_check, 11, "gestionnaire", "decisions")

    # The national team sees the request on its dashboard and grants the derogation.
    sign_in(page, live_server, login, national)
    page.goto(f"{live_server.url}/valorisation/tableau-de-bord/")
    derogations = page.locator("#tableau-derogations")
    expect(derogations).to_contain_text("Deux candidatures recevables seulement")
    shot(page, axe_check, 12, "equipe-nationale", "tableau-de-bord")
    derogations.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/appels-a-projets/{call.pk}/$"))
    page.fill(f"#derogation-decision-reason-{call.pk}", "Appel régional de petite taille : dotation acceptée.")
    page.get_by_role("button", name="Accorder la dérogation").click()
    confirm(page)
    expect(page.get_by_role("heading", name="Dérogation nationale accordée")).to_be_visible()
    shot(page, axe_check, 13, "equipe-nationale", "appel")

    # The manager decides the laureates, then records the laureate's withdrawal and promotes the waiting one.
    sign_in(page, live_server, login, ars)
    page.goto(f"{base}/{call.pk}/")
    page.get_by_role("button", name="Arrêter la liste des lauréats").click()
    confirm(page)
    expect(page.get_by_text("Lauréats désignés").first).to_be_visible()
    page.goto(f"{base}/{call.pk}/decisions/")
    page.fill(f"#renounce-{laureate.pk}", "Le porteur renonce : son local n'est plus disponible.")
    page.get_by_role("button", name="Enregistrer le désistement du lauréat").click()
    confirm(page)
    expect(page.get_by_text("Suivant sur la liste d'attente")).to_be_visible()
    page.fill(f"#id_d{waiting.pk}-reason", "Promu après le désistement du premier lauréat.")
    page.fill(f"#id_d{waiting.pk}-amount_ARS", "60000")
    page.fill(f"#id_d{waiting.pk}-amount_DREETS", "60000")
    page.get_by_role("button", name="Promouvoir depuis la liste d'attente").click()
    confirm(page)
    waiting.refresh_from_db()
    laureate.refresh_from_db()
    assert waiting.state == Application.State.LAUREATE
    assert laureate.state != Application.State.LAUREATE
    shot(page, axe_check, 14, "gestionnaire", "decisions-apres-promotion")

    # 6. The convention: schedule, drawn by the worker (immediate in tests), signed, paid.
    page.goto(f"{base}/candidatures/{waiting.pk}/")
    page.get_by_role("link", name="Convention de subvention, échéancier et versements").click()
    signature_deadline = timezone.localdate() + datetime.timedelta(days=30)
    page.fill("#id_signature_deadline", signature_deadline.isoformat())
    page.get_by_role("button", name="Enregistrer et rédiger la convention (PDF)").click()
    confirm(page)
    expect(page.get_by_role("link", name=re.compile("Convention émise le"))).to_be_visible()
    shot(page, axe_check, 15, "gestionnaire", "convention")
    convention = Convention.objects.get(application=waiting)
    assert convention.state == Convention.State.ISSUED

    sign_in(page, live_server, login, second)
    page.goto(f"{base}/candidatures/{waiting.pk}/")
    shot(page, axe_check, 16, "porteur", "candidature-laureate", mobile=True)
    page.get_by_role("link", name="Convention et versements").click()
    page.set_input_files("#id_file", files=[pdf("convention-signee.pdf", "Convention signée")])
    page.get_by_role("button", name="Enregistrer la convention signée").click()
    confirm(page)
    expect(page.get_by_role("link", name="Convention signée (PDF)")).to_be_visible()
    shot(page, axe_check, 17, "porteur", "convention", mobile=True)

    sign_in(page, live_server, login, ars)
    page.goto(f"{base}/candidatures/{waiting.pk}/convention/")
    page.fill("#id_amount", "42000")
    page.fill("#id_label", "Premier versement ARS")
    page.get_by_role("button", name="Enregistrer le versement").click()
    confirm(page)
    expect(page.get_by_role("cell", name="Premier versement ARS")).to_be_visible()
    shot(page, axe_check, 18, "gestionnaire", "convention-versements")

    assert not page.console_errors, (page.console_errors, failed)
