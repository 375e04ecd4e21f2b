"""Pages of the decisions: allocation of the envelopes, notification, decision letters."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from tpj.core import policy
from tpj.core.confirm import confirmation_step, unconfirmed
from tpj.core.text import french_plural
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms.decisions import DecisionForm
from ..letters import decision_letter_pdf
from ..models import Application, Call, EnvelopeRequest, euros
from ..services.decisions import decide, notify_decisions, promote, renounce, reopen_decision, waiting_list
from ..services.derogations import grant_derogation, refuse_derogation, request_derogation
from ..services.letters import issued_letter
from ..services.notifications import failed_emails, failed_letters, letter_badges, resend_email
from ..services.notify_confirmation import notify_confirmation
from ..services.renunciations import rank, ranking_history, renunciations
from ..workflow_confirmations import ACTIONS, chosen
from ..workflows import APPLICATION_WORKFLOW
from .common import ApplicationMixin, CallMixin, add_errors, flash_error
from .jury import format_score


class AllocationView(CallMixin, PolicyRequiredMixin, View):
    """Decisions and money: envelope balances, and one decision form per application of the pool."""

    policy_action = "calls.manage_call"
    template = "calls/allocation.html"

    def context(self, bound=None):
        renounced = renunciations(self.call)  # withdrawn laureates: kept, at their rank (history)
        apps = ranking_history(self.call, renounced).prefetch_related(
            Prefetch("requests", queryset=EnvelopeRequest.objects.select_related("envelope"))
        )
        page = Paginator(apps, 25).get_page(self.request.GET.get("page"))
        letters = letter_badges(self.call.applications.filter(pk__in=[a.pk for a in page]))
        after = self.call.state in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED)  # withdrawals, promotions
        next_waiting = waiting_list(self.call).values_list("pk", flat=True).first() if after else None
        states, url = dict(Application.State.choices), reverse("calls:application-detail", args=[0]).removesuffix("0/")
        rows = []
        for i, app in enumerate(page):
            requested = {r.envelope.agency: r.amount_requested for r in app.requests.all()}
            allocated = {r.envelope.agency: r.amount_allocated for r in app.requests.all()}
            form = bound if bound is not None and bound.app_pk == app.pk else None
            data = form.data if form is not None else {}
            prefix, waiting = f"d{app.pk}", app.state == Application.State.WAITING_LIST and not after
            withdrawal = renounced.get(app.pk)
            rows.append(
                {
                    "rank": rank(page.start_index() + i, app),
                    "app": app,
                    "renounced_on": timezone.localtime(withdrawal.created_at) if withdrawal else None,
                    "renounce_reason": withdrawal.reason if withdrawal else "",
                    "url": f"{url}{app.pk}/",
                    "mean": format_score(app.mean_score),
                    "state": states[app.state],
                    "letter": _badge(letters.get(app.pk)),
                    "decidable": app.state in (Application.State.ELIGIBLE, Application.State.WAITING_LIST),
                    "renounceable": after and app.state == Application.State.LAUREATE,
                    "promotable": after and app.state == Application.State.WAITING_LIST,
                    "next": app.pk == next_waiting,
                    "requested": " · ".join(f"{a} {euros(v)}" for a, v in requested.items()),
                    "allocated": " · ".join(f"{a} {euros(v)}" for a, v in allocated.items())
                    if app.state == Application.State.LAUREATE
                    else "",
                    "prefix": prefix,
                    "errors": [m for errors in form.errors.values() for m in errors] if form is not None else [],
                    # before the list is decided, a waiting file shows its decision (not « Lauréat » by default)
                    "reason": data.get(f"{prefix}-reason", app.decision_reason if waiting else ""),
                    "outcome": data.get(f"{prefix}-outcome", app.state if waiting else Application.State.LAUREATE),
                    # (agency, value) of the amount inputs, rendered by calls/_decision_amounts.html
                    "amounts": [(a, str(data.get(f"{prefix}-amount_{a}", requested.get(a, "")))) for a in self.call.agencies],
                }
            )
        return {
            "call": self.call,
            "page_obj": page,
            "rows": rows,
            "envelopes": self.call.envelopes.select_related("funding_source"),
            "can_decide": self.call.state == Call.State.CLOSED,
            "after_laureates": after,
            "outcomes": DecisionForm.OUTCOMES,
            "can_notify": self.call.state in (Call.State.LAUREATES_DECIDED, Call.State.TRANSMITTED),
            "failed_emails": failed_emails(self.call),
            **_failed_letters_alert(failed_letters(self.call)),
        }

    def get(self, request, pk):
        return render(request, self.template, self.context())

    def post(self, request, pk):
        app = get_object_or_404(Application, pk=request.POST.get("application"), call=self.call)
        if "reopen" in request.POST:
            try:
                reopen_decision(app, request.user, request.POST.get("reason") or "Décision annulée par le gestionnaire.")
                messages.success(request, f"Décision annulée pour {app.reference} ; les montants sont rendus aux enveloppes.")
            except ValidationError as e:
                flash_error(request, e)
            return redirect(request.get_full_path())
        if "renounce" in request.POST:
            if text := self._unconfirmed_renouncement(app):
                return confirmation_step(
                    request,
                    transition=APPLICATION_WORKFLOW.get("renounce"),
                    text=text,
                    action=request.get_full_path(),
                    back=request.get_full_path(),
                    title=f"{app.reference} — {app.title}",
                )
            try:
                renounce(app, request.user, request.POST.get("reason", ""))
                messages.success(
                    request, f"Désistement enregistré pour {app.reference} ; ses montants sont rendus à leurs enveloppes."
                )
            except ValidationError as e:
                flash_error(request, e)
            return redirect(request.get_full_path())
        form = DecisionForm(request.POST, call=self.call, prefix=f"d{app.pk}")
        form.app_pk = app.pk
        if form.is_valid():
            if "promote" in request.POST and (text := self._unconfirmed_promotion(app, form)):
                return confirmation_step(
                    request,
                    transition=APPLICATION_WORKFLOW.get("promote"),
                    text=text,
                    action=request.get_full_path(),
                    back=request.get_full_path(),
                    title=f"{app.reference} — {app.title}",
                )
            try:
                if "promote" in request.POST:
                    promote(app, request.user, form.cleaned_data["reason"], form.allocations())
                    messages.success(
                        request,
                        f"Le dossier {app.reference} est promu de la liste d'attente au rang de lauréat : "
                        "notifiez les décisions pour lui envoyer son courrier.",
                    )
                else:
                    decide(app, request.user, form.cleaned_data["outcome"], form.cleaned_data["reason"], form.allocations())
                    messages.success(request, f"Décision enregistrée pour {app.reference}.")
                return redirect(request.get_full_path())
            except ValidationError as e:
                add_errors(form, e)
        messages.error(request, f"La décision pour {app.reference} n'a pas été enregistrée : voir le détail sous le dossier.")
        return render(request, self.template, self.context(form), status=400)

    def _unconfirmed_promotion(self, app, form) -> str:
        """What to confirm before promoting `app` from the waiting list (tpj.core.confirm): asked
        only when it would be promoted now (a refused state or missing amounts are said at once)."""
        transition = APPLICATION_WORKFLOW.get("promote")
        if (
            APPLICATION_WORKFLOW.refusal(app, transition)
            or not policy.check(self.request.user, transition.action, app)
            or any(guard(app) for guard in transition.guards)
            or not any(amount and amount > 0 for amount in form.allocations().values())
        ):
            return ""
        return unconfirmed(transition, app, self.request.POST)

    def _unconfirmed_renouncement(self, app) -> str:
        """What to confirm before recording the laureate's withdrawal (tpj.core.confirm): asked
        only when it would be recorded now (a missing reason or a refused state is said at once)."""
        transition = APPLICATION_WORKFLOW.get("renounce")
        if (
            not self.request.POST.get("reason", "").strip()
            or APPLICATION_WORKFLOW.refusal(app, transition)
            or not policy.check(self.request.user, transition.action, app)
            or any(guard(app) for guard in transition.guards)
        ):
            return ""
        return unconfirmed(transition, app, self.request.POST)


DEROGATION_DECISIONS = {"grant": "grant_derogation", "refuse": "refuse_derogation"}  # button value: action
NOTIFY = {"label": "Notifier les décisions"}  # the confirmation step's title (a service, not a transition)


def _failed_letters_alert(letters) -> dict:
    """The decisions page's alert on the letters that could not be drawn, with what to do."""
    n = len(letters)
    references = ", ".join(letter.application.reference for letter in letters)
    return {
        "failed_letters": letters,
        "failed_letters_title": french_plural(
            n, "1 courrier de décision n'a pas pu être préparé", f"{n} courriers de décision n'ont pas pu être préparés"
        ),
        "failed_letters_content": french_plural(
            n,
            f"Dossier {references} : rien n'est envoyé ni notifié. Cliquez sur « Notifier les décisions » "
            "pour relancer sa préparation ; si l'échec persiste, prévenez l'administrateur de la plateforme.",
            f"Dossiers {references} : rien n'est envoyé ni notifié. Cliquez sur « Notifier les décisions » "
            "pour relancer leur préparation ; si l'échec persiste, prévenez l'administrateur de la plateforme.",
        ),
    }


