"""What the calls API endpoints share."""

from django.db.models import Q
from rest_framework.exceptions import NotAuthenticated

from tpj.accounts.models import Role

from ..models import Application, Call
from ..permissions import is_national, manages_call


def _require_auth(request):
    if not request.user.is_authenticated:
        raise NotAuthenticated()


def visible_calls(user):
    """Non-draft calls for everyone; drafts only within the manager's région (or nationally)."""
    calls = Call.objects.select_related("region", "campaign")
    if is_national(user):
        return calls
    regions = user.scope(Role.CALL_MANAGER).regions if user.is_authenticated else frozenset()
    return calls.filter(~Q(state=Call.State.DRAFT) | Q(region__in=regions))


def visible_applications(user, call=None):
    """Applications a user may list: its organisation's, those of calls it manages, those it may score."""
    apps = Application.objects.select_related("call__region", "organisation")
    if call is not None:
        apps = apps.filter(call=call)
    if is_national(user):
        return apps.exclude(state=Application.State.DRAFT) | apps.filter(organisation_id=user.organisation_id)
    condition = Q(organisation_id=user.organisation_id) if user.organisation_id else Q(pk__in=[])
    managed = [c.pk for c in Call.objects.filter(region__in=user.scope(Role.CALL_MANAGER).regions) if manages_call(user, c)]
    condition |= Q(call__in=managed) & ~Q(state=Application.State.DRAFT)
    condition |= Q(
        sheets__member__user=user,
        sheets__auto_recused=False,
        sheets__has_conflict=False,
        sheets__conflict_declared_at__isnull=False,
    )
    return apps.filter(condition).distinct()
