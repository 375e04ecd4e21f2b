"""Jurors: when scoring opens (said on the sheet and the list, fields disabled until then), the
notification when it opens, and the application's attachments on the sheet."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory
from tpj.calls.models import JuryMember
from tpj.calls.services.applications import (
    add_attachment,
    create_application,
    submit_application,
    withdraw_application,
)
from tpj.calls.services.calls import fire_call
from tpj.calls.services.instruction import declare_eligible
from tpj.calls.services.jury import add_jury_member, assign, declare_conflict
from tpj.notifications.models import Notification

from .factories import applicant, close, content, jury_user, make_call, pdf_upload, submitted_application

pytestmark = pytest.mark.django_db


def page(client, user, url) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(url)
    return response.status_code, html.unescape(response.content.decode())


def _seated(call, kind=JuryMember.Kind.FUNDER, organisation=None):
    juror = jury_user(organisation=organisation)
    add_jury_member(call, call.manager, juror, kind)
    return juror


def test_before_the_applications_close_the_juror_reads_when_scoring_opens_and_the_fields_are_disabled(client):
    deadline = timezone.now() + datetime.timedelta(days=10)
    call = make_call(deadline=deadline)
    call.jury_date = timezone.localdate() + datetime.timedelta(days=30)
    call.save()
    app = declare_eligible(submitted_application(call), call.manager)  # eligible while the call still receives
    juror = _seated(call)
    assign(call, call.manager)
    sheet = juror.jury_seats.get().sheets.get()
    when = f"après la date limite de dépôt du {timezone.localtime(deadline):%d/%m/%Y à %H:%M}"
    meeting = f"Le jury se réunit le {call.jury_date:%d/%m/%Y}."

    # the list: the call's state in French, when scoring opens, the jury's date
    status, text = page(client, juror, reverse("calls:my-jury"))
    assert "Publié — candidatures ouvertes" in text and "published" not in text
    assert f"La notation s'ouvrira quand les gestionnaires de l'appel cloront les candidatures, {when}" in text
    assert meeting in text and "Déclaration d'intérêts à faire" in text

    # the sheet, before the declaration: the same calendar above the declaration
    status, text = page(client, juror, reverse("calls:sheet", args=[sheet.pk]))
    assert status == 200 and when in text and "Enregistrer ma déclaration" in text

    declare_conflict(sheet, juror, has_conflict=False)
    status, text = page(client, juror, reverse("calls:sheet", args=[sheet.pk]))
    assert app.title in text
    assert 'id="notation-fermee"' in text and when in text and meeting in text
    assert '<fieldset class="fr-fieldset" disabled aria-describedby="notation-fermee">' in text
    assert "Valider ma notation" not in text
    _, listed = page(client, juror, reverse("calls:my-jury"))
    assert "Notation fermée" in listed

    # scores sent anyway are refused with the same reason, nothing saved
    criteria = list(call.criteria.all())
    data = {f"score_{c.pk}": "3" for c in criteria} | {"submit": "1"}
    response = client.post(reverse("calls:sheet", args=[sheet.pk]), data)
    assert response.status_code == 400 and when in html.unescape(response.content.decode())
    assert not sheet.scores.exists()

    # once the applications are closed, scoring is open until the laureates are decided
    close(call)
    status, text = page(client, juror, reverse("calls:sheet", args=[sheet.pk]))
    assert "Candidatures closes — instruction et jury" in text
    assert f"La notation est ouverte jusqu'à l'arrêt de la liste des lauréats. {meeting}" in text
    assert "disabled" not in text.split("<h2>Ma notation</h2>", 1)[1] and "Valider ma notation" in text
    _, listed = page(client, juror, reverse("calls:my-jury"))
    assert "À noter" in listed


def test_a_validated_sheet_shows_disabled_fields_and_a_closed_call_says_scoring_is_over(client):
    call = make_call()
    app = submitted_application(call)
    close(call)
    declare_eligible(app, call.manager)
    juror = _seated(call)
    assign(call, call.manager)
    sheet = juror.jury_seats.get().sheets.get()
    declare_conflict(sheet, juror, has_conflict=False)
    client.force_login(juror)
    data = {f"score_{c.pk}": "4" for c in call.criteria.all()} | {"submit": "1"}
    # Without JavaScript, « Valider ma notation » saves the notes and asks for the confirmation
    asked = client.post(reverse("calls:sheet", args=[sheet.pk]), data)
    assert asked.status_code == 200 and "Confirmer la validation" in asked.content.decode()
    sheet.refresh_from_db()
    assert sheet.submitted_at is None and sheet.scores.count() == len(data) - 1
    # which locks it
    assert client.post(reverse("calls:sheet", args=[sheet.pk]), data | {"submit": "confirmed"}).status_code == 302
    _, text = page(client, juror, reverse("calls:sheet", args=[sheet.pk]))
    assert 'disabled aria-describedby="notation-validee"' in text and "Elle ne peut plus être modifiée" in text

    call.refresh_from_db()
    call.state = call.State.LAUREATES_DECIDED  # (the laureates' list decided: scoring is over)
    call.save(update_fields=["state"])
    _, text = page(client, juror, reverse("calls:my-jury"))
    assert "Lauréats désignés" in text and "La notation est close : la liste des lauréats de l'appel est arrêtée." in text


def test_jurors_with_files_to_score_are_told_once_when_the_applications_close():
    call = make_call()
    author = applicant()
    app = declare_eligible(submitted_application(call, author), call.manager)
    scorer = _seated(call, JuryMember.Kind.FUNDER)
    recused = _seated(call, JuryMember.Kind.OPERATOR, organisation=author.organisation)  # its own organisation's file
    assign(call, call.manager)
    late = _seated(call, JuryMember.Kind.EXPERT)  # seated after the assignment: no file yet

    close(call)
    told = Notification.objects.filter(kind="calls.call.close_applications")
    jurors = [n.recipient for n in told if n.url == reverse("calls:my-jury")]
    assert jurors == [scorer]  # once; neither the recused member nor the one without files
    assert {n.recipient for n in told} == {scorer, call.co_manager}

    # the late member is told when given files (scoring already open: no « s'ouvrira »)
    assign(call, call.manager)
    (assigned,) = Notification.objects.filter(kind="calls.sheets_assigned", recipient=late)
    assert assigned.title.startswith("1 dossier à noter") and "s'ouvrira" not in assigned.body
    assert not Notification.objects.filter(kind="calls.call.close_applications", recipient__in=[recused, late]).exists()
    assert app.sheets.count() == 3


def test_the_attachments_are_listed_for_jurors_without_a_conflict_only(client):
    call = make_call()
    user = applicant()
    partner = OrganisationFactory(name="Réseau partenaire")
    draft, _ = create_application(
        user, call, content(call, partners=[{"name": "Réseau partenaire", "role": "Accueil des familles"}])
    )
    attachment = add_attachment(draft, user, "Budget prévisionnel", pdf_upload("budget.pdf"))
    app = submit_application(draft, user)
    close(call)
    declare_eligible(app, call.manager)
    clear = _seated(call)
    conflicted = _seated(call, JuryMember.Kind.OPERATOR)
    auto_recused = _seated(call, JuryMember.Kind.EXPERT, organisation=partner)  # partner of the project
    assign(call, call.manager)
    download = reverse("calls:attachment", args=[attachment.pk])

    clear_sheet = clear.jury_seats.get().sheets.get()
    # before the declaration of interests, neither the file nor its attachments
    _, text = page(client, clear, reverse("calls:sheet", args=[clear_sheet.pk]))
    assert "Budget prévisionnel" not in text
    assert client.get(download).status_code == 403

    declare_conflict(clear_sheet, clear, has_conflict=False)
    _, text = page(client, clear, reverse("calls:sheet", args=[clear_sheet.pk]))
    assert "<h2>Pièces jointes</h2>" in text and f'href="{download}">Budget prévisionnel</a>' in text
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")

    conflicted_sheet = conflicted.jury_seats.get().sheets.get()
    declare_conflict(conflicted_sheet, conflicted, has_conflict=True, note="Ancien salarié du porteur")
    _, text = page(client, conflicted, reverse("calls:sheet", args=[conflicted_sheet.pk]))
    assert "Budget prévisionnel" not in text and "Vous avez déclaré un conflit d'intérêts" in text
    response = client.get(download)
    assert response.status_code == 403

    assert auto_recused.jury_seats.get().sheets.get().auto_recused
    client.force_login(auto_recused)
    assert client.get(download).status_code == 403


def test_a_withdrawn_file_says_it_is_no_longer_before_the_jury():
    call = make_call()
    user = applicant()
    app = declare_eligible(submitted_application(call, user), call.manager)
    juror = _seated(call)
    assign(call, call.manager)
    withdraw_application(app, user, "Projet abandonné")
    fire_call(call, call.manager, "close_applications")
    sheet = juror.jury_seats.get().sheets.select_related("application__call").get()
    assert sheet.scoring_closed_reason() == "Ce dossier n'est plus soumis au jury (état du dossier : Retirée)."
    assert not Notification.objects.filter(kind="calls.call.close_applications", recipient=juror).exists()
