"""Writing in a file's conversation: every refusal in French with nothing saved, the other
side told (never the author's own side, never the holder of an internal note), read marks,
the file's history."""

import pytest
from django.core.exceptions import ValidationError

from tpj.audit.models import AuditEvent
from tpj.calls.models import Application
from tpj.conversations import services
from tpj.conversations.kinds import Side
from tpj.conversations.models import Message, MessageAttachment, ReadMark, Thread
from tpj.core import policy
from tpj.notifications.models import Notification
from tpj.outbox.models import OutgoingEmail

from .conftest import executable, pdf

pytestmark = pytest.mark.django_db

APPLICATION = "calls.application"


def nothing_saved():
    assert not Thread.objects.exists() and not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert not Notification.objects.filter(kind="conversations.message").exists()
    assert not AuditEvent.objects.filter(action__startswith="conversations.").exists()


def refused(user, obj, body="Bonjour", files=(), internal=False, kind=APPLICATION):
    with pytest.raises(ValidationError) as error:
        services.post(user, kind, obj, body, files, internal)
    nothing_saved()
    return " ".join(error.value.messages)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "Le message est vide"),
        ("   \n\t  ", "Le message est vide"),
        ("x" * 5001, "Le message compte 5\u202f001 caractères : la limite est de 5\u202f000"),
        ("Bonjour\x1b[31m", "Le message contient un caractère de contrôle invisible (U+001B)"),
        ("Bonjour\x00", "(U+0000)"),
    ],
)
def test_a_bad_text_is_refused_in_french_and_nothing_is_saved(application_file, body, expected):
    assert expected in refused(application_file.manager, application_file.app, body)


def test_the_longest_message_allowed_is_5000_characters(application_file):
    message = services.post(application_file.manager, APPLICATION, application_file.app, "é" * 5000)
    assert len(message.body) == 5000


def test_an_executable_renamed_pdf_is_refused(application_file):
    message = refused(application_file.carrier, application_file.app, files=[pdf(), executable("devis.pdf")])
    assert "« devis.pdf » n'est ni un PDF, ni une image PNG ou JPEG" in message


def test_a_file_over_the_limit_is_refused(application_file):
    message = refused(application_file.carrier, application_file.app, files=[pdf(size=services.MAX_FILE_BYTES + 1)])
    assert "pèse 10.0 Mo : la limite est de 10 Mo" in message


def test_more_than_five_files_are_refused(application_file):
    message = refused(application_file.carrier, application_file.app, files=[pdf(f"piece-{i}.pdf") for i in range(6)])
    assert "Joignez au plus 5 fichiers à un message (vous en avez joint 6)" in message


def test_an_internal_note_by_the_holder_is_refused(application_file):
    message = refused(application_file.carrier, application_file.app, internal=True)
    assert "Les notes internes sont réservées au service instructeur" in message


def test_a_withdrawn_application_takes_no_message(application_file):
    Application.objects.filter(pk=application_file.app.pk).update(state=Application.State.WITHDRAWN)
    application_file.app.refresh_from_db()
    assert "Cette candidature a été retirée : les échanges sont clos." in refused(application_file.manager, application_file.app)


def test_a_draft_entry_takes_no_message(entry_file):
    entry_file.entry.state = "draft"
    entry_file.entry.save()
    message = refused(entry_file.member, entry_file.entry, kind="registry.entry")
    assert "pas encore été soumise à vérification" in message


def test_every_problem_is_listed_at_once(application_file):
    message = refused(application_file.carrier, application_file.app, "", files=[executable()], internal=True)
    assert "notes internes" in message and "vide" in message and "ni un PDF" in message


@pytest.mark.parametrize("who", ["other_region_manager", "stranger"])
def test_someone_who_is_not_a_party_is_refused(application_file, other_region_manager, who):
    from tests.calls.factories import applicant

    user = other_region_manager if who == "other_region_manager" else applicant()
    with pytest.raises(policy.PermissionDenied, match="réservés au service instructeur et au porteur"):
        services.post(user, APPLICATION, application_file.app, "Bonjour")
    nothing_saved()


def test_a_manager_writes_and_the_holder_side_only_is_told(application_file, django_capture_on_commit_callbacks):
    f = application_file
    message = services.post(f.manager, APPLICATION, f.app, "Pouvez-vous préciser le budget ?", [pdf()])
    assert message.side == Side.STAFF and message.attachments.get().original_name == "compte-rendu.pdf"
    told = set(Notification.objects.filter(kind="conversations.message").values_list("recipient__email", flat=True))
    assert told == {f.carrier.email, f.colleague.email}
    notification = Notification.objects.filter(recipient=f.carrier).get()
    assert notification.url == f"/appels-a-projets/candidatures/{f.app.pk}/#echanges"
    assert notification.body == "Pouvez-vous préciser le budget ?"
    assert any(m.recipients == [f.carrier.email] and "Nouveau message" in m.subject for m in OutgoingEmail.objects.all())


def test_the_holder_answers_and_the_call_managers_only_are_told(application_file):
    f = application_file
    services.post(f.carrier, APPLICATION, f.app, "Voici le budget détaillé.")
    told = set(Notification.objects.filter(kind="conversations.message").values_list("recipient__email", flat=True))
    assert told == {f.manager.email, f.co_manager.email}


