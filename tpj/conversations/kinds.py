"""The table of thread kinds: which files may carry a conversation, and who talks on each side.

The conversations app sits at the bottom of the layers and never imports the modules above
it. Each module declares its kinds in its own `conversations.py` (found by name,
`ConversationsConfig.ready`), as it declares its e-mails in `emails.py`:

    register(ThreadKind(key="calls.application", slug="candidature", model="calls.Application", …))

A thread has two sides: the staff (the call's managers, the moderators) and the holder of
the file (the applicant organisation, the entry's members). Each side is a policy action
on the file (tpj.core.policy): who passes it is a party of that side.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models


class Side(models.TextChoices):
    STAFF = "staff", "Service"
    HOLDER = "holder", "Porteur"


def to(name: str) -> str:
    """« à » before a side's name, contracted as French requires: « au service instructeur »,
    « aux membres de la fiche », « à la modération »."""
    for article, contracted in (("le ", "au "), ("les ", "aux ")):
        if name.startswith(article):
            return contracted + name.removeprefix(article)
    return "à " + name


def _itself(obj):
    return obj


@dataclass(frozen=True)
class ThreadKind:
    key: str  # "calls.application", stored on each thread
    slug: str  # the kind in URLs: "candidature"
    model: str  # "calls.Application": the model of the files
    label: str  # French, the thread's title: « Messagerie de la candidature »
    # Policy actions on the file: who passes `staff_policy` talks for the staff, who passes
    # `holder_policy` for the holder (staff first, for a user who would pass both).
    staff_policy: str
    holder_policy: str
    # French, as a sentence reads them: « Lu par le porteur le … », « Lu par la modération le … »
    staff_name: str
    holder_name: str
    # French, as a message's header and the export name its side: « Service instructeur », « Porteur »
    staff_title: str
    holder_title: str
    # file -> "" while it takes new messages, else the French reason it does not
    closed_reason: Callable[[object], str]
    # (file, side) -> path of the page where that side reads the thread
    page_url: Callable[[object, str], str]
    # file -> the users told of a message, per side (the notification keeps only those
    # who pass that side's policy action)
    staff_recipients: Callable[[object], Iterable]
    holder_recipients: Callable[[object], Iterable]
    # the object a page shows -> the file its thread belongs to (a registry revision: its
    # published entry, so that the conversation outlives the revisions)
    file_of: Callable[[object], object] = _itself
    # (file, side) -> the HTTP response of the thread's export; None: the generic CSV
    export: Callable | None = None

    def model_class(self):
        return apps.get_model(self.model)

    def find(self, pk):
        """The file `pk` (raises the model's DoesNotExist)."""
        return self.file_of(self.model_class()._default_manager.get(pk=pk))

    def side_name(self, side: str) -> str:
        return self.staff_name if side == Side.STAFF else self.holder_name

    def side_title(self, side: str) -> str:
        return self.staff_title if side == Side.STAFF else self.holder_title

    def action(self, side: str) -> str:
        return self.staff_policy if side == Side.STAFF else self.holder_policy

    def recipients(self, side: str, obj) -> Iterable:
        return self.staff_recipients(obj) if side == Side.STAFF else self.holder_recipients(obj)


_KINDS: dict[str, ThreadKind] = {}


def register(kind: ThreadKind) -> ThreadKind:
    """Declare `kind` (once per key and per slug)."""
    if kind.key in _KINDS or any(k.slug == kind.slug for k in _KINDS.values()):
        raise ValueError(f"Thread kind {kind.key!r} ({kind.slug}) declared twice")
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> ThreadKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"No thread kind {key!r}: declare it in the app's conversations.py") from None


def by_slug(slug: str) -> ThreadKind | None:
    return next((kind for kind in _KINDS.values() if kind.slug == slug), None)


def of_model(model) -> ThreadKind | None:
    """The kind whose files are `model`'s rows, if any."""
    label = f"{model._meta.app_label}.{model._meta.object_name}"
    return next((kind for kind in _KINDS.values() if kind.model == label), None)


def all_kinds() -> list[ThreadKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)
