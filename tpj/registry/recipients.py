"""Who the registry's events concern, and the page where each of them acts.

The resolvers answer QuerySets of users; `tpj.notifications.services.notify` then leaves
out whoever may not see the entry (`Recipients.may_see`), is inactive, or caused the event.
The workflows (workflow.py) declare them on their transitions; the scheduled reminders
(services/ageing.py, services/review.py) and the import jobs use them directly.
"""

from django.db.models import Q
from django.urls import reverse

from tpj.accounts.models import Role, ScopeLevel, User
from tpj.notifications.recipients import Recipients

# -- who ------------------------------------------------------------------------------------


def moderators_covering(*, region: str | None, departement: str | None):
    """Active users with an active moderator role whose scope covers this territory (national,
    its région, or its département), as `Scope.covers` decides for one. Administrators are not
    listed: they moderate everywhere but are not anyone's territorial moderator."""
    covering = Q(role_assignments__scope_level=ScopeLevel.NATIONAL)
    if region:
        covering |= Q(role_assignments__scope_level=ScopeLevel.REGION, role_assignments__region=region)
    if departement:
        covering |= Q(role_assignments__scope_level=ScopeLevel.DEPARTEMENTS, role_assignments__departements=departement)
    # One filter() call: the role, its activity and its scope are those of the same assignment.
    return User.objects.filter(
        covering, is_active=True, role_assignments__role=Role.MODERATOR, role_assignments__is_active=True
    ).distinct()


def moderators_of(entry):
    """The territorial moderators of `entry` (a member among them is left out by "registry.moderate")."""
    return moderators_covering(region=entry.region_id, departement=entry.departement_id)


def members_of(entry):
    """The entry's active members (a revision's members are copied from its published entry)."""
    return entry.members.filter(is_active=True)


def import_author(job):
    """The moderator who launched the import (none for the command line)."""
    return User.objects.filter(pk=job.created_by_id, is_active=True)


# -- where ----------------------------------------------------------------------------------


def moderation_url(entry) -> str:
    return reverse("registry:moderate", args=[entry.pk])


def review_queue_url(entry=None) -> str:
    return reverse("registry:review-queue")


def moderation_queue_url(obj=None) -> str:
    return reverse("registry:moderation")


def public_url(entry) -> str:
    """The published page (of the entry a revision concerns)."""
    return reverse("registry:entry", args=[entry.public_entry.pk])


def edit_url(entry) -> str:
    """Where the members correct the entry and submit it again."""
    return reverse("registry:edit", args=[entry.pk])


def confirm_url(entry) -> str:
    """Where a signed-in member confirms the entry's accuracy: its page, whose « Je confirme »
    button posts to registry:review-confirm-member (a link cannot open a POST-only address)."""
    return reverse("registry:entry", args=[entry.pk]) + "#confirmation"


def import_job_url(job) -> str:
    return reverse("registry:import-job", args=[job.pk])


# -- declared on the transitions --------------------------------------------------------------

MODERATORS = Recipients(
    "les modérateurs du territoire de la fiche", moderators_of, url=moderation_url, may_see="registry.moderate"
)


def members(url, *, emailed_elsewhere: bool = False) -> Recipients:
    """The entry's members, sent to `url`; `emailed_elsewhere` when the transition's effect
    already e-mails them (services.notifications.notify_members, the review request)."""
    return Recipients(
        "les membres de la fiche", members_of, url=url, may_see="registry.view_private", emailed_elsewhere=emailed_elsewhere
    )
