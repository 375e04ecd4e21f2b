"""Issue 17, as each demo role lives it: open « Mon espace » (1280 and 375 px, axe-core clean,
no sideways scrolling, screenshots in var/screenshots/), follow the newest notification to
the page it names, and answer the message waiting on the role's file where the role takes
part in an exchange (jurors and the national team have none: exchanges are between a file's
staff and its applicant or members).

The demo data are the story: tpj/demo/services.py, tpj/conversations/demo.py.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1280, 375)

# role → (account, the file whose exchange it answers, as (thread kind, title of the file) or None)
ROLES = {
    "professionnelle": ("pro@demo.1000jours.fr", ("registry.entry", None)),
    "moderatrice": ("moderateur.bretagne@demo.1000jours.fr", ("registry.entry", None)),
    "gestionnaire-ars": ("ars.bretagne@demo.1000jours.fr", ("calls.application", "Pères en crèche")),
    "porteuse": ("porteur@demo.1000jours.fr", ("calls.application", "Cafés des parents itinérants en Pays de Rennes")),
    "jury": ("jury.caf@demo.1000jours.fr", None),
    "equipe-nationale": ("national@demo.1000jours.fr", None),
}


@pytest.fixture
def demo(transactional_db, settings):
    from tpj.demo.services import load_demo
    from tpj.valorisation.loader import load_measures
    from tpj.valorisation.models import Measure

    settings.MAP_TILES_URL = ""  # no tile server: the maps draw France without one
    if not Measure.objects.exists():  # loaded by a data migration: gone after a flush
        from django.apps import apps

        load_measures(apps)
    return load_demo()


def _thread_url(kind_key, title):
    from tpj.conversations import kinds
    from tpj.conversations.models import Thread

    threads = Thread.objects.filter(kind=kind_key).order_by("pk")
    if title:
        model = kinds.get(kind_key).model_class()
        ids = model.objects.filter(title=title).values_list("pk", flat=True)
        threads = threads.filter(object_id__in=[str(pk) for pk in ids])
    thread = threads.first()
    assert thread is not None, f"les données de démonstration n'ont pas d'échange {kind_key} {title or ''}"
    return f"/echanges/{kinds.get(kind_key).slug}/{thread.object_id}/"


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_opens_its_workspace_follows_a_notification_and_answers(role, demo, page, live_server, login, axe_check):
    from playwright.sync_api import expect

    from tpj.notifications.models import Notification

    email, exchange = ROLES[role]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    login(page, live_server, email)

    # 1. Mon espace, at both widths: what to do now, in French.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/mon-espace/")
        expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
        axe_check(page, f"Mon espace ({role}, {width} px)")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"défilement horizontal à {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"role-{role}-mon-espace-{width}.png"), full_page=True)

    # 2. The newest notification (unread first), followed from the list: its page opens, and it is read.
    page.set_viewport_size({"width": 1280, "height": 900})
    newest = Notification.objects.filter(recipient__email=email).order_by("read_at", "-created_at", "-pk").first()
    assert newest is not None, f"aucune notification de démonstration pour {email}"
    page.goto(f"{live_server.url}/mon-espace/notifications/")
    axe_check(page, f"notifications ({role})")
    page.get_by_role("link", name=newest.title).first.click()
    page.wait_for_load_state()
    assert "/comptes/connexion/" not in page.url, f"{newest.title} : renvoie vers la connexion"
    expect(page.locator("h1").first).to_be_visible()
    axe_check(page, f"page d'une notification ({role})")
    page.screenshot(path=str(SCREENSHOTS / f"role-{role}-notification-1280.png"), full_page=True)
    newest.refresh_from_db()
    assert newest.read_at is not None

    # 3. The exchange of the role's file: read on a phone, answered, shown at once.
    if exchange is None:
        return
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + _thread_url(*exchange))
    thread = page.locator("#echanges")
    answer = f"Réponse de démonstration ({role}) : c'est noté, merci."
    thread.get_by_label("Votre message").fill(answer)
    thread.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#echanges").get_by_text(answer)).to_be_visible()
    expect(page.locator("#echanges").get_by_text(re.compile(r"^(Message envoyé\.)$"))).to_be_visible()
    axe_check(page, f"échange ({role}, 375 px)")
    page.screenshot(path=str(SCREENSHOTS / f"role-{role}-echange-375.png"), full_page=True)
    assert not page.console_errors, page.console_errors
