"""Web pages of the calls module. Thin: access by the policy, changes by services.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from tpj.accounts.models import Role, User
from tpj.core import policy
from tpj.core.views_mixins import PolicyRequiredMixin

from . import exports, forms, services
from .letters import decision_letter_pdf
from .models import Application, Attachment, Call, Campaign, EnvelopeRequest, ScoreSheet, agency_of, euros
from .permissions import carries, is_national, manages_call
from .workflows import APPLICATION_WORKFLOW, CALL_WORKFLOW


def add_errors(form, error: ValidationError):
    """Attach a service's ValidationError to the form: per field when it names one, otherwise globally."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        for message in error.messages:
            form.add_error(None, message)


def flash_error(request, error: ValidationError):
    for message in sum(error.message_dict.values(), []) if hasattr(error, "error_dict") else error.messages:
        messages.error(request, message)


# ---------------------------------------------------------------------------
# Index, campaigns, declarations
# ---------------------------------------------------------------------------


class IndexView(TemplateView):
    template_name = "calls/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        calls = Call.objects.public().select_related("region", "campaign").order_by("-campaign__year", "region__name")
        if region := self.request.GET.get("region"):
            calls = calls.filter(region_id=region)
        ctx = {
            "calls": calls,
            "campaign": services.current_campaign(),
            "regions": Call.objects.public().values_list("region_id", "region__name").distinct().order_by("region__name"),
        }
        if user.is_authenticated:
            managed = [
                c
                for c in Call.objects.filter(region__in=user.scope(Role.CALL_MANAGER).regions).select_related(
                    "region", "campaign"
                )
                if manages_call(user, c)
            ]
            ctx.update(
                managed_calls=managed,
                can_declare=policy.check(user, "calls.declare_intent"),
                my_applications=Application.objects.filter(organisation_id=user.organisation_id).select_related("call")
                if user.organisation_id
                else [],
                jury_sheets=ScoreSheet.objects.filter(member__user=user).count(),
                national=is_national(user),
            )
        return ctx


class CampaignListView(PolicyRequiredMixin, TemplateView):
    policy_action = "calls.view_national"
    template_name = "calls/campaign_list.html"

    def get_context_data(self, **kwargs):
        return {
            "campaigns": Campaign.objects.annotate(n_calls=Count("calls"), n_declarations=Count("declarations", distinct=True))
        }


class CampaignEditView(PolicyRequiredMixin, View):
    policy_action = "calls.manage_campaign"
    template = "calls/campaign_form.html"

    def get_instance(self):
        if "pk" in self.kwargs:
            return get_object_or_404(Campaign, pk=self.kwargs["pk"])
        year = services.current_campaign().year + 1 if services.current_campaign() else 2021
        return Campaign(year=year, **Campaign.defaults_for(year))

    def get(self, request, **kwargs):
        return render(request, self.template, {"form": forms.CampaignForm(instance=self.get_instance())})

    def post(self, request, **kwargs):
        form = forms.CampaignForm(request.POST, instance=self.get_instance())
        if form.is_valid():
            try:
                campaign = services.save_campaign(form.instance, request.user)
                messages.success(request, f"Campagne {campaign.year} enregistrée.")
                return redirect("calls:campaign-board", pk=campaign.pk)
            except ValidationError as e:
                add_errors(form, e)
        return render(request, self.template, {"form": form}, status=400)


class CampaignBoardView(PolicyRequiredMixin, TemplateView):
    """National view: who declared, who is late, which calls exist, which lists were transmitted."""

    policy_action = "calls.view_national"
    template_name = "calls/campaign_board.html"

    def get_context_data(self, **kwargs):
        campaign = get_object_or_404(Campaign, pk=self.kwargs["pk"])
        return {
            "campaign": campaign,
            "rows": services.declaration_board(campaign),
            "calls": campaign.calls.select_related("region").annotate(
                n_applications=Count("applications", filter=~Q(applications__state__in=["draft", "withdrawn"])),
                n_laureates=Count("applications", filter=Q(applications__state="laureate")),
            ),
        }


class CampaignExportView(PolicyRequiredMixin, View):
    policy_action = "calls.view_national"

    def get(self, request, pk, fmt):
        campaign = get_object_or_404(Campaign, pk=pk)
        calls = campaign.calls.filter(state=Call.State.TRANSMITTED)
        if fmt == "xlsx":
            return exports.laureates_xlsx(calls, f"laureats-{campaign.year}.xlsx")
        return exports.laureates_csv(calls, f"laureats-{campaign.year}.csv")


