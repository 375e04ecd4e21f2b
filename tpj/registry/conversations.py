"""The conversation of a registry entry (tpj.conversations): the moderators whose scope holds
the entry and the entry's members. One thread per entry: a revision's messages go to the
published entry it revises. It opens once the entry is submitted to verification."""

from django.urls import reverse

from tpj.conversations.kinds import Side, ThreadKind, register

from .models import Entry, State
from .recipients import members_of, moderation_url, moderators_of


def file_of(entry: Entry) -> Entry:
    return entry.revision_of if entry.revision_of_id else entry


def closed_reason(entry: Entry) -> str:
    if entry.state == State.DRAFT:
        return (
            "Cette fiche n'a pas encore été soumise à vérification : les échanges avec la modération s'ouvrent à sa soumission."
        )
    return ""


def page_url(entry: Entry, side: str) -> str:
    # The members' edit page is closed while the entry is being verified: they read the
    # thread on its own page.
    if side == Side.STAFF:
        return moderation_url(entry)
    return reverse("conversations:thread", args=["fiche", entry.pk])


ENTRY = register(
    ThreadKind(
        key="registry.entry",
        slug="fiche",
        model="registry.Entry",
        label="Messagerie de la fiche",
        staff_policy="registry.moderate",
        holder_policy="registry.edit",
        staff_name="la modération",
        holder_name="les membres de la fiche",
        staff_title="Modération",
        holder_title="Membre de la fiche",
        closed_reason=closed_reason,
        page_url=page_url,
        staff_recipients=moderators_of,
        holder_recipients=members_of,
        file_of=file_of,
    )
)
