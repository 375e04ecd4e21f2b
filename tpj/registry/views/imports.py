"""CSV imports of a network's entries, resumable page by page."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin

from .. import importer
from ..forms import ImportForm
from ..models import ImportJob


class ImportView(PolicyRequiredMixin, View):
    policy_action = "registry.import"

    def get(self, request, form=None, status=200):
        jobs = ImportJob.objects.visible_to(request.user)[:10]
        return render(request, "registry/import.html", {"form": form or ImportForm(), "jobs": jobs}, status=status)

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            job = importer.create_job(form.cleaned_data["source"], form.cleaned_data["file"], request.user)
        except ValidationError as error:
            form.add_error("file", error.messages[0])
            return self.get(request, form=form, status=400)
        return redirect("registry:import-job", job.pk)


class ImportJobView(PolicyRequiredMixin, View):
    """Progress page and per-row report of a job its user may see (404 otherwise); each htmx
    poll by whoever may run it processes the next chunk (resumable after interruption)."""

    policy_action = "registry.import"

    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
        if request.htmx and job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
            decision = policy.check(request.user, "registry.run_import", job)
            if not decision:
                return render(request, "403.html", {"reason": decision.reason}, status=403)
            job = importer.run_chunk(job, request.user)
        template = "registry/_import_progress.html" if request.htmx else "registry/import_job.html"
        return render(request, template, {"job": job})
