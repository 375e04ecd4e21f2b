"""« Mes téléchargements »: the files a user asked for, their progress, their download."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from tpj.core.queue import UNAVAILABLE_MESSAGE
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin

from . import builders, services
from .models import ExportJob


class DownloadsView(PolicyRequiredMixin, View):
    """The user's own prepared files, newest first."""

    policy_action = "downloads.view"

    def get(self, request):
        jobs = ExportJob.objects.visible_to(request.user).filter(requested_by=request.user)[:50]
        return render(request, "downloads/list.html", {"jobs": jobs})


class JobView(PolicyRequiredMixin, View):
    """One job: its page, or (htmx) the fragment its polling replaces; reading only."""

    policy_action = "downloads.view"

    def get(self, request, pk):
        job = get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk)
        template = "downloads/_job.html" if request.htmx else "downloads/job.html"
        return render(request, template, {"job": job})


class FileView(PolicyRequiredMixin, View):
    """The prepared file, for its owner (and administrators) while it is kept; 404 otherwise."""

    policy_action = "downloads.view"

    def get(self, request, pk):
        job = get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk, status=ExportJob.Status.READY)
        if not job.file or (job.expires_at and job.expires_at <= timezone.now()):
            raise Http404("Ce fichier n'est plus disponible.")
        return serve_upload(job.file, filename=job.filename, content_type=job.content_type)


class PrepareView(PolicyRequiredMixin, View):
    """« Préparer le fichier »: the kind in the form, its parameters in the query string (the
    filters of the page the button is on)."""

    policy_action = "downloads.view"
    http_method_names = ["post"]

    def post(self, request):
        kind = request.POST.get("kind", "")
        if not builders.exists(kind):
            raise Http404("Type de fichier inconnu.")
        builder = builders.get(kind)
        try:
            parameters = builder.parse(request.GET, request.user)
            job, message = services.request_export(request.user, kind, parameters)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect(_back(request))
        except PermissionDenied as error:
            return render(request, "403.html", {"reason": str(error)}, status=403)
        if job.status == ExportJob.Status.FAILED:
            level = messages.ERROR
        elif message == UNAVAILABLE_MESSAGE:  # saved, queued once the queue answers again
            level = messages.WARNING
        else:
            level = messages.SUCCESS
        messages.add_message(request, level, message)
        return redirect("downloads:list")


def _back(request) -> str:
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "downloads:list"