class DeclareIntentView(PolicyRequiredMixin, View):
    policy_action = "calls.declare_intent"
    template = "calls/declaration_form.html"

    def get(self, request):
        campaign = services.current_campaign()
        existing = campaign.declarations.filter(organisation=request.user.organisation).first() if campaign else None
        return render(
            request,
            self.template,
            {
                "form": forms.DeclarationForm(
                    initial={"referent_name": request.user.get_full_name(), "referent_email": request.user.email}
                ),
                "campaign": campaign,
                "existing": existing,
            },
        )

    def post(self, request):
        campaign = services.current_campaign()
        form = forms.DeclarationForm(request.POST)
        if campaign is None:
            form.add_error(None, "Aucune campagne nationale n'est ouverte.")
        elif form.is_valid():
            try:
                declaration = services.declare_intent(request.user, campaign, **form.cleaned_data)
                messages.success(
                    request,
                    "Déclaration d'intention transmise à la DGCS et au SGMCAS."
                    + (" Attention : elle arrive après l'échéance nationale." if declaration.is_late else ""),
                )
                return redirect("calls:index")
            except ValidationError as e:
                add_errors(form, e)
        return render(request, self.template, {"form": form, "campaign": campaign}, status=400)


# ---------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------


class CallMixin:
    @cached_property
    def call(self):
        return get_object_or_404(Call.objects.select_related("region", "campaign", "required_axis"), pk=self.kwargs["pk"])

    def get_policy_object(self):
        return self.call


class CallCreateView(PolicyRequiredMixin, View):
    policy_action = "calls.create_call"
    template = "calls/call_create.html"

    def _form(self, data=None):
        form = forms.CallCreateForm(data, initial={"campaign": services.current_campaign(), "strand": Call.Strand.JOINT})
        agency = agency_of(self.request.user.organisation)
        form.fields["strand"].choices = [
            (v, label) for v, label in Call.Strand.choices if v in (Call.Strand.JOINT, (agency or "").lower())
        ]
        return form

    def get(self, request):
        return render(request, self.template, {"form": self._form()})

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                call = services.create_call(request.user, form.cleaned_data["campaign"], form.cleaned_data["strand"])
                messages.success(
                    request, "Appel créé avec les 6 axes nationaux, les critères recommandés et une enveloppe par agence."
                )
                return redirect("calls:call-edit", pk=call.pk)
            except ValidationError as e:
                add_errors(form, e)
        return render(request, self.template, {"form": form}, status=400)


class CallDetailView(CallMixin, PolicyRequiredMixin, TemplateView):
    policy_action = "calls.view_call"
    template_name = "calls/call_detail.html"

    def get_context_data(self, **kwargs):
        call, user = self.call, self.request.user
        manager = manages_call(user, call)
        return {
            "call": call,
            "is_manager": manager,
            "axes": call.axes.prefetch_related("national_axes"),
            "criteria": call.criteria.all(),
            "envelopes": call.envelopes.select_related("funding_source"),
            "transitions": CALL_WORKFLOW.available(call, user) if manager else [],
            "warnings": call.calendar_warnings() if manager else [],
            "can_apply": policy.check(user, "calls.apply", call),
            "counts": dict(call.applications.values_list("state").annotate(n=Count("pk"))) if manager else {},
            "problems": services.publication_problems(call) if manager and call.state == Call.State.DRAFT else [],
        }


