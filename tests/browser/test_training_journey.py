"""Issue 20's training journey, as each role lives it in a real Chromium.

The people and the organisation are made by the factories (tests/training/factories.py);
everything else goes through the pages: the organisation's member writes an offer with a
session in Cesson-Sévigné and submits it, the commissaire of Bretagne publishes it from the
moderation queue, a professional finds the session within 20 km of Rennes (not the one in
Saint-Malo), opens the offer, adds it to a new plan, says who should go and downloads the
plan's CSV; once a session has ended (made in the past through the ORM: the journey cannot
wait), the member declares its bilan, and the commissaire sees the trained professionals on
the coverage page.

Each main page is scanned by axe-core (no serious or critical violation) and photographed at
1280 px — the search page, the offer page, the plan page and the bilan form at 375 px too,
without sideways scrolling — into var/screenshots/formation-<nn>-<role>-<page>[-375].png.
"""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
TITLE = "Éveil au langage et albums jeunesse"
FAR_TITLE = "Prévenir les stéréotypes dès la crèche"


def shot(page, axe_check, number, role, name, mobile=False):
    """axe-core scan and full-page screenshot at 1280 px (and 375 px when `mobile`)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe_check(page, f"{role} — {name}")
    page.screenshot(path=str(SCREENSHOTS / f"formation-{number:02d}-{role}-{name}.png"), full_page=True)
    if mobile:
        page.set_viewport_size({"width": 375, "height": 900})
        axe_check(page, f"{role} — {name} (375 px)")
        assert page.evaluate("document.documentElement.scrollWidth <= 375"), f"{name} : défilement horizontal à 375 px"
        page.screenshot(path=str(SCREENSHOTS / f"formation-{number:02d}-{role}-{name}-375.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def sign_in(page, live_server, login, user):
    page.context.clear_cookies()
    login(page, live_server, user.email)


def write_offer(page, start):
    """The member's form: the offer's fields, then its first session in Cesson-Sévigné."""
    page.fill("#id_title", TITLE)
    page.locator("label[for='id_themes_0']").click()  # « Le langage »
    page.locator("label[for='id_audiences_0']").click()  # EAJE
    page.locator("label[for='id_audiences_1']").click()  # assistant·es maternel·les
    page.fill("#id_objectives", "Soutenir le développement du langage des tout-petits au quotidien.")
    page.fill("#id_programme", "Jour 1 : les étapes du langage.\nJour 2 : lire des albums aux tout-petits.")
    page.fill("#id_duration_hours", "14")
    page.locator("label[for='id_format_1']").click()  # Présentiel
    page.fill("#id_price", "350")
    page.locator("label[for='id_funding_routes_0']").click()  # volet national
    page.fill("#id_funding_details", "Prise en charge intégrale par le volet national.")
    page.fill("#id_accessibility", "Locaux de plain-pied ; contactez notre référente handicap.")
    page.fill("#id_registration_url", "https://formation.example.fr/inscription")
    page.fill("#id_sessions-0-start_date", start.isoformat())
    page.fill("#id_sessions-0-end_date", (start + datetime.timedelta(days=1)).isoformat())
    page.fill("#id_sessions-0-commune", "Cesson-Sévigné")
    page.fill("#id_sessions-0-capacity", "12")


@pytest.mark.django_db(transaction=True)
def test_publish_moderate_find_plan_report_and_steer(page, live_server, login, axe_check, settings):
    from playwright.sync_api import expect

    from tests.factories import UserFactory, user_with_role
    from tests.training.factories import SessionFactory, TrainingOrganisationFactory, member_of, published_offer
    from tpj.accounts.models import Role
    from tpj.nomenclatures.models import TrainingTheme
    from tpj.territories.models import Commune
    from tpj.training.models import Offer, OfferState, PlanItem, SessionReport

    settings.MAP_TILES_URL = ""
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    organisation = TrainingOrganisationFactory(name="Institut petite enfance de Bretagne")
    member = member_of(organisation)
    commissaire = user_with_role(Role.COMMISSAIRE, region="53", first_name="Claire", last_name="Commissaire")
    professional = UserFactory(first_name="Inès", last_name="Directrice")
    # Another organisation's published offer, in Saint-Malo (about 65 km from Rennes): not « near Rennes ».
    published_offer(
        title=FAR_TITLE,
        commune=Commune.objects.get(insee_code="35288"),
        themes=[TrainingTheme.objects.get(number=5)],
    )
    base = f"{live_server.url}/formations"
    today = timezone.localdate()
    start = today + datetime.timedelta(days=40)

    # 1. The organisation's member writes the offer with a session in a commune, and submits it.
    sign_in(page, live_server, login, member)
    page.goto(f"{base}/mes-offres/")
    shot(page, axe_check, 1, "organisme", "mes-offres")
    page.get_by_role("link", name="Créer une offre").click()
    expect(page.get_by_role("heading", level=1, name="Nouvelle offre de formation")).to_be_visible()
    write_offer(page, start)
    shot(page, axe_check, 2, "organisme", "nouvelle-offre")
    page.get_by_role("button", name="Enregistrer et soumettre à la modération").click()
    expect(page.get_by_text("Offre soumise à la modération")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=TITLE).get_by_role("cell", name="1", exact=True)).to_be_visible()
    offer = Offer.objects.get(title=TITLE)
    assert offer.state == OfferState.SUBMITTED
    session = offer.sessions.get()
    assert (session.commune_id, session.capacity, session.seats_left) == ("35051", 12, 12)
    assert offer.price_cents == 35000
    shot(page, axe_check, 3, "organisme", "offre-soumise")

    # 2. The commissaire of Bretagne finds it in the moderation queue and publishes it.
    sign_in(page, live_server, login, commissaire)
    page.goto(f"{base}/moderation/")
    shot(page, axe_check, 4, "commissaire", "moderation")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=f"Modérer « {TITLE} »")).to_be_visible()
    expect(page.get_by_text("Cesson-Sévigné (35)")).to_be_visible()
    shot(page, axe_check, 5, "commissaire", "moderer-offre")
    page.get_by_role("button", name="Vérifier et publier").click()
    expect(page.get_by_text(f"Offre « {TITLE} » : publiée.")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)  # out of the queue
    offer.refresh_from_db()
    assert offer.state == OfferState.PUBLISHED

    # 3. A professional searches within 20 km of Rennes: the session in Cesson-Sévigné, not Saint-Malo's.
    sign_in(page, live_server, login, professional)
    page.goto(f"{base}/")
    page.fill("#f-autour", "Rennes")
    page.fill("#f-km", "20")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"autour=Rennes.*km=20|km=20.*autour=Rennes"))
    results = page.locator("#resultats + p + ul")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results).to_contain_text(re.compile(r"Cesson-Sévigné \(35\) \(\d+ km\)"))
    expect(results.get_by_role("link", name=FAR_TITLE)).to_have_count(0)
    expect(page.locator("#resultats")).to_have_text("1 session trouvée")
    shot(page, axe_check, 6, "professionnelle", "recherche", mobile=True)
    # The permalink's parameters, by INSEE code and a wider radius: Saint-Malo's session too, the nearest first.
    page.goto(f"{base}/?autour=35238&km=80&tri=distance")
    expect(page.locator("#f-km")).to_have_value("80")
    expect(page.locator("#resultats")).to_have_text("2 sessions trouvées")
    titles = page.locator("#resultats + p + ul .fr-card__title")
    expect(titles).to_have_text([TITLE, FAR_TITLE])

    page.locator("#resultats + p + ul").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_role("cell", name="Cesson-Sévigné (35)")).to_be_visible()
    expect(page.get_by_role("cell", name="12 sur 12")).to_be_visible()
    shot(page, axe_check, 7, "professionnelle", "offre", mobile=True)

    page.get_by_role("link", name="Ajouter à un plan de formation").click()
    expect(page.get_by_text("Vous n'avez pas encore de plan de formation")).to_be_visible()
    page.fill("#id_new_name", "Équipe de la crèche des Lutins — 2027")
    page.select_option("#id_session", str(session.pk))
    shot(page, axe_check, 8, "professionnelle", "ajouter-a-un-plan")
    page.get_by_role("button", name="Ajouter au plan").click()
    expect(page.get_by_role("heading", level=1, name="Équipe de la crèche des Lutins — 2027")).to_be_visible()
    expect(page.get_by_text(f"« {TITLE} » ajoutée au plan")).to_be_visible()
    expect(page.get_by_text("Session choisie :")).to_be_visible()
    page.get_by_label("Qui doit y aller").fill("Awa et Lucie, auxiliaires de puériculture")
    page.locator(".tpj-plan-item-form").get_by_role("button", name=re.compile("^Enregistrer")).click()
    expect(page.locator(".tpj-plan-item-form").get_by_role("status")).to_have_text("Enregistré.")
    item = PlanItem.objects.get(plan__name="Équipe de la crèche des Lutins — 2027")
    assert item.attendees == "Awa et Lucie, auxiliaires de puériculture"
    assert item.session_id == session.pk
    shot(page, axe_check, 9, "professionnelle", "plan", mobile=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig")), delimiter=";"))
    header, lines = rows[0], rows[1:]
    assert len(lines) == 1
    line = dict(zip(header, lines[0], strict=True))
    assert line["Offre"] == TITLE
    assert line["Organisme"] == "Institut petite enfance de Bretagne"
    assert line["Qui doit y aller"] == "Awa et Lucie, auxiliaires de puériculture"
    assert "Cesson-Sévigné" in line["Commune"]
    assert start.strftime("%d/%m/%Y") in line["Dates"]

    # 4. A session of the offer has ended (made in the past: the journey cannot wait): the member declares its bilan.
    ended = SessionFactory(
        offer=offer,
        start_date=today - datetime.timedelta(days=15),
        end_date=today - datetime.timedelta(days=14),
        commune=Commune.objects.get(insee_code="35238"),
        capacity=12,
        seats_left=0,
    )
    sign_in(page, live_server, login, member)
    page.goto(f"{base}/bilans/")
    shot(page, axe_check, 10, "organisme", "bilans")
    page.locator("#a-declarer + ul").get_by_role("link", name=re.compile("Déclarer le bilan")).click()
    page.wait_for_url(re.compile(rf"/sessions/{ended.pk}/bilan/$"))
    expect(page.get_by_role("heading", level=1, name="Bilan de la session")).to_be_visible()
    page.fill("#id_hours_delivered", "14")
    page.select_option("#id_lignes-0-audience", "eaje")
    page.select_option("#id_lignes-0-departement", "35")
    page.fill("#id_lignes-0-participants", "9")
    shot(page, axe_check, 11, "organisme", "bilan", mobile=True)
    page.get_by_role("button", name="Déclarer le bilan").click()
    expect(page.get_by_text("Bilan déclaré : 9 participants, 14 heures dispensées.")).to_be_visible()
    declared = page.get_by_role("row").filter(has_text=TITLE)
    expect(declared.get_by_role("cell", name="9", exact=True)).to_be_visible()
    expect(page.get_by_text("Aucun bilan à déclarer")).to_be_visible()
    report = SessionReport.objects.get(session=ended)
    assert [(line.audience, line.departement_id, line.participants) for line in report.lines.all()] == [("eaje", "35", 9)]
    shot(page, axe_check, 12, "organisme", "bilan-declare")

    # 5. The commissaire's coverage page counts the nine professionals trained, in Ille-et-Vilaine.
    sign_in(page, live_server, login, commissaire)
    page.goto(f"{base}/pilotage/")
    expect(page.get_by_role("list", name="Chiffres clés")).to_contain_text(re.compile(r"9\s+professionnels formés"))
    ille = page.locator("#couverture-formation tbody tr").filter(has_text="Ille-et-Vilaine (35)")
    expect(ille).to_contain_text("9 formés")
    shot(page, axe_check, 13, "commissaire", "pilotage")

    assert not page.console_errors, (page.console_errors, failed)
