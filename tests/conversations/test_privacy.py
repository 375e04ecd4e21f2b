"""The messages a person wrote in a file's conversation are in their « Mes données » export,
attachments named; after the account is deleted they stay in the file's history (the thread
is part of the file), under the anonymised account."""

import pytest

from tpj.conversations import services
from tpj.conversations.models import Message
from tpj.privacy import services as privacy

from .conftest import pdf

pytestmark = pytest.mark.django_db

APPLICATION = "calls.application"


def test_my_messages_and_internal_notes_are_in_my_export_and_only_mine(application_file):
    f = application_file
    services.post(f.manager, APPLICATION, f.app, "Pouvez-vous préciser le budget ?", [pdf()])
    services.post(f.manager, APPLICATION, f.app, "Budget à vérifier avec la DREETS.", internal=True)
    services.post(f.carrier, APPLICATION, f.app, "Voici le budget détaillé.")

    mine = privacy.export_user_data(f.manager)["messages"]
    theirs = privacy.export_user_data(f.carrier)["messages"]

    assert [m["body"] for m in mine] == ["Pouvez-vous préciser le budget ?", "Budget à vérifier avec la DREETS."]
    assert [m["internal"] for m in mine] == [False, True]
    assert len(mine[0]["pieces_jointes"]) == 1 and mine[0]["dossier"]
    assert [m["body"] for m in theirs] == ["Voici le budget détaillé."]  # never the staff's internal note


def test_the_messages_stay_in_the_file_after_their_author_leaves(application_file):
    f = application_file
    services.post(f.carrier, APPLICATION, f.app, "Voici le budget détaillé.")

    privacy.delete_account(f.carrier)

    message = Message.objects.get()
    assert message.body == "Voici le budget détaillé."
    assert not message.author.is_active and message.author.email.endswith("@anonyme.invalid")
