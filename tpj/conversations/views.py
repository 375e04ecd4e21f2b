"""The thread of a file: its own page (the fallback without JavaScript), the fragment htmx
swaps in the file's page, its export and its attachments. Every view is for the parties only
(tpj/conversations/permissions.py); what each side reads is `services.conversation`."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from tpj.core import policy
from tpj.core.text import clean
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin

from . import kinds, services
from .models import MessageAttachment
from .permissions import side_of


class FileMixin:
    """The kind named in the URL and its file (404 for an unknown one)."""

    policy_action = "conversations.take_part"

    @cached_property
    def kind(self):
        kind = kinds.by_slug(self.kwargs["kind"])
        if kind is None:
            raise Http404("Type de dossier inconnu.")
        return kind

    @cached_property
    def file(self):
        try:
            return self.kind.find(self.kwargs["pk"])
        except (ObjectDoesNotExist, ValueError, OverflowError):
            raise Http404("Dossier introuvable.") from None

    def get_policy_object(self):
        return self.file


class ThreadView(FileMixin, PolicyRequiredMixin, View):
    """GET: the thread (marked read for the reader's side). POST: a message; htmx gets the
    thread back (with the errors, or emptied for the next message), a plain form is sent back
    to the page it came from."""

    def render_thread(self, conversation, status=200):
        if self.request.htmx:
            # htmx swaps only successful answers: a refusal comes back as 200 with its errors.
            return render(self.request, "conversations/_thread.html", {"c": conversation})
        back = self.kind.page_url(self.file, conversation.side)
        context = {"c": conversation, "back_url": back if back != conversation.url else ""}
        return render(self.request, "conversations/thread.html", context, status=status)

    def get(self, request, kind, pk):
        return self.render_thread(services.conversation(request.user, self.kind, self.file))

    def post(self, request, kind, pk):
        body, internal = request.POST.get("body", ""), request.POST.get("internal") == "1"
        try:
            message = services.post(request.user, self.kind, self.file, body, request.FILES.getlist("files"), internal)
        except policy.PermissionDenied as error:
            return render(request, "403.html", {"reason": str(error)}, status=403)
        except ValidationError as error:
            conversation = services.conversation(request.user, self.kind, self.file, mark=False)
            conversation.errors, conversation.body, conversation.internal = error.messages, clean(body), internal
            return self.render_thread(conversation, status=400)
        sent = "Note interne enregistrée." if message.internal else "Message envoyé."
        if request.htmx:
            conversation = services.conversation(request.user, self.kind, self.file)
            conversation.sent = sent
            return self.render_thread(conversation)
        messages.success(request, sent)
        return redirect(self._next(side_of(request.user, self.kind, self.file)))

    def _next(self, side):
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, {self.request.get_host()}, self.request.is_secure()):
            return target.split("#", 1)[0] + "#echanges"
        return self.kind.page_url(self.file, side) + "#echanges"


class ExportView(FileMixin, PolicyRequiredMixin, View):
    """The thread as a spreadsheet, as the reader's side reads it (never an internal note for
    the holder); the module's own export when its kind names one."""

    def get(self, request, kind, pk):
        side = side_of(request.user, self.kind, self.file)
        if self.kind.export is not None:
            return self.kind.export(self.file, side)
        return services.export_csv(self.kind, self.file, side)


class AttachmentView(PolicyRequiredMixin, View):
    """A message's attachment, always as a download under the name it came with."""

    policy_action = "conversations.download_attachment"

    @cached_property
    def attachment(self):
        return get_object_or_404(MessageAttachment.objects.select_related("message__thread"), pk=self.kwargs["pk"])

    def get_policy_object(self):
        return self.attachment

    def get(self, request, pk):
        attachment = self.attachment
        response = serve_upload(attachment.file, filename=attachment.original_name, content_type=attachment.mimetype)
        # serve_upload shows PDFs and images in the browser: a message's file is only ever a
        # download (the same header, "attachment" instead of "inline").
        disposition = response.get("Content-Disposition", "")
        if disposition.startswith("inline"):
            response["Content-Disposition"] = "attachment" + disposition.removeprefix("inline")
        return response
