"""The demo plays the whole story of a past campaign (2021: declared, scored, decided,
transmitted) at load time, so its notifications would all say « today » and be unread: a
juror would read « 3 dossiers à noter » for a jury that sat years ago. They are dated when
those events ended, the campaign's transmission, and counted as read. The exchanges stay
as written: they are today's questions, waiting for an answer.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tpj.calls.models import Application, Call
from tpj.conversations.notification_kinds import MESSAGE
from tpj.notifications.models import Notification


def settle_past_notifications(accounts=None) -> int:
    """Date and mark read the notifications of the transmitted calls' story; return how many."""
    settled = 0
    call_type, application_type = ContentType.objects.get_for_model(Call), ContentType.objects.get_for_model(Application)
    for call in Call.objects.filter(state=Call.State.TRANSMITTED).select_related("campaign"):
        when = call.transmitted_at or timezone.make_aware(
            datetime.datetime.combine(call.campaign.transmission_deadline, datetime.time(12))
        )
        applications = [str(pk) for pk in call.applications.values_list("pk", flat=True)]
        for content_type, ids in ((call_type, [str(call.pk)]), (application_type, applications)):
            settled += (
                Notification.objects.exclude(kind=MESSAGE)
                .filter(content_type=content_type, object_id__in=ids)
                .update(created_at=when, read_at=when)
            )
    return settled
