"""Pages of the conventions de subvention (a laureate's convention, a call's conventions) and of
the committee's files (exports and attachments prepared by the workers, tpj.calls.downloads)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from tpj.core import policy
from tpj.core.confirm import confirmation_step
from tpj.core.uploads import PDF, serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin

from ..committee_export import VERSIONS
from ..forms.conventions import InstalmentPaymentForm, ScheduleForm, SignatureForm, instalment_formset
from ..models import ZERO, Application, Call, Convention, InstalmentPayment
from ..services.conventions import (
    ScheduleLine,
    check_signed_copy,
    convention_overdue,
    current_convention,
    draft_for,
    overdue_application_ids,
    record_instalment_payment,
    request_convention,
    save_schedule,
    schedule_lines,
    shares,
    sign_convention,
)
from ..workflow_confirmations import ACTIONS, chosen, confirmation_text, confirmed
from .common import ApplicationMixin, CallMixin, add_errors
from .confirm import upload_confirmation_step


def _schedule_rows(convention):
    """The schedule as the page shows it: each instalment with its share of every envelope."""
    rows = {}
    for share in shares(convention):
        rows.setdefault(share.instalment, []).append(share)
    return list(rows.items())


class ConventionView(ApplicationMixin, PolicyRequiredMixin, View):
    """A laureate's convention: its schedule (the manager's until drawn), its PDF, its signature
    and the payments against its schedule. Every POST goes to its service."""

    policy_action = "calls.view_convention"
    template = "calls/conventions/convention.html"

    def context(self, **bound):
        app, user = self.application, self.request.user
        convention = draft_for(app)
        manager = bool(policy.check(user, "calls.manage_follow_up", app))
        list_decided = app.call.state in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED)
        ctx = {
            "app": app,
            "call": app.call,
            "convention": convention,
            "is_manager": manager,
            "list_decided": list_decided,
            "overdue": convention_overdue(app),
            "may_edit": manager and list_decided and convention.is_editable,
            "may_sign": convention.state == Convention.State.ISSUED and bool(policy.check(user, "calls.sign_convention", app)),
        }
        if convention.pk:
            ctx["schedule"] = _schedule_rows(convention)
            ctx["payments"] = (
                InstalmentPayment.objects.filter(instalment__convention=convention)
                .select_related("instalment", "payment__request__envelope__funding_source")
                .order_by("payment__paid_on", "payment__pk")
            )
        if ctx["may_edit"]:
            lines = schedule_lines(convention)
            ctx["schedule_form"] = bound.get("schedule_form") or ScheduleForm(
                initial={"signature_deadline": convention.signature_deadline}
            )
            ctx["instalments"] = bound.get("instalments") or instalment_formset(
                initial=[{"label": line.label, "percent": line.percent, "due_on": line.due_on} for line in lines]
            )
        if ctx["may_sign"]:
            ctx["signature_form"] = bound.get("signature_form") or SignatureForm()
        if manager and convention.state == Convention.State.SIGNED:
            ctx["payment_form"] = bound.get("payment_form") or InstalmentPaymentForm(convention=convention)
        return ctx

    def _laureate(self):
        if self.application.state != Application.State.LAUREATE:
            raise Http404("Seul un projet lauréat fait l'objet d'une convention de subvention.")

    def get(self, request, pk, name=None):
        if name is not None:  # the actions' addresses take forms only
            return HttpResponseNotAllowed(["POST"])
        self._laureate()
        return render(request, self.template, self.context())

    def post(self, request, pk, name=None):
        handlers = {"echeancier": self._schedule, "signature": self._signature, "versement": self._payment}
        if name not in handlers:
            raise Http404
        self._laureate()
        return handlers[name]()

    def _confirmation(self, name: str, obj=None):
        """The confirmation step of the irreversible action `name` (tpj.calls.workflow_confirmations)."""
        app = self.application
        return confirmation_step(
            self.request,
            transition=ACTIONS[name],
            text=confirmation_text(name, obj),
            action=self.request.path,
            back=reverse("calls:convention", args=[app.pk]),
            title=f"{app.reference} — {app.title}",
        )

    def _invalid(self, **bound):
        return render(self.request, self.template, self.context(**bound), status=400)

    def _schedule(self):
        app, user = self.application, self.request.user
        form = ScheduleForm(self.request.POST)
        instalments = instalment_formset(self.request.POST)
        if not (form.is_valid() and instalments.is_valid()):
            return self._invalid(schedule_form=form, instalments=instalments)
        lines = [ScheduleLine(**row) for row in instalments.cleaned_data if row]
        issuing, confirmed = chosen(self.request.POST, "rediger", {"1": "issue_convention"})
        manager = bool(policy.check(user, "calls.manage_follow_up", app))  # others are refused at once, below
        if issuing and not confirmed and manager:  # an issued convention is kept as issued: confirmed first
            return self._confirmation("issue_convention")
        try:
            convention = save_schedule(app, user, lines, form.cleaned_data["signature_deadline"])
            if issuing:
                request_convention(convention, user)
                messages.success(
                    self.request,
                    "La convention est en cours de rédaction : elle sera envoyée au porteur dès qu'elle sera prête.",
                )
            else:
                messages.success(self.request, "Échéancier enregistré.")
        except ValidationError as error:
            form.add_error(None, error)
            return self._invalid(schedule_form=form, instalments=instalments)
        except policy.PermissionDenied as error:
            messages.error(self.request, str(error))
        return redirect("calls:convention", pk=app.pk)

    def _signature(self):
        app, user = self.application, self.request.user
        form = SignatureForm(self.request.POST, self.request.FILES)
        convention = current_convention(app)
        if convention is None:
            raise Http404
        if not form.is_valid():
            return self._invalid(signature_form=form)
        try:  # a file that cannot be the signed copy is refused at once, before any confirmation
            check_signed_copy(form.cleaned_data["file"])
        except ValidationError as error:
            add_errors(form, error)
            return self._invalid(signature_form=form)
        if not confirmed(self.request.POST, "sign_convention"):  # the signed copy is final: confirmed first
            return upload_confirmation_step(
                self.request,
                action=ACTIONS["sign_convention"],
                text=confirmation_text("sign_convention"),
                url=self.request.path,
                back=reverse("calls:convention", args=[app.pk]),
                file_field="file",
                file_label="Convention signée (PDF)",
                file_hint="PDF, 10 Mo au plus.",
                accept=".pdf,application/pdf",
                title=f"{app.reference} — {app.title}",
            )
        try:
            sign_convention(convention, user, form.cleaned_data["file"], form.cleaned_data["signed_on"])
        except ValidationError as error:
            add_errors(form, error)
            return self._invalid(signature_form=form)
        except policy.PermissionDenied as error:
            messages.error(self.request, str(error))
            return redirect("calls:convention", pk=app.pk)
        messages.success(self.request, "Convention signée enregistrée : les versements peuvent commencer.")
        return redirect("calls:convention", pk=app.pk)

    def _payment(self):
        app, user = self.application, self.request.user
        convention = current_convention(app)
        if convention is None:
            raise Http404
        form = InstalmentPaymentForm(self.request.POST, convention=convention)
        if not form.is_valid():
            return self._invalid(payment_form=form)
        data = form.cleaned_data
        if not confirmed(self.request.POST, "record_payment") and policy.check(user, "calls.manage_follow_up", app):
            # a payment is never deleted: confirmed first (others are refused at once, below)
            return self._confirmation("record_payment", data["amount"])
        try:
            record_instalment_payment(data["instalment"], data["request"], user, data["amount"], data["paid_on"], data["label"])
        except ValidationError as error:
            add_errors(form, error)
            return self._invalid(payment_form=form)
        except policy.PermissionDenied as error:
            messages.error(self.request, str(error))
            return redirect("calls:convention", pk=app.pk)
        messages.success(self.request, "Versement enregistré.")
        return redirect("calls:convention", pk=app.pk)


class ConventionFileView(ApplicationMixin, PolicyRequiredMixin, View):
    """The convention as issued (`emise`), or its signed copy (`signee`), from the storage."""

    policy_action = "calls.view_convention"

    def get(self, request, pk, which):
        convention = current_convention(self.application)
        stored = None
        if convention is not None:
            stored = {"emise": convention.file, "signee": convention.signed_file}.get(which)
        if not stored:
            raise Http404("Cette convention n'est pas disponible.")
        suffix = "-signee" if which == "signee" else ""
        return serve_upload(stored, filename=f"convention-{self.application.reference}{suffix}.pdf", content_type=PDF)


class CallConventionsView(CallMixin, PolicyRequiredMixin, TemplateView):
    """The conventions of a call's laureates: state, signature deadline, overdue, payments."""

    policy_action = "calls.manage_call"
    template_name = "calls/conventions/call_conventions.html"

    def get_context_data(self, **kwargs):
        call = self.call
        laureates = list(
            call.applications.filter(state=Application.State.LAUREATE)
            .select_related("organisation")
            .prefetch_related("requests__payments")
            .order_by("reference")
        )
        conventions = {
            c.application_id: c for c in Convention.objects.current().filter(application__call=call).select_related("application")
        }
        overdue = overdue_application_ids(call)
        rows = [
            {
                "app": app,
                "convention": conventions.get(app.pk),
                "overdue": app.pk in overdue,
                "allocated": app.allocated_total(),
                "paid": sum((p.amount for r in app.requests.all() for p in r.payments.all()), ZERO),
            }
            for app in laureates
        ]
        return {"call": call, "rows": rows, "overdue_count": len(overdue)}


class CommitteeView(CallMixin, PolicyRequiredMixin, TemplateView):
    """The committee's files of a call: the full export (jurors named or « Juré 1 »…, XLSX or
    CSV) and the ZIP of the chosen applications' attachments, each prepared by a worker."""

    policy_action = "calls.committee_export"
    template_name = "calls/committee.html"

    def get_context_data(self, **kwargs):
        call = self.call
        applications = call.applications.submitted().order_by("reference").only("pk", "reference", "title")
        chosen = [a for a in applications if str(a.pk) in self.request.GET.getlist("candidature")]
        return {
            "call": call,
            "applications": applications,
            "chosen": chosen,
            "chosen_query": "&".join(f"candidature={a.pk}" for a in chosen),
            "versions": list(VERSIONS.items()),
            "formats": [("xlsx", "XLSX"), ("csv", "CSV")],
        }