class CallEditView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.manage_call"
    template = "calls/call_form.html"

    def forms(self, data=None, files=None):
        return {
            "form": forms.CallForm(data, files, instance=self.call),
            "axes": forms.AxisFormSet(data, instance=self.call, prefix="axes"),
            "criteria": forms.CriterionFormSet(data, instance=self.call, prefix="criteria"),
            "envelopes": forms.EnvelopeFormSet(data, instance=self.call, prefix="envelopes"),
        }

    def get(self, request, pk):
        if self.call.state not in (Call.State.DRAFT, Call.State.PUBLISHED):
            messages.info(request, "La définition de l'appel ne peut plus être modifiée à ce stade.")
            return redirect("calls:call-detail", pk=pk)
        return render(request, self.template, {"call": self.call, **self.forms()})

    def post(self, request, pk):
        bound = self.forms(request.POST, request.FILES)
        if all(f.is_valid() for f in bound.values()):
            try:
                with transaction.atomic():
                    services.record_call_change(
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
            services.fire_call(self.call, request.user, name, request.POST.get("reason", ""))
            messages.success(request, f"« {CALL_WORKFLOW.get(name).label} » : c'est fait.")
        except ValidationError as e:
            flash_error(request, e)
        return redirect("calls:call-detail", pk=pk)


class CallDocumentView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.view_call"

    def get(self, request, pk):
        if not self.call.cahier_des_charges:
            raise Http404
        return FileResponse(
            self.call.cahier_des_charges.open("rb"),
            content_type="application/pdf",
            filename=f"cahier-des-charges-{self.call.region_id}-{self.call.campaign.year}.pdf",
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
            "querystring": f"etat={state}" if state else "",
        }


class JuryView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.manage_jury"
    template = "calls/jury.html"

    def context(self, form=None):
        members = self.call.jury.select_related("user__organisation").annotate(
            n_sheets=Count("sheets"),
            n_recused=Count("sheets", filter=Q(sheets__auto_recused=True) | Q(sheets__has_conflict=True)),
            n_submitted=Count("sheets", filter=Q(sheets__submitted_at__isnull=False)),
        )
        return {
            "call": self.call,
            "members": members,
            "form": form or forms.JuryMemberForm(),
            "pool": self.call.applications.in_instruction_pool().count(),
        }

    def get(self, request, pk):
        return render(request, self.template, self.context())

    def post(self, request, pk):
        if "assign" in request.POST:
            try:
                result = services.assign(self.call, request.user)
                messages.success(
                    request, f"{result['created']} dossier(s) attribué(s), dont {result['recused']} avec récusation d'office."
                )
            except ValidationError as e:
                flash_error(request, e)
            return redirect("calls:jury", pk=pk)
        form = forms.JuryMemberForm(request.POST)
        if form.is_valid():
            member = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if member is None:
                form.add_error("email", "Aucun compte ne correspond à ce courriel.")
            else:
                try:
                    services.add_jury_member(self.call, request.user, member, form.cleaned_data["kind"])
                    messages.success(request, f"{member} siège désormais au jury.")
                    return redirect("calls:jury", pk=pk)
                except ValidationError as e:
                    form.add_error("email", e.message_dict.get("member", e.messages))
        return render(request, self.template, self.context(form), status=400)


class RankingView(CallMixin, PolicyRequiredMixin, TemplateView):
    policy_action = "calls.view_ranking"
    template_name = "calls/ranking.html"

    def get_context_data(self, **kwargs):
        page = Paginator(services.ranking(self.call), 50).get_page(self.request.GET.get("page"))
        return {"call": self.call, "page_obj": page, "rows": ranking_rows(page), "criteria": self.call.criteria.all()}


def _score(value) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def ranking_rows(page):
    """Ranking rows with their labels computed once in Python (the page renders hundreds of cells)."""
    states = dict(Application.State.choices)
    url = reverse("calls:application-detail", args=[0]).removesuffix("0/")
    return [
        {
            "rank": page.start_index() + i,
            "app": a,
            "url": f"{url}{a.pk}/",
            "mean": _score(a.mean_score),
            "spread": _score(a.spread),
            "state": states[a.state],
        }
        for i, a in enumerate(page)
    ]


def options_html(selected: str):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, mark_safe(" selected") if v == selected else "", label) for v, label in forms.DecisionForm.OUTCOMES),
    )


def amounts_html(prefix: str, amounts: dict):
    """The amount inputs of one decision form (pre-rendered: the page holds many forms)."""
    return format_html_join(
        "",
        '<div class="fr-col-12 fr-col-md-3"><div class="fr-input-group"><label class="fr-label" for="id_{0}-amount_{1}">'
        'Attribué — enveloppe {1} (€)</label><input class="fr-input" type="number" min="0" step="0.01" '
        'id="id_{0}-amount_{1}" name="{0}-amount_{1}" value="{2}"></div></div>',
        ((prefix, agency, str(value)) for agency, value in amounts.items()),
    )


