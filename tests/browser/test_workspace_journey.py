"""« Mon espace » in a real Chromium: a moderator and a call manager open it at desktop and mobile
width (axe-core clean, no horizontal scroll, screenshots in var/screenshots/), then follow an
item to the page where the work is done."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1280, 375)


def _open_workspace(page, live_server, axe_check, persona):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/mon-espace/")
        assert page.get_by_role("heading", level=1, name="Mon espace").is_visible()
        axe_check(page, f"Mon espace ({persona}, {width} px)")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"défilement horizontal à {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"mon-espace-{persona}-{width}.png"), full_page=True)
    assert not page.console_errors, page.console_errors


@pytest.mark.django_db(transaction=True)
def test_moderator_and_call_manager_follow_an_item_of_their_workspace(page, live_server, login, axe_check, settings, tmp_path):
    from tests.calls.factories import make_call, submitted_application
    from tests.factories import user_with_role
    from tests.registry.factories import EntryFactory
    from tpj.accounts.models import Role
    from tpj.registry.models import Entry, State

    settings.MEDIA_ROOT = str(tmp_path / "media")
    moderator = user_with_role(Role.MODERATOR, region="53")
    for days in (9, 2):
        entry = EntryFactory(state=State.SUBMITTED)
        Entry.objects.filter(pk=entry.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=days, hours=1))
    call = make_call()
    submitted_application(call, title="Ateliers d'éveil partagés")

    # The moderator: the queue of the région, its oldest entry, then the queue itself.
    login(page, live_server, moderator.email)
    _open_workspace(page, live_server, axe_check, "moderateur")
    assert page.get_by_text("la plus ancienne depuis 9 jours").is_visible()
    page.get_by_role("link", name="2 fiches en attente de vérification").click()
    page.wait_for_url(re.compile(r"/annuaire/moderation/$"))
    axe_check(page, "file de modération suivie depuis Mon espace")

    # The call manager: the application to instruct, then the call's applications to instruct.
    page.context.clear_cookies()
    login(page, live_server, call.manager.email)
    _open_workspace(page, live_server, axe_check, "gestionnaire")
    page.get_by_role("link", name=re.compile(r"^1 candidature à instruire")).click()
    page.wait_for_url(re.compile(rf"/appels-a-projets/{call.pk}/candidatures/\?etat=submitted$"))
    assert page.get_by_text("Ateliers d'éveil partagés").first.is_visible()
    axe_check(page, "candidatures à instruire suivies depuis Mon espace")
