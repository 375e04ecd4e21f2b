"""The instruction panel of an application's page (`{% instruction_panel app %}`): its
instruction team, checklist and notes for the team; its reports for the laureate's carrier and
the call's managers. Each part is shown only to whom the policy lets see it."""

from django import template

from tpj.core import policy

from ..conversations import closed_reason
from ..models import Application
from ..services import follow_up
from ..services import instruction_team as team

register = template.Library()


@register.inclusion_tag("calls/_instruction_panel.html", takes_context=True)
def instruction_panel(context, app):
    request = context["request"]
    user = request.user
    panel = {"app": app, "request": request, "csrf_token": context.get("csrf_token")}
    if policy.check(user, "calls.instruct", app):
        managing = bool(policy.check(user, "calls.manage_instruction", app.call))
        panel.update(
            instructing=True,
            managing=managing,
            assignments=app.instruction_assignments.select_related("instructor__user"),
            team=team.team(app.call) if managing else [],
            checklist=team.checklist(app),
            notes=team.instruction_notes(user, app),
            notes_closed=closed_reason(app),
        )
    if policy.check(user, "calls.follow_up", app):
        panel.update(
            reports=follow_up.report_dues(app.call, applications=Application.objects.filter(pk=app.pk)),
            manages_reports=bool(policy.check(user, "calls.manage_follow_up", app)),
        )
    return panel


@register.simple_tag
def instruction_assignees(applications) -> dict:
    """{application id: [its instructors' names]} for a page of the applications' list."""
    return team.assignees(a.pk for a in applications)


@register.simple_tag
def instruction_team(call) -> list:
    return team.team(call)
