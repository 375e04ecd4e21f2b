"""The bilans of the sessions (journey 5): « Bilans de sessions » of one's organisations (those
to declare, those declared) and a session's bilan form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from tpj.core.text import french_count, french_plural
from tpj.core.views_mixins import PolicyRequiredMixin
from tpj.territories.models import Departement

from ..models import Session, SessionReport
from ..report_forms import ReportForm, line_formset, lines_of
from ..services import reports as report_services

ADD_LINE = "ajouter_ligne"


class ReportListView(PolicyRequiredMixin, View):
    policy_action = "training.reports"

    def get(self, request):
        user = request.user
        page = Paginator(report_services.declared_reports(user), 50).get_page(request.GET.get("page"))
        return render(
            request,
            "training/reports.html",
            {"awaiting": report_services.awaiting_report(user)[:200], "page_obj": page, "reports": page.object_list},
        )


def _departements():
    return [(code, f"{code} — {name}") for code, name in Departement.objects.order_by("code").values_list("code", "name")]


def _cap_help(session) -> str:
    duration = session.offer.duration_hours
    if duration:
        return (
            f"Au plus {report_services.HOURS_CAP_FACTOR} fois la durée de la formation "
            f"({report_services.decimal_text(duration)} heures), au-delà le chiffre est sans doute une erreur de saisie."
        )
    return f"Au plus {report_services.HOURS_PER_DAY} heures par jour de session."


class SessionReportView(PolicyRequiredMixin, View):
    policy_action = "training.report_session"

    def get_policy_object(self):
        self.session = get_object_or_404(Session.objects.select_related("offer__organisation", "commune"), pk=self.kwargs["pk"])
        return self.session

    def render_form(self, form, lines, status=200):
        session = self.session
        report = SessionReport.objects.filter(session=session).first()
        return render(
            self.request,
            "training/report_form.html",
            {
                "session": session,
                "offer": session.offer,
                "report": report,
                "ended": report_services.has_ended(session),
                "not_ended_message": report_services.not_ended_message(session),
                "form": form,
                "lines": lines,
                "add_line": ADD_LINE,
            },
            status=status,
        )

    def get(self, request, pk):
        session = self.session
        report = SessionReport.objects.filter(session=session).prefetch_related("lines").first()
        initial, lines = {}, []
        if report is not None:
            initial = {"hours_delivered": report_services.plain(report.hours_delivered)}
            lines = [
                {"audience": line.audience, "departement": line.departement_id, "participants": line.participants}
                for line in report.lines.order_by("id")
            ]
        elif session.offer.duration_hours:
            initial = {"hours_delivered": report_services.plain(session.offer.duration_hours)}
        form = ReportForm(initial=initial, cap_help=_cap_help(session))
        return self.render_form(form, line_formset(departements=_departements(), initial=lines))

    def post(self, request, pk):
        session = self.session
        form = ReportForm(request.POST, cap_help=_cap_help(session))
        add_line = ADD_LINE in request.POST
        lines = line_formset(request.POST, departements=_departements(), add_line=add_line)
        if add_line:
            return self.render_form(form, lines)
        if form.is_valid() and lines.is_valid():
            try:
                report, created = report_services.submit_report(
                    request.user, session, hours=form.cleaned_data["hours_delivered"], lines=lines_of(lines)
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                total = sum(line.participants for line in report.lines.all())
                verb = "déclaré" if created else "corrigé"
                messages.success(
                    request,
                    f"Bilan {verb} : {french_count(total)} participant{french_plural(total)}, "
                    f"{report_services.decimal_text(report.hours_delivered)} heure{french_plural(report.hours_delivered)} dispensée{french_plural(report.hours_delivered)}.",
                )
                return redirect("training:reports")
        return self.render_form(form, lines, status=400)
