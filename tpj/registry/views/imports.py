"""CSV imports of a network's entries: started here, run by a worker, followed on their page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views import View

from tpj.core.queue import QueueUnavailable
from tpj.core.views_mixins import PolicyRequiredMixin

from .. import importer
from ..forms import ImportForm
from ..models import ImportJob


# Not one transaction: the job must be committed before it is queued (the worker reads it),
# and a queue that cannot take it must be known here, to say so on the page.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ImportView(PolicyRequiredMixin, View):
    policy_action = "registry.import"

    def get(self, request, form=None, status=200):
        jobs = ImportJob.objects.visible_to(request.user)[:20]
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
        try:
            importer.queue_job(job)
        except QueueUnavailable as error:
            messages.warning(request, error.message)
        return redirect("registry:import-job", job.pk)


class ImportJobView(PolicyRequiredMixin, View):
    """Progress page and per-row report of a job its user may see (404 otherwise). Its htmx
    poll only reads the job: a worker runs it, whether the page is open or not."""

    policy_action = "registry.import"

    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
        template = "registry/_import_progress.html" if request.htmx else "registry/import_job.html"
        return render(request, template, {"job": job})
