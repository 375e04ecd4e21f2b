"""Claim an imported entry → the moderator confirms → the professional manages it, in a real
Chromium, each page checked by axe-core at 1280 and 375 px (tests/browser/conftest.py)."""

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = ((1280, 900), (375, 812))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def check_widths(page, axe_check, label):
    """axe clean and no horizontal scrolling at desktop and mobile width; back to desktop."""
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        axe_check(page, f"{label} ({width} px)")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{label} : {overflow} px de défilement horizontal à {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_claim_confirmed_then_listed_in_my_entries(page, live_server, login, axe_check):
    from tests.factories import UserFactory, user_with_role
    from tests.registry.claims.conftest import add_reference
    from tests.registry.factories import verified_entry
    from tpj.accounts.models import Role

    professional = UserFactory(email="sophie@example.fr", first_name="Sophie", with_organisation=True)
    moderator = user_with_role(Role.MODERATOR, departements=["35"], email="moderation35@example.fr")
    entry = verified_entry(name="Cabinet de sages-femmes des Lices", import_source="CPAM 35", external_id="C-1")
    add_reference(entry, "siret", professional.organisation.siret)

    # 1. The professional claims the entry from its public page.
    login(page, live_server, professional.email)
    page.goto(f"{live_server.url}/annuaire/fiches/{entry.pk}/")
    check_widths(page, axe_check, "fiche avec le bouton « Revendiquer »")
    page.get_by_role("link", name="Revendiquer cette fiche").click()
    page.wait_for_url(re.compile(r"/revendiquer/$"))
    assert page.get_by_text("Correspondance par SIRET").is_visible()
    check_widths(page, axe_check, "formulaire de revendication")
    page.get_by_label("Votre message au modérateur").fill("J'exerce dans ce cabinet depuis 2018.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(re.compile(rf"/annuaire/fiches/{entry.pk}/$"))
    assert page.get_by_text("est en attente").first.is_visible()
    check_widths(page, axe_check, "fiche avec la demande en attente et « Retirer ma demande »")
    page.screenshot(path=str(SCREENSHOTS / "revendication-en-attente.png"), full_page=True)

    # 1b. She withdraws it, then asks again (the entry may be claimed again).
    page.get_by_role("button", name="Retirer ma demande").click()
    page.wait_for_url(re.compile(rf"/annuaire/fiches/{entry.pk}/$"))
    assert page.get_by_text("Votre demande est retirée").is_visible()
    page.get_by_role("link", name="Revendiquer cette fiche").click()
    page.get_by_label("Votre message au modérateur").fill("J'exerce dans ce cabinet depuis 2018.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(re.compile(rf"/annuaire/fiches/{entry.pk}/$"))

    # 2. The moderator of the territory confirms it.
    page.context.clear_cookies()
    login(page, live_server, moderator.email)
    page.goto(f"{live_server.url}/annuaire/moderation/")
    page.get_by_role("link", name="Revendications de fiches").click()
    page.wait_for_url(re.compile(r"/moderation/revendications/$"))
    check_widths(page, axe_check, "revendications en attente")
    page.get_by_role("link", name="Cabinet de sages-femmes des Lices").click()
    assert page.get_by_text("J'exerce dans ce cabinet depuis 2018.").is_visible()
    check_widths(page, axe_check, "revendication à décider")
    page.get_by_role("button", name="Confirmer une revendication").click()
    page.wait_for_url(re.compile(r"/moderation/revendications/$"))
    assert page.get_by_text("est désormais membre de la fiche").is_visible()

    # 3. The professional now manages it.
    page.context.clear_cookies()
    login(page, live_server, professional.email)
    page.goto(f"{live_server.url}/annuaire/mes-fiches/")
    assert page.get_by_role("link", name="Cabinet de sages-femmes des Lices").is_visible()
    check_widths(page, axe_check, "mes fiches")
    page.get_by_role("link", name="Cabinet de sages-femmes des Lices").click()
    assert page.get_by_role("link", name="Membres").is_visible()
    assert not page.console_errors, page.console_errors
