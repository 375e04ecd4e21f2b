"""Pages of a call: the index, creation, definition, transitions, documents, applications list and exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from tpj.core import policy
from tpj.core.confirm import confirmation_step, unconfirmed
from tpj.core.uploads import serve_upload
from tpj.core.views_mixins import PolicyRequiredMixin

from .. import exports
from ..forms.calls import CallCreateForm, CallForm, CriterionFormSet, EnvelopeFormSet, axis_formset
from ..models import Application, Call, ScoreSheet, agency_of
from ..models.kinds import KINDS
from ..permissions import creatable_kinds
from ..services.calls import create_call, fire_call, lock_definition, record_call_change
from ..services.campaigns import current_campaign
from ..services.checks import definition_problems, publication_problems
from ..workflows import CALL_WORKFLOW
from .common import CallMixin, add_errors, flash_error


class IndexView(TemplateView):
    template_name = "calls/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        calls = Call.objects.public().select_related("region", "campaign").order_by("-campaign__year", "region__name")
        if region := self.request.GET.get("region"):
            calls = calls.filter(region_id=region)
        ctx = {
            "calls": calls,
            "campaign": current_campaign(),
            "regions": Call.objects.public().values_list("region_id", "region__name").distinct().order_by("region__name"),
        }
        if user.is_authenticated:
            managed = Call.objects.managed_by(user).select_related("region", "campaign")
            ctx.update(
                managed_calls=managed,
                can_declare=policy.check(user, "calls.declare_intent"),
                can_create=bool(creatable_kinds(user)),
                my_applications=Application.objects.filter(organisation_id=user.organisation_id).select_related("call")
                if user.organisation_id
                else [],
                jury_sheets=ScoreSheet.objects.filter(member__user=user).count(),
                national=bool(policy.check(user, "calls.view_national")),
            )
        return ctx


class CallCreateView(PolicyRequiredMixin, View):
    policy_action = "calls.create_call"
    template = "calls/call_create.html"

    def _form(self, data=None):
        user = self.request.user
        kinds = creatable_kinds(user)
        agency = agency_of(user.organisation)
        territorial = [k for k in kinds if not KINDS[k].agency_bound]
        return CallCreateForm(
            data,
            initial={"campaign": current_campaign(), "strand": Call.Strand.JOINT},
            kinds=kinds,
            strands=(Call.Strand.JOINT, (agency or "").lower()),
            # the national team names the région of a territorial call; a commissaire's is its own
            choose_region=any(not user.scope(KINDS[k].manager_role).regions for k in territorial),
        )

    def _context(self, form):
        kinds = set(form.kinds)
        return {"form": form, "mille_jours": Call.Kind.MILLE_JOURS in kinds, "territorial": bool(kinds - {Call.Kind.MILLE_JOURS})}

    def get(self, request):
        return render(request, self.template, self._context(self._form()))

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                data = form.cleaned_data
                region = data.get("region")
                call = create_call(request.user, data["campaign"], data["strand"], region_id=region.pk if region else None)
                if call.definition.national_dotation:
                    done = "Appel créé avec les 6 axes nationaux, les critères recommandés et une enveloppe par agence."
                else:
                    done = (
                        "Appel créé avec les 7 thèmes de formation pour axes, les critères recommandés et son enveloppe : "
                        "fixez-en le montant en définissant l'appel."
                    )
                messages.success(request, done)
                return redirect("calls:call-edit", pk=call.pk)
            except ValidationError as e:
                add_errors(form, e)
            except policy.PermissionDenied as e:
                form.add_error(None, str(e))
        return render(request, self.template, self._context(form), status=400)


class CallDetailView(CallMixin, PolicyRequiredMixin, TemplateView):
    policy_action = "calls.view_call"
    template_name = "calls/call_detail.html"

    def get_context_data(self, **kwargs):
        call, user = self.call, self.request.user
        manager = bool(policy.check(user, "calls.manage_call", call))
        return {
            "call": call,
            "is_manager": manager,
            "axes": call.axes.select_related("call").prefetch_related(call.definition.reference.field),
            "criteria": call.criteria.all(),
            "envelopes": call.envelopes.select_related("funding_source"),
            "transitions": CALL_WORKFLOW.available(call, user) if manager else [],
            "warnings": call.calendar_warnings() if manager else [],
            "can_apply": policy.check(user, "calls.apply", call),
            "counts": dict(call.applications.values_list("state").annotate(n=Count("pk"))) if manager else {},
            "problems": publication_problems(call) if manager and call.state == Call.State.DRAFT else [],
        }


class CallEditView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.manage_call"
    template = "calls/call_form.html"

    def forms(self, data=None, files=None):
        return {
            "form": CallForm(data, files, instance=self.call),
            "axes": axis_formset(self.call)(data, instance=self.call, prefix="axes"),
            "criteria": CriterionFormSet(data, instance=self.call, prefix="criteria"),
            "envelopes": EnvelopeFormSet(data, instance=self.call, prefix="envelopes"),
        }

    def get(self, request, pk):
        if problems := definition_problems(self.call):
            messages.info(request, problems[0])
            return redirect("calls:call-detail", pk=pk)
        return render(request, self.template, {"call": self.call, **self.forms()})

    def post(self, request, pk):
        # The forms are bound to the rows as stored now and locked (the request's transaction
        # holds them): a decision or a transition at the same time waits, nothing read before is written back.
        self.__dict__["call"] = lock_definition(self.call)
        bound = self.forms(request.POST, request.FILES)
        if all(f.is_valid() for f in bound.values()):
            try:
                with transaction.atomic():
                    record_call_change(
                        self.call,
                        request.user,
                        "defined",
                        after={
                            "changed": bound["form"].changed_data,
                            "axes": bound["axes"].has_changed(),
                            "criteria": bound["criteria"].has_changed(),
                            "top_up": [str(f.cleaned_data.get("local_top_up")) for f in bound["envelopes"]],
                        },
                    )
                    for f in bound.values():
                        f.save()
                    if not self.call.axes.exists():
                        raise ValidationError("Retenez au moins un axe.")
                messages.success(request, "Définition de l'appel enregistrée.")
                return redirect("calls:call-detail", pk=pk)
            except ValidationError as e:
                add_errors(bound["form"], e)
        return render(request, self.template, {"call": self.call, **bound}, status=400)


class CallTransitionView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.manage_call"

    def post(self, request, pk, name):
        try:
            transition = CALL_WORKFLOW.get(name)
            # An irreversible transition the state allows is fired once confirmed (tpj.core.confirm).
            if not CALL_WORKFLOW.refusal(self.call, transition) and (text := unconfirmed(transition, self.call, request.POST)):
                return confirmation_step(
                    request,
                    transition=transition,
                    text=text,
                    action=request.path,
                    back=reverse("calls:call-detail", args=[pk]),
                    title=self.call.title,
                )
            fire_call(self.call, request.user, name, request.POST.get("reason", ""))
            messages.success(request, f"« {transition.label} » : c'est fait.")
        except ValidationError as e:
            flash_error(request, e)
        return redirect("calls:call-detail", pk=pk)


class CallDocumentView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.view_call"

    def get(self, request, pk):
        if not self.call.cahier_des_charges:
            raise Http404
        return serve_upload(
            self.call.cahier_des_charges, filename=f"cahier-des-charges-{self.call.region_id}-{self.call.campaign.year}.pdf"
        )


class CallApplicationsView(CallMixin, PolicyRequiredMixin, TemplateView):
    policy_action = "calls.manage_call"
    template_name = "calls/call_applications.html"

    def get_context_data(self, **kwargs):
        apps = self.call.applications.submitted().select_related("organisation").order_by("reference")
        if state := self.request.GET.get("etat"):
            apps = apps.filter(state=state)
        page = Paginator(apps, 50).get_page(self.request.GET.get("page"))
        return {
            "call": self.call,
            "page_obj": page,
            "states": Application.State.choices,
            "state": state,
        }


# A call's history up to this many events is streamed at once; a longer one is prepared by
# the workers (« Préparer le fichier », tpj.downloads). Laureates and SCDL files (a few
# hundred rows per call) stay immediate.
SYNC_HISTORY_MAX_EVENTS = 20_000


class CallExportView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.view_history"

    def get(self, request, pk, fmt):
        call = self.call
        if fmt == "historique":
            events = exports.call_history(call).count()
            if events > SYNC_HISTORY_MAX_EVENTS:
                messages.info(
                    request,
                    f"L'historique de cet appel compte {events} événements : utilisez « Préparer l'historique complet », "
                    "le fichier sera disponible dans « Mes téléchargements ».",
                )
                return redirect("calls:call-detail", call.pk)
            return exports.call_history_csv(call)
        if fmt == "scdl":
            return exports.scdl_csv(call)
        if fmt == "xlsx":
            return exports.laureates_xlsx([call], f"laureats-{call.region_id}-{call.campaign.year}.xlsx")
        return exports.laureates_csv([call], f"laureats-{call.region_id}-{call.campaign.year}.csv")