class AllocationView(CallMixin, PolicyRequiredMixin, View):
    """Decisions and money: envelope balances, and one decision form per application of the pool."""

    policy_action = "calls.manage_call"
    template = "calls/allocation.html"

    def context(self, bound=None):
        apps = services.ranking(self.call).prefetch_related(
            Prefetch("requests", queryset=EnvelopeRequest.objects.select_related("envelope"))
        )
        page = Paginator(apps, 25).get_page(self.request.GET.get("page"))
        states, url = dict(Application.State.choices), reverse("calls:application-detail", args=[0]).removesuffix("0/")
        rows = []
        for i, app in enumerate(page):
            requested = {r.envelope.agency: r.amount_requested for r in app.requests.all()}
            allocated = {r.envelope.agency: r.amount_allocated for r in app.requests.all()}
            form = bound if bound is not None and bound.app_pk == app.pk else None
            data = form.data if form is not None else {}
            prefix = f"d{app.pk}"
            rows.append(
                {
                    "rank": page.start_index() + i,
                    "app": app,
                    "url": f"{url}{app.pk}/",
                    "mean": _score(app.mean_score),
                    "state": states[app.state],
                    "decidable": app.state in (Application.State.ELIGIBLE, Application.State.WAITING_LIST),
                    "requested": " · ".join(f"{a} {euros(v)}" for a, v in requested.items()),
                    "allocated": " · ".join(f"{a} {euros(v)}" for a, v in allocated.items())
                    if app.state == Application.State.LAUREATE
                    else "",
                    "prefix": prefix,
                    "errors": [m for errors in form.errors.values() for m in errors] if form is not None else [],
                    "reason": data.get(f"{prefix}-reason", ""),
                    "options": options_html(data.get(f"{prefix}-outcome", "laureate")),
                    "amounts": amounts_html(
                        prefix, {a: data.get(f"{prefix}-amount_{a}", requested.get(a, "")) for a in self.call.agencies}
                    ),
                }
            )
        return {
            "call": self.call,
            "page_obj": page,
            "rows": rows,
            "envelopes": self.call.envelopes.select_related("funding_source"),
            "endowment": self.call.state_endowment(),
            "can_decide": self.call.state == Call.State.CLOSED,
            "outcomes": forms.DecisionForm.OUTCOMES,
        }

    def get(self, request, pk):
        return render(request, self.template, self.context())

    def post(self, request, pk):
        app = get_object_or_404(Application, pk=request.POST.get("application"), call=self.call)
        if "reopen" in request.POST:
            try:
                services.reopen_decision(app, request.user, request.POST.get("reason") or "Décision annulée par le gestionnaire.")
                messages.success(request, f"Décision annulée pour {app.reference} ; les montants sont rendus aux enveloppes.")
            except ValidationError as e:
                flash_error(request, e)
            return redirect(request.get_full_path())
        form = forms.DecisionForm(request.POST, call=self.call, prefix=f"d{app.pk}")
        form.app_pk = app.pk
        if form.is_valid():
            try:
                services.decide(app, request.user, form.cleaned_data["outcome"], form.cleaned_data["reason"], form.allocations())
                messages.success(request, f"Décision enregistrée pour {app.reference}.")
                return redirect(request.get_full_path())
            except ValidationError as e:
                add_errors(form, e)
        messages.error(request, f"La décision pour {app.reference} n'a pas été enregistrée : voir le détail sous le dossier.")
        return render(request, self.template, self.context(form), status=400)


class NotifyView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.manage_call"

    def post(self, request, pk):
        try:
            n = services.notify_decisions(self.call, request.user)
            messages.success(request, f"{n} courrier(s) de décision envoyé(s).")
        except ValidationError as e:
            flash_error(request, e)
        return redirect("calls:call-detail", pk=pk)


class CallExportView(CallMixin, PolicyRequiredMixin, View):
    policy_action = "calls.view_history"

    def get(self, request, pk, fmt):
        call = self.call
        if fmt == "historique":
            return exports.call_history_csv(call)
        if fmt == "scdl":
            return exports.scdl_csv(call)
        if fmt == "xlsx":
            return exports.laureates_xlsx([call], f"laureats-{call.region_id}-{call.campaign.year}.xlsx")
        return exports.laureates_csv([call], f"laureats-{call.region_id}-{call.campaign.year}.csv")


# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------