def test_an_internal_note_is_told_to_the_other_managers_only(application_file):
    f = application_file
    services.post(f.carrier, APPLICATION, f.app, "Une question sur le calendrier.")
    Notification.objects.all().delete()
    services.post(f.manager, APPLICATION, f.app, "À vérifier avec la DREETS avant de répondre.", internal=True)
    told = list(Notification.objects.values_list("recipient__email", "title"))
    assert told == [(f.co_manager.email, f"Note interne : {f.app}")]
    holders = {f.carrier.email, f.colleague.email}
    noted = [m.recipients for m in OutgoingEmail.objects.all() if "Note interne" in m.subject]
    assert noted == [[f.co_manager.email]] and not holders & {r for rs in noted for r in rs}


def test_a_registry_message_reaches_the_members_and_back_the_moderators(entry_file):
    f = entry_file
    services.post(f.moderator, "registry.entry", f.entry, "Le justificatif est illisible.")
    assert list(Notification.objects.values_list("recipient", flat=True)) == [f.member.pk]
    assert Notification.objects.get().url == f"/echanges/fiche/{f.entry.pk}/#echanges"
    services.post(f.member, "registry.entry", f.entry, "Le voici en meilleure qualité.", [pdf("agrement.pdf")])
    assert Notification.objects.filter(recipient=f.moderator).get().url == f"/annuaire/moderation/{f.entry.pk}/#echanges"


def test_one_thread_per_file(application_file):
    f = application_file
    services.post(f.manager, APPLICATION, f.app, "Premier message.")
    services.post(f.carrier, APPLICATION, f.app, "Réponse.")
    assert Thread.objects.count() == 1 and Thread.objects.get().messages.count() == 2


def test_read_receipts_per_side(application_file):
    f = application_file
    services.post(f.manager, APPLICATION, f.app, "Pouvez-vous préciser le budget ?")
    seen_by_manager = services.conversation(f.manager, APPLICATION, f.app)
    assert seen_by_manager.messages[-1].read_at is None  # « Pas encore lu par le porteur »
    seen_by_carrier = services.conversation(f.carrier, APPLICATION, f.app)
    assert seen_by_carrier.messages[-1].is_new  # the first time the holder reads it
    mark = ReadMark.objects.get(side=Side.HOLDER)
    seen_by_manager = services.conversation(f.manager, APPLICATION, f.app)
    assert seen_by_manager.messages[-1].read_at == mark.last_read_at
    assert not services.conversation(f.carrier, APPLICATION, f.app).messages[-1].is_new


def test_mark_read_refuses_a_stranger(application_file, other_region_manager):
    f = application_file
    message = services.post(f.manager, APPLICATION, f.app, "Bonjour.")
    with pytest.raises(policy.PermissionDenied):
        services.mark_read(other_region_manager, message.thread)
    assert not ReadMark.objects.filter(side=Side.HOLDER).exists()


def test_messages_are_in_the_files_history_internal_notes_for_the_staff(application_file):
    from tpj.calls.exports import call_history

    f = application_file
    services.post(f.carrier, APPLICATION, f.app, "Voici le budget.")
    services.post(f.manager, APPLICATION, f.app, "Budget cohérent.", internal=True)
    events = call_history(f.app.call).filter(action__startswith="conversations.")
    assert [(e.action_label, e.reason) for e in events] == [
        ("Message dans la messagerie du dossier", "Voici le budget."),
        ("Note interne dans la messagerie du dossier", "Budget cohérent."),
    ]
    # The history is the staff's: the call's history export is refused to the carrier.
    assert not policy.check(f.carrier, "calls.view_history", f.app.call)


def test_a_revision_talks_in_its_published_entrys_thread(entry_file):
    from tests.registry.factories import EntryFactory, verified_entry

    f = entry_file
    published = verified_entry(setup__members=[f.member])
    revision = EntryFactory(state="submitted", revision_of=published, setup__members=[f.member])
    services.post(f.member, "registry.entry", revision, "Nous avons déménagé.")
    assert Thread.objects.get().object_id == str(published.pk)


def test_an_application_not_retained_is_archived_once_the_laureates_are_transmitted():
    from tests.calls.factories import decided_call
    from tpj.calls.models import Call

    call, apps = decided_call()
    Call.objects.filter(pk=call.pk).update(state=Call.State.TRANSMITTED)
    laureate, rejected = (Application.objects.get(pk=a.pk) for a in (apps[0], apps[-1]))
    assert laureate.state == Application.State.LAUREATE and rejected.state == Application.State.REJECTED
    message = refused(call.manager, rejected)
    assert "La liste des lauréats de cet appel est transmise : le dossier de cette candidature est archivé" in message
    assert services.post(call.manager, APPLICATION, laureate, "Convention reçue, merci.").pk


def test_a_moderators_internal_note_is_never_told_to_the_members(entry_file):
    from tests.factories import user_with_role
    from tpj.accounts.models import Role

    f = entry_file
    colleague = user_with_role(Role.MODERATOR, region=f.entry.region_id)
    services.post(f.moderator, "registry.entry", f.entry, "Justificatif à recouper avec la PMI.", internal=True)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [colleague.pk]
