"""The thread on the file's pages, its own page (no JavaScript), the htmx fragment, its export
and its attachments: for the parties only, internal notes never shown to the holder."""

import csv
import io

import pytest

from tests.responses import close_response
from tpj.conversations import services
from tpj.conversations.models import Message, Thread
from tpj.notifications.models import Notification

from .conftest import executable, pdf

pytestmark = pytest.mark.django_db

APPLICATION = "calls.application"
SECRET = "Dossier fragile, à discuter en comité"
HTMX = {"HTTP_HX_REQUEST": "true"}


def thread_url(app):
    return f"/echanges/candidature/{app.pk}/"


def page_url(app):
    return f"/appels-a-projets/candidatures/{app.pk}/"


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def exchange(application_file):
    """A question, an internal note, the applicant's answer with a file."""
    f = application_file
    services.post(f.manager, APPLICATION, f.app, "Pouvez-vous détailler le budget d'animation ?")
    services.post(f.manager, APPLICATION, f.app, SECRET, [pdf("note-comite.pdf")], internal=True)
    services.post(f.carrier, APPLICATION, f.app, "Voici le détail <script>alert(1)</script>", [pdf("budget.pdf")])
    return f


def test_the_manager_reads_every_message_and_the_internal_note_stands_out(client, exchange):
    html = as_user(client, exchange.manager).get(page_url(exchange.app)).content.decode()
    assert "Messagerie de la candidature" in html and "(3 messages)" in html
    assert SECRET in html and "Note interne — invisible pour le porteur" in html
    assert "note-comite.pdf" in html and 'name="internal"' in html


@pytest.mark.parametrize("url", [page_url, thread_url])
def test_the_applicant_never_sees_an_internal_note(client, exchange, url):
    for user in (exchange.carrier, exchange.colleague):
        html = as_user(client, user).get(url(exchange.app)).content.decode()
        assert "Pouvez-vous détailler le budget" in html and "(2 messages)" in html
        assert SECRET not in html and "note-comite.pdf" not in html
        assert "Note interne" not in html and 'name="internal"' not in html