class ApplicationFormMixin:
    template = "calls/application_form.html"

    def bind(self, call, data=None, initial=None, content=None):
        content = content or services.ApplicationContent(title="")
        return {
            "form": forms.ApplicationForm(
                data, call=call, initial=initial or {"carrier_siret": getattr(self.request.user.organisation, "siret", "")}
            ),
            "partners": forms.PartnerFormSet(data, prefix="partners", initial=content.partners),
            "budget": forms.BudgetFormSet(data, prefix="budget", initial=content.budget_lines),
            "cofinancing": forms.CoFinancingFormSet(data, prefix="cofinancing", initial=content.cofinancings),
            "indicators": forms.IndicatorFormSet(data, prefix="indicators", initial=content.indicators),
        }

    def content_or_none(self, bound):
        if all(f.is_valid() for f in bound.values()):
            return forms.build_content(
                bound["form"], bound["partners"], bound["budget"], bound["cofinancing"], bound["indicators"]
            )
        return None


def autosave_response(request, saved: Application | None, bound) -> HttpResponse:
    """htmx fragment telling whether the draft was saved while the user types."""
    errors = []
    for f in bound.values():
        forms_ = f.forms if hasattr(f, "forms") else [f]
        errors += [m for form in forms_ for messages_ in form.errors.values() for m in messages_]
        errors += list(f.non_form_errors()) if hasattr(f, "non_form_errors") else []
    return render(request, "calls/_autosave.html", {"saved": saved, "errors": errors})


class ApplicationCreateView(CallMixin, PolicyRequiredMixin, ApplicationFormMixin, View):
    """First save creates the draft; the form's token makes a replay (double click, autosave) update that same draft."""

    policy_action = "calls.apply"

    def get(self, request, pk):
        return render(request, self.template, {"call": self.call, **self.bind(self.call)})

    def save(self, request, bound, content):
        token = bound["form"].cleaned_data.get("client_token")
        existing = Application.objects.filter(client_token=token, created_by=request.user).first() if token else None
        if existing is not None and existing.is_editable:
            return services.update_application(existing, request.user, content), False
        app, created = services.create_application(request.user, self.call, content, token)
        if not created and app.is_editable:  # an autosave created it a moment ago: this content is newer
            app = services.update_application(app, request.user, content)
        return app, created

    def post(self, request, pk):
        bound = self.bind(self.call, request.POST)
        content = self.content_or_none(bound)
        app = None
        if content is not None:
            try:
                app, created = self.save(request, bound, content)
            except ValidationError as e:
                add_errors(bound["form"], e)
        if request.htmx:
            return autosave_response(request, app, bound)
        if app is not None:
            messages.success(request, "Brouillon enregistré. Complétez-le puis déposez-le avant la date limite.")
            return redirect("calls:application-detail", pk=app.pk)
        return render(request, self.template, {"call": self.call, **bound}, status=400)


class ApplicationMixin:
    @cached_property
    def application(self):
        return get_object_or_404(
            Application.objects.select_related("call__region", "call__campaign", "organisation", "created_by"),
            pk=self.kwargs["pk"],
        )

    def get_policy_object(self):
        return self.application


class ApplicationEditView(ApplicationMixin, PolicyRequiredMixin, ApplicationFormMixin, View):
    policy_action = "calls.edit_application"

    def get(self, request, pk):
        content = services.content_of(self.application)
        return render(
            request,
            self.template,
            {
                "call": self.application.call,
                "application": self.application,
                **self.bind(self.application.call, initial=forms.initial_from(content), content=content),
            },
        )

    def post(self, request, pk):
        app = self.application
        bound = self.bind(app.call, request.POST)
        content = self.content_or_none(bound)
        saved = None
        if content is not None:
            try:
                saved = services.update_application(app, request.user, content)
            except ValidationError as e:
                add_errors(bound["form"], e)
        if request.htmx:
            return autosave_response(request, saved, bound)
        if saved is not None:
            messages.success(request, "Brouillon enregistré.")
            return redirect("calls:application-detail", pk=pk)
        return render(request, self.template, {"call": app.call, "application": app, **bound}, status=400)


