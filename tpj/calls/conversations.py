"""The conversation of an application (tpj.conversations): the call's managers, who instruct
it, and the applicant organisation's members. It opens when the application is submitted and
closes when it is withdrawn, or archived: not retained once the call's laureates are
transmitted (a laureate's file stays open for its follow-up)."""

from django.urls import reverse

from tpj.conversations.kinds import ThreadKind, register

from .exports import application_messages_csv
from .models import Application, CallState
from .recipients import application_managers, carriers


def closed_reason(app: Application) -> str:
    if app.state == Application.State.DRAFT:
        return "Cette candidature n'est pas encore déposée : les échanges avec le service instructeur s'ouvrent à son dépôt."
    if app.state == Application.State.WITHDRAWN:
        return "Cette candidature a été retirée : les échanges sont clos."
    if app.call.state == CallState.TRANSMITTED and app.state != Application.State.LAUREATE:
        return "La liste des lauréats de cet appel est transmise : le dossier de cette candidature est archivé, les échanges sont clos."
    return ""


APPLICATION = register(
    ThreadKind(
        key="calls.application",
        slug="candidature",
        model="calls.Application",
        label="Messagerie de la candidature",
        staff_policy="calls.instruct",
        holder_policy="calls.act_as_carrier",
        staff_name="le service instructeur",
        holder_name="le porteur",
        staff_title="Service instructeur",
        holder_title="Porteur",
        closed_reason=closed_reason,
        page_url=lambda app, side: reverse("calls:application-detail", args=[app.pk]),
        staff_recipients=application_managers,
        holder_recipients=carriers,
        export=application_messages_csv,
    )
)
