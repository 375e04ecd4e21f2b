"""Writing and reading a file's conversation.

    post(user, "calls.application", application, body, files, internal=False)

`post` checks everything before it writes anything (who writes, whether the file still takes
messages, the text, every attached file), then saves the message, its files, the author's
read mark, a line of the file's history (the audit log, which only the staff read) and the
other side's notifications, in one transaction: a refusal leaves nothing behind.
"""

import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tpj.audit.services import record
from tpj.core import policy
from tpj.core.exports import csv_response
from tpj.core.text import clean, control_message, first_control, french_count
from tpj.core.uploads import JPEG, PDF, PNG, check_upload
from tpj.notifications.services import notify

from . import kinds
from .kinds import Side, ThreadKind, to
from .models import Message, MessageAttachment, ReadMark, Thread
from .notification_kinds import MESSAGE
from .permissions import not_a_party, side_of

MAX_BODY_CHARS = 5_000
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024  # as an application's attachments and the registry's evidence files
FILE_TYPES = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
BAD_FILE = (
    "Le fichier « {name} » n'est ni un PDF, ni une image PNG ou JPEG (son contenu a été vérifié, pas seulement son extension)."
)
NOTIFIED_EXCERPT_CHARS = 300
# The audit actions of the file's history (tpj/audit/labels.py).
HISTORY_MESSAGE = "conversations.message"
HISTORY_INTERNAL_NOTE = "conversations.internal_note"


def _kind(kind) -> ThreadKind:
    return kind if isinstance(kind, ThreadKind) else kinds.get(kind)


def thread_of(kind, file) -> Thread | None:
    """The thread of `file` (None until its first message)."""
    content_type = ContentType.objects.get_for_model(file)
    return Thread.objects.filter(content_type=content_type, object_id=str(file.pk)).first()


def require_side(user, kind: ThreadKind, file) -> str:
    side = side_of(user, kind, file)
    if side is None:
        raise policy.PermissionDenied(not_a_party(kind))
    return side


def body_problems(body: str) -> tuple[str, list[str]]:
    """The message's text as it is kept, and the French problems that refuse it."""
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    char = first_control(body)
    if char is not None:
        return body, [control_message(char, "Le message")]
    body = clean(body).strip()
    if not body:
        return body, ["Le message est vide : écrivez votre message."]
    if len(body) > MAX_BODY_CHARS:
        return body, [
            f"Le message compte {french_count(len(body))} caractères : la limite est de {french_count(MAX_BODY_CHARS)}. "
            "Raccourcissez-le ou joignez un document."
        ]
    return body, []


def file_problems(files) -> tuple[list[tuple], list[str]]:
    """[(upload, content type)] of acceptable `files`, and the French problems of the others."""
    problems, checked = [], []
    if len(files) > MAX_FILES:
        problems.append(f"Joignez au plus {MAX_FILES} fichiers à un message (vous en avez joint {len(files)}).")
    for upload in files:
        try:
            checked.append((upload, check_upload(upload, accepted=set(FILE_TYPES), max_bytes=MAX_FILE_BYTES, bad_type=BAD_FILE)))
        except ValidationError as error:
            problems.extend(error.messages)
    return checked, problems


def post(user, thread_kind, obj, body: str, files=(), internal: bool = False) -> Message:
    """Write a message on the thread of `obj` (created with its first message) and tell the
    other side (an internal note: the other members of the staff only).

    Raises `policy.PermissionDenied` when `user` is not a party, else a French
    ValidationError listing every problem; nothing is saved on a refusal."""
    kind = _kind(thread_kind)
    file = kind.file_of(obj)
    side = require_side(user, kind, file)
    problems = []
    if internal and side != Side.STAFF:
        problems.append(f"Les notes internes sont réservées {to(kind.staff_name)} : votre message n'a pas été envoyé.")
    closed = kind.closed_reason(file)
    if closed:
        problems.append(closed)
    body, text_problems = body_problems(body)
    checked, upload_problems = file_problems(list(files or ()))
    problems += text_problems + upload_problems
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        thread, _ = Thread.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(file), object_id=str(file.pk), defaults={"kind": kind.key}
        )
        message = Message.objects.create(thread=thread, author=user, side=side, body=body, internal=internal)
        for upload, content_type in checked:
            attachment = MessageAttachment(message=message, original_name=upload.name, size=upload.size, mimetype=content_type)
            attachment.file.save(f"{uuid.uuid4().hex}.{FILE_TYPES[content_type]}", upload, save=False)
            attachment.save()
        ReadMark.objects.update_or_create(thread=thread, side=side, defaults={"last_read_at": message.created_at})
        record(actor=user, obj=file, action=HISTORY_INTERNAL_NOTE if internal else HISTORY_MESSAGE, reason=body)
        _notify(kind, file, thread, message)
    return message