class ApplicationDetailView(ApplicationMixin, PolicyRequiredMixin, TemplateView):
    policy_action = "calls.view_application"
    template_name = "calls/application_detail.html"

    def get_context_data(self, **kwargs):
        app, user = self.application, self.request.user
        manager = manages_call(user, app.call)
        carrier = carries(user, app)
        ctx = {
            "app": app,
            "call": app.call,
            "is_manager": manager,
            "is_carrier": carrier,
            "partners": app.partners.all(),
            "budget_lines": app.budget_lines.all(),
            "cofinancings": app.cofinancings.select_related("source"),
            "requests": app.requests.select_related("envelope"),
            "indicators": app.indicators.prefetch_related("values"),
            "attachments": app.attachments.all(),
            "info_requests": app.information_requests.all(),
            "places": app.places.select_related("departement"),
            "axes": app.call_axes.all(),
            "transitions": [
                t for t in APPLICATION_WORKFLOW.available(app, user) if t.name in ("submit", "withdraw", "declare_eligible")
            ],
            "problems": services.submission_problems(app) if carrier and app.state == Application.State.DRAFT else [],
            "follow_up": policy.check(user, "calls.follow_up", app),
        }
        if manager:
            ctx.update(
                checks=services.eligibility_checks(app),
                checklist=[(item, app.checklist.get(item, False)) for item in app.call.checklist_items()],
                sheets=app.sheets.select_related("member__user__organisation").prefetch_related("scores__criterion"),
                payments=[p for r in app.requests.all() for p in r.payments.all()],
            )
            if app.state == Application.State.LAUREATE:
                ctx["payment_form"] = forms.PaymentForm(application=app)
        if ctx["follow_up"]:
            ctx.update(
                indicator_form=forms.IndicatorValueForm(application=app),
                evaluation_form=forms.EvaluationForm(
                    initial={"final_evaluation": app.final_evaluation, "could_become_permanent": app.could_become_permanent}
                ),
            )
        return ctx


class ApplicationActionView(ApplicationMixin, PolicyRequiredMixin, View):
    """Every POST on an application page: transitions, instruction, follow-up. Each goes to its service."""

    policy_action = "calls.view_application"

    def post(self, request, pk, name):
        app, user, data = self.application, request.user, request.POST
        handlers = {
            "submit": lambda: services.submit_application(app, user),
            "withdraw": lambda: services.withdraw_application(app, user, data.get("reason", "")),
            "request_info": lambda: services.request_information(app, user, data.get("reason", "")),
            "answer_info": lambda: services.answer_information(app, user, data.get("reason", "")),
            "declare_eligible": lambda: services.declare_eligible(app, user),
            "declare_ineligible": lambda: services.declare_ineligible(app, user, data.get("reason", "")),
            "checklist": lambda: services.set_checklist(app, user, data.getlist("items")),
            "deliberation": lambda: services.set_deliberation_notes(app, user, data.get("notes", "")),
            "convention": lambda: services.record_convention(app, user, self._date("date")),
            "start": lambda: services.record_start(app, user, self._date("date")),
            "attachment": self._attachment,
            "payment": self._payment,
            "indicator": self._indicator,
            "evaluation": self._evaluation,
        }
        if name not in handlers:
            raise Http404
        try:
            handlers[name]()
            if name == "submit":
                app.refresh_from_db()
                messages.success(
                    request, f"Candidature déposée. Référence : {app.reference}. Un accusé de réception vous a été envoyé."
                )
            else:
                messages.success(request, "Enregistré.")
        except ValidationError as e:
            if name == "submit":
                app.refresh_from_db()
                if app.state == Application.State.SUBMITTED:  # a double click: the first submission won
                    messages.info(request, f"Cette candidature est déjà déposée (référence {app.reference}).")
                    return redirect("calls:application-detail", pk=pk)
            flash_error(request, e)
        except policy.PermissionDenied as e:
            messages.error(request, str(e))
        return redirect("calls:application-detail", pk=pk)

    def _date(self, field):
        form = forms.DateForm({"date": self.request.POST.get(field)})
        if not form.is_valid():
            raise ValidationError("Indiquez une date valide (jj/mm/aaaa).")
        return form.cleaned_data["date"]

    def _attachment(self):
        form = forms.AttachmentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise ValidationError("Indiquez l'intitulé et choisissez le fichier à joindre.")
        services.add_attachment(self.application, self.request.user, form.cleaned_data["label"], form.cleaned_data["file"])

    def _payment(self):
        form = forms.PaymentForm(self.request.POST, application=self.application)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        d = form.cleaned_data
        services.record_payment(d["request"], self.request.user, d["amount"], d["paid_on"], d["label"])

    def _indicator(self):
        form = forms.IndicatorValueForm(self.request.POST, application=self.application)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        d = form.cleaned_data
        services.add_indicator_value(d["indicator"], self.request.user, d["measured_on"], d["value"], d["comment"])

    def _evaluation(self):
        form = forms.EvaluationForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        services.record_evaluation(
            self.application,
            self.request.user,
            form.cleaned_data["final_evaluation"],
            form.cleaned_data["could_become_permanent"],
        )