def test_the_htmx_fragment_hides_the_internal_note_from_the_applicant(client, exchange):
    response = as_user(client, exchange.carrier).get(thread_url(exchange.app), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="echanges"') and "<html" not in html
    assert "(2 messages)" in html and SECRET not in html and "Note interne" not in html
    staff_html = as_user(client, exchange.manager).get(thread_url(exchange.app), **HTMX).content.decode()
    assert SECRET in staff_html and "(3 messages)" in staff_html


def test_messages_are_escaped(client, exchange):
    html = as_user(client, exchange.manager).get(page_url(exchange.app)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Voici le détail &lt;script&gt;alert(1)&lt;/script&gt;" in html


def export_rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_export_of_the_applicant_holds_no_internal_note(client, exchange):
    response = as_user(client, exchange.carrier).get(f"{thread_url(exchange.app)}echanges.csv")
    assert response["Content-Disposition"] == f'attachment; filename="echanges-{exchange.app.reference}.csv"'
    rows = export_rows(response)
    assert rows[0] == ["date", "auteur", "côté", "message", "pièces jointes"]
    assert [row[2] for row in rows[1:]] == ["Service instructeur", "Porteur"]
    assert SECRET not in response.content.decode() and "note-comite.pdf" not in response.content.decode()


def test_the_export_of_the_managers_has_the_internal_note_and_neutralises_formulas(client, application_file):
    f = application_file
    services.post(f.carrier, APPLICATION, f.app, '=HYPERLINK("https://example.com","Cliquez")')
    services.post(f.manager, APPLICATION, f.app, SECRET, internal=True)
    rows = export_rows(as_user(client, f.manager).get(f"{thread_url(f.app)}echanges.csv"))
    assert rows[0] == ["date", "auteur", "côté", "note interne", "message", "pièces jointes"]
    assert rows[1][3:5] == ["non", '\'=HYPERLINK("https://example.com","Cliquez")']
    assert rows[2][3:5] == ["oui", SECRET]


def test_the_applicant_is_never_notified_of_an_internal_note(exchange):
    holders = [exchange.carrier, exchange.colleague]
    texts = " ".join(f"{n.title} {n.body}" for n in Notification.objects.filter(recipient__in=holders))
    assert "Pouvez-vous détailler le budget" in texts and SECRET not in texts and "Note interne" not in texts


def test_a_manager_of_another_region_gets_403_everywhere(client, exchange, other_region_manager):
    client = as_user(client, other_region_manager)
    attachment = Message.objects.get(internal=False, side="holder").attachments.get()
    for url in (
        thread_url(exchange.app),
        f"{thread_url(exchange.app)}echanges.csv",
        f"/echanges/pieces-jointes/{attachment.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 403 and "réservés au service instructeur et au porteur" in response.content.decode()
    assert client.get(thread_url(exchange.app), **HTMX).status_code == 403
    response = client.post(thread_url(exchange.app), {"body": "Bonjour"})
    assert response.status_code == 403 and Message.objects.count() == 3


def test_a_moderator_of_another_departement_gets_403(client, entry_file):
    from tests.factories import user_with_role
    from tpj.accounts.models import Role

    elsewhere = user_with_role(Role.MODERATOR, departements=["13"])
    response = as_user(client, elsewhere).post(f"/echanges/fiche/{entry_file.entry.pk}/", {"body": "Bonjour"})
    assert response.status_code == 403 and not Thread.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, application_file):
    response = client.get(thread_url(application_file.app))
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_attachments_download_for_the_parties_only_and_internal_ones_for_the_staff(client, exchange):
    internal_file = Message.objects.get(internal=True).attachments.get()
    answer_file = Message.objects.get(side="holder").attachments.get()
    response = as_user(client, exchange.carrier).get(f"/echanges/pieces-jointes/{answer_file.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="budget.pdf"'
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    close_response(response)  # streamed: keep the test's database connection
    assert as_user(client, exchange.carrier).get(f"/echanges/pieces-jointes/{internal_file.pk}/").status_code == 403
    response = as_user(client, exchange.co_manager).get(f"/echanges/pieces-jointes/{internal_file.pk}/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    close_response(response)  # streamed: keep the test's database connection


def test_writing_without_javascript_goes_back_to_the_application_page(client, application_file):
    f = application_file
    response = as_user(client, f.manager).post(
        thread_url(f.app), {"body": "Merci de joindre le devis.", "next": page_url(f.app)}, follow=True
    )
    assert response.redirect_chain[-1][0] == page_url(f.app) + "#echanges"
    html = response.content.decode()
    assert "Message envoyé." in html and "Merci de joindre le devis." in html
    assert "Pas encore lu par le porteur" in html


def test_a_foreign_next_address_is_ignored(client, application_file):
    f = application_file
    response = as_user(client, f.manager).post(thread_url(f.app), {"body": "Bonjour", "next": "https://example.com/"})
    assert response["Location"] == page_url(f.app) + "#echanges"


def test_a_refusal_without_javascript_shows_the_page_again_with_the_text_kept(client, application_file):
    f = application_file
    response = as_user(client, f.carrier).post(thread_url(f.app), {"body": "Voici le devis", "files": [executable("devis.pdf")]})
    html = response.content.decode()
    assert response.status_code == 400 and "Votre message n'a pas été envoyé" in html
    assert "ni une image PNG ou JPEG" in html and ">Voici le devis</textarea>" in html
    assert not Message.objects.exists()


def test_a_refusal_with_htmx_comes_back_in_the_fragment(client, application_file):
    f = application_file
    response = as_user(client, f.carrier).post(thread_url(f.app), {"body": "x" * 5001}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "la limite est de 5\u202f000" in html and not Message.objects.exists()


def test_a_control_character_never_reaches_the_thread(client, application_file):
    """The service refuses one (tested there); a form's data lose theirs before any view
    reads them (tpj.core.middleware, the site-wide rule)."""
    f = application_file
    as_user(client, f.carrier).post(thread_url(f.app), {"body": "Bonjour\x07 !"})
    assert Message.objects.get().body == "Bonjour !"


def test_an_applicant_cannot_slip_an_internal_note_through_the_form(client, application_file):
    f = application_file
    response = as_user(client, f.carrier).post(thread_url(f.app), {"body": "Bonjour", "internal": "1"})
    assert response.status_code == 400 and "Les notes internes sont réservées au service instructeur" in response.content.decode()
    assert not Message.objects.exists()


def test_writing_with_htmx_swaps_the_thread_with_the_new_message(client, application_file):
    f = application_file
    response = as_user(client, f.carrier).post(
        thread_url(f.app), {"body": "Voici le devis.", "files": [pdf("devis.pdf")]}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Message envoyé." in html and "devis.pdf" in html and "(1 message)" in html


def test_read_receipt_shows_when_the_applicant_read(client, application_file):
    f = application_file
    services.post(f.manager, APPLICATION, f.app, "Pouvez-vous préciser ?")
    as_user(client, f.carrier).get(page_url(f.app))
    html = as_user(client, f.manager).get(page_url(f.app)).content.decode()
    assert "Lu par le porteur le " in html and "Pas encore lu" not in html


def test_a_withdrawn_application_shows_why_it_takes_no_message(client, application_file):
    from tpj.calls.services.applications import withdraw_application

    f = application_file
    services.post(f.manager, APPLICATION, f.app, "Une question.")
    withdraw_application(f.app, f.carrier, "Projet abandonné")
    html = as_user(client, f.manager).get(page_url(f.app)).content.decode()
    assert "Cette candidature a été retirée : les échanges sont clos." in html and 'name="body"' not in html


def test_the_moderator_and_the_member_talk_on_their_pages(client, entry_file):
    f = entry_file
    entry_url = f"/echanges/fiche/{f.entry.pk}/"
    as_user(client, f.moderator).post(entry_url, {"body": "Le justificatif est illisible."})
    as_user(client, f.moderator).post(entry_url, {"body": SECRET, "internal": "1"})
    moderation = as_user(client, f.moderator).get(f"/annuaire/moderation/{f.entry.pk}/").content.decode()
    assert "Messagerie de la fiche" in moderation and SECRET in moderation
    assert "Note interne — invisible pour les membres de la fiche" in moderation
    assert "Note interne dans la messagerie du dossier" in moderation  # in the entry's history
    member_page = as_user(client, f.member).get(entry_url).content.decode()
    assert "Le justificatif est illisible." in member_page and SECRET not in member_page and "(1 message)" in member_page
    export = as_user(client, f.member).get(f"{entry_url}echanges.csv").content.decode("utf-8-sig")
    assert "Le justificatif est illisible." in export and SECRET not in export and "note interne" not in export
    assert SECRET in as_user(client, f.moderator).get(f"{entry_url}echanges.csv").content.decode("utf-8-sig")
    f.entry.state = "changes_requested"
    f.entry.save()
    edit_page = as_user(client, f.member).get(f"/annuaire/fiches/{f.entry.pk}/modifier/").content.decode()
    assert "Le justificatif est illisible." in edit_page and SECRET not in edit_page
