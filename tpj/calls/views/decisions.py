"""Pages of the decisions: allocation of the envelopes, notification, decision letters."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from tpj.core import policy
from tpj.core.text import french_plural
from tpj.core.views_mixins import PolicyRequiredMixin

from ..forms.decisions import DecisionForm
from ..letters import decision_letter_pdf
from ..models import Application, Call, EnvelopeRequest, euros
from ..services.decisions import decide, notify_decisions, reopen_decision
from ..services.jury import ranking
from ..services.letters import issued_letter
from ..services.notifications import failed_emails, failed_letters, letter_badges, resend_email
from .common import ApplicationMixin, CallMixin, add_errors, flash_error
from .jury import format_score


class AllocationView(CallMixin, PolicyRequiredMixin, View):
    """Decisions and money: envelope balances, and one decision form per application of the pool."""

    policy_action = "calls.manage_call"
    template = "calls/allocation.html"

    def context(self, bound=None):
        apps = ranking(self.call).prefetch_related(
            Prefetch("requests", queryset=EnvelopeRequest.objects.select_related("envelope"))
        )
        page = Paginator(apps, 25).get_page(self.request.GET.get("page"))
        letters = letter_badges(self.call.applications.filter(pk__in=[a.pk for a in page]))
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
                    "mean": format_score(app.mean_score),
                    "state": states[app.state],
                    "letter": _badge(letters.get(app.pk)),
                    "decidable": app.state in (Application.State.ELIGIBLE, Application.State.WAITING_LIST),
                    "requested": " · ".join(f"{a} {euros(v)}" for a, v in requested.items()),
                    "allocated": " · ".join(f"{a} {euros(v)}" for a, v in allocated.items())
                    if app.state == Application.State.LAUREATE
                    else "",
                    "prefix": prefix,
                    "errors": [m for errors in form.errors.values() for m in errors] if form is not None else [],
                    "reason": data.get(f"{prefix}-reason", ""),
                    "outcome": data.get(f"{prefix}-outcome", Application.State.LAUREATE),
                    # (agency, value) of the amount inputs, rendered by calls/_decision_amounts.html
                    "amounts": [(a, str(data.get(f"{prefix}-amount_{a}", requested.get(a, "")))) for a in self.call.agencies],
                }
            )
        return {
            "call": self.call,
            "page_obj": page,
            "rows": rows,
            "envelopes": self.call.envelopes.select_related("funding_source"),
            "endowment": self.call.state_endowment(),
            "can_decide": self.call.state == Call.State.CLOSED,
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
        form = DecisionForm(request.POST, call=self.call, prefix=f"d{app.pk}")
        form.app_pk = app.pk
        if form.is_valid():
            try:
                decide(app, request.user, form.cleaned_data["outcome"], form.cleaned_data["reason"], form.allocations())
                messages.success(request, f"Décision enregistrée pour {app.reference}.")
                return redirect(request.get_full_path())
            except ValidationError as e:
                add_errors(form, e)
        messages.error(request, f"La décision pour {app.reference} n'a pas été enregistrée : voir le détail sous le dossier.")
        return render(request, self.template, self.context(form), status=400)


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