def _badge(letter):
    """django-dsfr's badge for a letter's (label, kind) from letter_badges."""
    if letter is None:
        return None
    label, kind = letter
    return {"label": label, "extra_classes": f"fr-badge--sm fr-badge--{kind}" if kind else "fr-badge--sm"}


class NotifyView(CallMixin, PolicyRequiredMixin, View):
    """Ask the workers for the decision letters (drawn, stored, then e-mailed), or (`resend`: its id) send a failed e-mail of the call
    again; the decisions page then shows each letter's state."""

    policy_action = "calls.manage_call"

    def post(self, request, pk):
        try:
            if "resend" in request.POST:
                message = resend_email(self.call, request.user, request.POST["resend"])
                messages.success(
                    request,
                    f"Courriel remis en envoi à {', '.join(message.recipients)} : s'il échoue encore, il reste listé ci-dessous.",
                )
            else:
                text = notify_confirmation(self.call) if request.POST.get("confirm") != "1" else ""
                if text:  # letters cannot be recalled: confirmed first (tpj.core.confirm), as a transition
                    return confirmation_step(
                        request,
                        transition=NOTIFY,
                        text=text,
                        action=request.path,
                        back=reverse("calls:allocation", args=[pk]),
                        title=self.call.title,
                    )
                n = notify_decisions(self.call, request.user)
                messages.success(request, _queued_message(n))
        except ValidationError as e:
            flash_error(request, e)
        return redirect("calls:allocation", pk=pk)