class DecisionLetterView(ApplicationMixin, PolicyRequiredMixin, View):
    policy_action = "calls.view_application"

    def get(self, request, pk):
        app = self.application
        if app.state not in Application.DECIDED_STATES or not (app.notified_at or manages_call(request.user, app.call)):
            raise Http404
        response = HttpResponse(decision_letter_pdf(app), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="decision-{app.reference}.pdf"'
        return response


class AttachmentView(PolicyRequiredMixin, View):
    policy_action = "calls.view_application"

    @cached_property
    def attachment(self):
        return get_object_or_404(Attachment.objects.select_related("application__call"), pk=self.kwargs["pk"])

    def get_policy_object(self):
        return self.attachment.application

    def get(self, request, pk):
        return FileResponse(
            self.attachment.file.open("rb"), as_attachment=True, filename=self.attachment.file.name.rsplit("/", 1)[-1]
        )


# ---------------------------------------------------------------------------
# Jury members
# ---------------------------------------------------------------------------


class MyJuryView(TemplateView):
    template_name = "calls/my_jury.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        sheets = (
            ScoreSheet.objects.filter(member__user=self.request.user)
            .select_related("application", "member__call__region")
            .order_by("member__call", "application__reference")
        )
        return {"sheets": sheets}


class SheetView(PolicyRequiredMixin, View):
    """A member's file: conflict declaration first, then the application and the scoring form."""

    policy_action = "calls.declare_conflict"
    template = "calls/sheet.html"

    @cached_property
    def sheet(self):
        return get_object_or_404(
            ScoreSheet.objects.select_related("application__call__region", "application__organisation", "member__user"),
            pk=self.kwargs["pk"],
        )

    def get_policy_object(self):
        return self.sheet

    def context(self, conflict_form=None, score_form=None):
        sheet = self.sheet
        ctx = {"sheet": sheet, "app": sheet.application, "call": sheet.application.call}
        if sheet.conflict_declared_at is None:
            ctx["conflict_form"] = conflict_form or forms.ConflictForm()
        elif not sheet.has_conflict:
            app = sheet.application
            ctx.update(
                partners=app.partners.all(),
                places=app.places.all(),
                axes=app.call_axes.all(),
                indicators=app.indicators.all(),
                requests=app.requests.select_related("envelope"),
                budget_lines=app.budget_lines.all(),
                cofinancings=app.cofinancings.select_related("source"),
            )
            initial = {s.criterion_id: (s.value, s.not_applicable) for s in sheet.scores.all()}
            ctx["score_form"] = score_form or forms.ScoreForm(
                criteria=list(app.call.criteria.all()), initial_scores=initial, initial={"comment": sheet.comment}
            )
            ctx["can_score"] = policy.check(self.request.user, "calls.score", sheet)
        return ctx

    def get(self, request, pk):
        return render(request, self.template, self.context())

    def post(self, request, pk):
        sheet = self.sheet
        if sheet.conflict_declared_at is None:
            form = forms.ConflictForm(request.POST)
            if form.is_valid():
                try:
                    services.declare_conflict(
                        sheet, request.user, has_conflict=form.cleaned_data["has_conflict"], note=form.cleaned_data["note"]
                    )
                    return redirect("calls:sheet", pk=pk)
                except ValidationError as e:
                    add_errors(form, e)
            return render(request, self.template, self.context(conflict_form=form), status=400)
        form = forms.ScoreForm(request.POST, criteria=list(sheet.application.call.criteria.all()))
        if form.is_valid():
            try:
                services.save_scores(
                    sheet, request.user, form.values(), form.cleaned_data["comment"], submit="submit" in request.POST
                )
                messages.success(
                    request,
                    "Notation validée et verrouillée." if "submit" in request.POST else "Notation enregistrée (non validée).",
                )
                return redirect("calls:sheet", pk=pk)
            except ValidationError as e:
                add_errors(form, e)
            except policy.PermissionDenied as e:
                form.add_error(None, str(e))
        return render(request, self.template, self.context(score_form=form), status=400)