def _notify(kind: ThreadKind, file, thread: Thread, message: Message):
    """The other side (an internal note: the staff), as the kind names them plus whoever has
    already written for that side; each must pass that side's policy action on the file."""
    told = Side.STAFF if message.internal or message.side == Side.HOLDER else Side.HOLDER
    writers = {m.author for m in thread.messages.filter(side=told).exclude(author=None).select_related("author")}
    users = list(kind.recipients(told, file)) + sorted(writers, key=lambda u: u.pk)
    excerpt = message.body if len(message.body) <= NOTIFIED_EXCERPT_CHARS else message.body[:NOTIFIED_EXCERPT_CHARS] + "…"
    notify(
        MESSAGE,
        users,
        target=file,
        title=f"{'Note interne' if message.internal else 'Nouveau message'} : {file}",
        body=excerpt,
        url=kind.page_url(file, told) + "#echanges",
        may_see=kind.action(told),
        actor=message.author,
    )


def mark_read(user, thread: Thread) -> ReadMark:
    """Record that `user`'s side has read `thread` up to now (a stranger is refused)."""
    kind = kinds.get(thread.kind)
    side = require_side(user, kind, thread.file)
    mark, _ = ReadMark.objects.update_or_create(thread=thread, side=side, defaults={"last_read_at": timezone.now()})
    return mark


# -- Reading ---------------------------------------------------------------------------------


@dataclass
class Conversation:
    """What a page shows of a file's thread to one party (`conversations/_thread.html`)."""

    kind: ThreadKind
    file: object
    side: str
    thread: Thread | None
    messages: list = field(default_factory=list)
    closed_reason: str = ""
    errors: list = field(default_factory=list)
    body: str = ""  # the text sent back with its errors
    internal: bool = False
    sent: str = ""  # « Message envoyé. », shown in the thread htmx swaps back

    @property
    def is_staff(self) -> bool:
        return self.side == Side.STAFF

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def url(self) -> str:
        return reverse("conversations:thread", args=[self.kind.slug, self.file.pk])

    @property
    def export_url(self) -> str:
        return reverse("conversations:export", args=[self.kind.slug, self.file.pk])

    @property
    def other_name(self) -> str:
        return self.kind.side_name(Side.HOLDER if self.is_staff else Side.STAFF)

    @property
    def max_files(self) -> int:
        return MAX_FILES

    @property
    def max_chars(self) -> int:
        return MAX_BODY_CHARS

    @property
    def max_chars_label(self) -> str:
        return french_count(MAX_BODY_CHARS)


def visible_messages(thread: Thread | None, side: str) -> list[Message]:
    if thread is None:
        return []
    return list(thread.messages.seen_by(side).select_related("author__organisation").prefetch_related("attachments"))


def conversation(user, thread_kind, obj, *, mark: bool = True) -> Conversation | None:
    """The thread of `obj` as `user` reads it, or None when `user` is not a party. Reading it
    marks it read for the user's side (`mark`).

    Each message carries `is_new` (written by the other side since this side last read) and,
    for the last message of the user's side, `read_at`: when the other side read it (None:
    not yet)."""
    kind = _kind(thread_kind)
    file = kind.file_of(obj)
    side = side_of(user, kind, file)
    if side is None:
        return None
    thread = thread_of(kind, file)
    messages = visible_messages(thread, side)
    marks = dict(thread.read_marks.values_list("side", "last_read_at")) if thread else {}
    own_mark, other_mark = marks.get(side), marks.get(Side.HOLDER if side == Side.STAFF else Side.STAFF)
    for message in messages:
        message.is_new = message.side != side and (own_mark is None or message.created_at > own_mark)
        message.author_name = str(message.author) if message.author else "Compte supprimé"
        message.side_title = kind.side_title(message.side)
    own = [m for m in messages if m.side == side and not m.internal]
    if own:
        own[-1].receipt = True
        own[-1].read_at = other_mark if other_mark and other_mark >= own[-1].created_at else None
    if mark and thread is not None:
        mark_read(user, thread)
    return Conversation(kind=kind, file=file, side=side, thread=thread, messages=messages, closed_reason=kind.closed_reason(file))


# -- Export ----------------------------------------------------------------------------------


def export_table(thread_kind, file, side: str) -> tuple[list, list]:
    """(header, rows) of the thread as `side` reads it: the holder's never holds an internal
    note, nor a column saying there could be one."""
    kind = _kind(thread_kind)
    staff = side == Side.STAFF
    header = ["date", "auteur", "côté"] + (["note interne"] if staff else []) + ["message", "pièces jointes"]
    rows = []
    for message in visible_messages(thread_of(kind, file), side):
        row = [
            timezone.localtime(message.created_at).strftime("%d/%m/%Y %H:%M"),
            str(message.author) if message.author else "Compte supprimé",
            kind.side_title(message.side),
        ]
        row += (["oui" if message.internal else "non"] if staff else []) + [
            message.body,
            ", ".join(a.original_name for a in message.attachments.all()),
        ]
        rows.append(row)
    return header, rows


def export_csv(thread_kind, file, side: str):
    """The generic export of a thread: one CSV line per message (spreadsheet formulas
    neutralised by tpj.core.exports)."""
    kind = _kind(thread_kind)
    header, rows = export_table(kind, file, side)
    return csv_response(f"echanges-{kind.slug}-{file.pk}.csv", header, rows, streaming=False)