def _queued_message(n: int) -> str:
    if n == 0:
        return "Aucun courrier de décision à préparer : chaque décision est notifiée, son courrier en préparation ou en échec d'envoi."
    return french_plural(
        n,
        "1 courrier de décision en préparation : il est rédigé puis envoyé en arrière-plan. "
        "Vous pouvez quitter cette page ; son état s'y affiche.",
        f"{n} courriers de décision en préparation : ils sont rédigés puis envoyés en arrière-plan. "
        "Vous pouvez quitter cette page ; leur état s'y affiche.",
    )


class DecisionLetterView(ApplicationMixin, PolicyRequiredMixin, View):
    policy_action = "calls.view_application"

    def get(self, request, pk):
        app = self.application
        # No letter before the decision, nor (for the carrier) before it is notified: a 404, as for a missing file.
        if app.state not in Application.DECIDED_STATES or not policy.check(request.user, "calls.view_decision_letter", app):
            raise Http404
        letter = issued_letter(app)
        if letter is not None:  # the letter as issued, from the storage: never redrawn
            response = FileResponse(letter.file.open("rb"), content_type="application/pdf")
        else:  # the manager's preview before notification (or a letter sent before the worker tier)
            response = HttpResponse(decision_letter_pdf(app), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="decision-{app.reference}.pdf"'
        return response


class DerogationRequestView(CallMixin, PolicyRequiredMixin, View):
    """A call manager asks the national team for a derogation to the minimum (from the decisions page)."""

    policy_action = "calls.manage_call"

    def post(self, request, pk):
        try:
            request_derogation(self.call, request.user, request.POST.get("reason", ""))
            messages.success(request, "Demande de dérogation transmise à l'équipe nationale : sa réponse s'affichera ici.")
        except ValidationError as e:
            flash_error(request, e)
        return redirect("calls:allocation", pk=pk)


class DerogationDecisionView(CallMixin, PolicyRequiredMixin, View):
    """The national team grants (with the endowment accepted) or refuses a derogation (from the call's page)."""

    policy_action = "calls.grant_minimum_derogation"

    def post(self, request, pk):
        reason = request.POST.get("reason", "")
        decision, confirmed = chosen(request.POST, "decision", DEROGATION_DECISIONS)
        decision = decision or "grant"
        if reason.strip() and not confirmed:  # a decision cannot be taken back: confirmed first (tpj.core.confirm)
            action = ACTIONS[DEROGATION_DECISIONS[decision]]
            return confirmation_step(
                request,
                transition=action,
                text=action.confirmation(self.call),
                action=request.path,
                back=reverse("calls:call-detail", args=[pk]),
                title=self.call.title,
            )
        try:
            if decision == "refuse":
                refuse_derogation(self.call, request.user, reason)
                messages.success(request, "Dérogation refusée : les gestionnaires de l'appel en sont informés.")
            else:
                answering = request.POST.get("derogation", "")  # the request the page showed, if any
                answering = int(answering) if answering.isdigit() else None
                grant_derogation(self.call, request.user, request.POST.get("accepted", ""), reason, answering)
                messages.success(request, "Dérogation accordée : les gestionnaires de l'appel en sont informés.")
        except ValidationError as e:
            flash_error(request, e)
        return redirect("calls:call-detail", pk=pk)
