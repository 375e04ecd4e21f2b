"""Manager publishes → applicant submits → jury scores with one recusal → decision → transmission.

A real Chromium against the live server, with axe-core scans (no serious or critical
violation) on each kind of page. Uses the shared fixtures of tests/browser/conftest.py.
"""

import datetime
import re

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_call_lifecycle_in_the_browser(page, live_server, login, axe_check):
    from tests.calls.factories import CampaignFactory, applicant, declared, jury_user, manager
    from tests.factories import OrganisationFactory
    from tpj.calls.letters import simple_pdf
    from tpj.calls.models import Application, Call
    from tpj.calls.services import calls as services

    ars = manager("ARS", "53")
    manager("DREETS", "53")
    campaign = CampaignFactory()
    declared(ars, campaign)
    call = services.create_call(ars, campaign, Call.Strand.JOINT)
    reseau = OrganisationFactory(name="Réseau périnatal de test")
    funder = jury_user()
    operator = jury_user(organisation=reseau)
    porteur = applicant()
    base = f"{live_server.url}/appels-a-projets"

    # 1. The manager defines and publishes the call.
    login(page, live_server, ars.email)
    page.goto(f"{base}/{call.pk}/modifier/")
    axe_check(page, "définition de l'appel")
    deadline = timezone.localtime() + datetime.timedelta(days=10)
    page.fill("#id_applications_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files(
        "#id_cahier_des_charges",
        files=[
            {"name": "cahier.pdf", "mimeType": "application/pdf", "buffer": simple_pdf("Cahier des charges", ["Appel de test."])}
        ],
    )
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(rf"/appels-a-projets/{call.pk}/$"))
    page.get_by_role("button", name="Publier l'appel").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()  # what cannot be undone
    assert page.get_by_text("Publié — candidatures ouvertes").first.is_visible()

    # 2. The applicant fills in a draft and submits it.
    page.context.clear_cookies()
    login(page, live_server, porteur.email)
    page.goto(f"{base}/{call.pk}/")
    axe_check(page, "page publique de l'appel")
    page.get_by_role("link", name="Candidater").click()
    axe_check(page, "formulaire de candidature")
    page.fill("#id_title", "Ateliers d'éveil partagés")
    page.fill("#id_carrier_siret", porteur.organisation.siret)
    page.fill("#id_description", "Des ateliers parents-enfants dans trois quartiers de Rennes.")
    page.fill("#id_target_public", "Parents d'enfants de 0 à 3 ans")
    page.locator("label[for='id_call_axes_0']").click()
    page.fill("#id_places", "35238")
    page.fill("#id_start_date", "2030-10-01")
    page.fill("#id_end_date", "2031-09-30")
    page.fill("#id_partners-0-name", "Réseau périnatal de test")
    page.fill("#id_partners-0-role", "Formation des animateurs")
    page.fill("#id_budget-0-label", "Animation")
    page.fill("#id_budget-0-amount", "250000")
    page.fill("#id_request_ARS", "100000")
    page.fill("#id_request_DREETS", "100000")
    page.fill("#id_indicators-0-name", "Familles accompagnées")
    page.fill("#id_indicators-0-baseline", "0")
    page.fill("#id_indicators-0-target", "150")
    page.fill("#id_indicators-0-method", "Registre des présences")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url(re.compile(r"/candidatures/\d+/$"))
    page.get_by_role("button", name="Déposer la candidature").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()  # what cannot be undone
    assert page.get_by_role("heading", name="Accusé de réception").is_visible()
    axe_check(page, "candidature déposée")
    application = Application.objects.get()
    assert application.state == Application.State.SUBMITTED and application.reference

    # 3. The manager closes, instructs and seats the jury: the network's member is recused.
    page.context.clear_cookies()
    login(page, live_server, ars.email)
    page.goto(f"{base}/{call.pk}/")
    page.get_by_role("button", name="Clore les candidatures").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()  # what cannot be undone
    page.goto(f"{base}/candidatures/{application.pk}/")
    axe_check(page, "instruction")
    page.get_by_role("button", name="Déclarer recevable").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()  # what cannot be undone
    page.goto(f"{base}/{call.pk}/jury/")
    for member, kind in ((funder, "funder"), (operator, "operator")):
        page.fill("#id_email", member.email)
        page.locator(f"label[for='id_kind_{0 if kind == 'funder' else 1}']").click()
        page.get_by_role("button", name="Ajouter au jury").click()
    page.get_by_role("button", name="Attribuer les dossiers recevables à tous les membres").click()
    assert page.get_by_text("dont 1 avec récusation d'office").is_visible()
    axe_check(page, "jury")

    # 4. The recused member cannot open the file; the funder declares no conflict and scores.
    page.context.clear_cookies()
    login(page, live_server, operator.email)
    page.goto(f"{base}/jury/")
    assert page.get_by_role("cell", name="Récusé(e) d'office").is_visible()
    recused_sheet = application.sheets.get(member__user=operator)
    assert page.goto(f"{base}/notation/{recused_sheet.pk}/").status == 403
    page.context.clear_cookies()
    login(page, live_server, funder.email)
    page.goto(f"{base}/jury/")
    page.get_by_role("link", name=re.compile("Ateliers d'éveil partagés")).click()
    page.locator("label[for='id_has_conflict_0']").click()
    page.get_by_role("button", name="Enregistrer ma déclaration").click()
    for criterion in call.criteria.all():
        page.fill(f"#id_score_{criterion.pk}", "4")
    axe_check(page, "notation")
    page.get_by_role("button", name="Valider ma notation").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()  # what cannot be undone
    assert page.get_by_text("Notation validée et verrouillée.").is_visible()

    # 5. Ranking, decision on both envelopes, laureates decided, list transmitted.
    page.context.clear_cookies()
    login(page, live_server, ars.email)
    page.goto(f"{base}/{call.pk}/classement/")
    assert page.get_by_role("cell", name="16,00").first.is_visible()  # the mean, and the funders' mean beside it
    axe_check(page, "classement")
    page.goto(f"{base}/{call.pk}/decisions/")
    axe_check(page, "décisions")
    page.select_option(f"#id_d{application.pk}-outcome", "laureate")
    page.fill(f"#id_d{application.pk}-reason", "Projet à fort potentiel.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    assert page.get_by_text(f"Décision enregistrée pour {application.reference}.").is_visible()
    page.goto(f"{base}/{call.pk}/")
    page.get_by_role("button", name="Arrêter la liste des lauréats").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()  # what cannot be undone
    page.get_by_role("button", name="Transmettre la liste des lauréats à l'équipe nationale").click()
    page.get_by_role("dialog").get_by_role("button", name="Confirmer").click()  # what cannot be undone
    assert page.get_by_text("Liste des lauréats transmise").first.is_visible()
    assert Application.objects.public_laureates().get() == application
    assert page.context.request.get(f"{live_server.url}/api/v1/laureates/").json()["count"] == 1
    # The one expected error is the 403 of the recused member's attempt; nothing else (CSP, scripts).
    unexpected = [e for e in page.console_errors if "status of 403" not in e]
    assert not unexpected, unexpected
