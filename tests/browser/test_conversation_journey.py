"""A manager writes in an application's messaging (with an internal note), the applicant reads
it on a phone and answers with a file, the manager sees the answer and the read receipt.

A real Chromium against the live server, the messages sent through htmx; axe-core scans (no
serious or critical violation) of the thread at 1280 and 375 px, for both sides.
"""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 800}
NOTE = "Budget d'animation élevé : à comparer avec les autres dossiers."


def thread_fits(page) -> bool:
    """The thread never scrolls sideways (on a phone especially)."""
    return page.evaluate("(() => { const s = document.getElementById('echanges'); return s.scrollWidth <= s.clientWidth; })()")


@pytest.mark.django_db(transaction=True)
def test_a_manager_writes_and_the_applicant_answers(page, live_server, login, axe_check, settings, tmp_path):
    from playwright.sync_api import expect

    from tests.calls.factories import applicant, make_call, submitted_application
    from tpj.calls.letters import simple_pdf
    from tpj.conversations.models import Message

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    call = make_call()
    carrier = applicant()
    app = submitted_application(call, carrier)
    url = f"{live_server.url}/appels-a-projets/candidatures/{app.pk}/"

    # 1. The manager asks a question, then keeps an internal note (desktop).
    login(page, live_server, call.manager.email)
    page.goto(url)
    thread = page.locator("#echanges")
    assert thread.get_by_text("Aucun message pour l'instant.").is_visible()
    thread.get_by_label("Votre message").fill("Pouvez-vous détailler le budget d'animation ?")
    thread.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#echanges").get_by_text("Message envoyé.")).to_be_visible()
    page.locator("#echanges").get_by_label("Votre message").fill(NOTE)
    page.locator("#echanges label[for='message-internal']").click()
    page.locator("#echanges").get_by_role("button", name="Envoyer").click()
    expect(page.locator("#echanges").get_by_text("Note interne enregistrée.")).to_be_visible()
    expect(page.locator("#echanges").get_by_text("Note interne — invisible pour le porteur")).to_be_visible()
    expect(page.locator("#echanges").get_by_text("Pas encore lu par le porteur")).to_be_visible()
    assert page.url == url  # htmx: the page stayed, only the thread changed
    axe_check(page, "messagerie, gestionnaire, 1280 px")
    page.set_viewport_size(PHONE)
    axe_check(page, "messagerie, gestionnaire, 375 px")
    assert thread_fits(page)

    # 2. The applicant reads it on a phone: no internal note; answers with a file.
    page.context.clear_cookies()
    login(page, live_server, carrier.email)
    page.goto(url)
    thread = page.locator("#echanges")
    assert thread.get_by_text("Pouvez-vous détailler le budget d'animation ?").is_visible()
    assert thread.get_by_text("Nouveau").is_visible()
    assert NOTE not in page.content() and "Note interne" not in page.content()
    axe_check(page, "messagerie, porteur, 375 px")
    assert thread_fits(page)
    thread.get_by_label("Votre message").fill("Voici le détail : 30 samedis à 250 € la séance.")
    thread.locator("#message-files").set_input_files(
        files=[{"name": "budget-animation.pdf", "mimeType": "application/pdf", "buffer": simple_pdf("Budget", ["30 x 250 €"])}]
    )
    thread.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#echanges").get_by_text("Message envoyé.")).to_be_visible()
    expect(page.locator("#echanges").get_by_role("link", name=re.compile("budget-animation.pdf"))).to_be_visible()
    page.set_viewport_size(DESKTOP)
    axe_check(page, "messagerie, porteur, 1280 px")

    # 3. The manager sees the answer, and that the applicant read the question.
    page.context.clear_cookies()
    login(page, live_server, call.manager.email)
    page.goto(url)
    thread = page.locator("#echanges")
    assert thread.get_by_text("Voici le détail : 30 samedis à 250 € la séance.").is_visible()
    assert thread.get_by_text(re.compile(r"\(3 messages\)")).is_visible()
    assert thread.get_by_text(re.compile("Lu par le porteur le ")).is_visible()
    assert Message.objects.filter(internal=False).count() == 2 and Message.objects.filter(internal=True).count() == 1
    assert not page.console_errors, page.console_errors
