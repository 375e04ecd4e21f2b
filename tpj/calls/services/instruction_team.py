"""The instruction team of a call, the files given to each instructor, the instruction
checklist and the instruction notes.

    candidates(call)                              — the agents who may join the call's team
    add_instructor(call, manager, user)           — an agent joins the team (notified)
    remove_instructor(call, manager, instructor)  — leaves it, with its assignments
    assign(call, manager, instructor, apps)       — applications given to an instructor (notified, bulk)
    unassign(application, manager, instructor)
    assigned_to(user)                             — « Dossiers à instruire »: the user's files still in instruction
    add_checklist_item / remove_checklist_item    — the call's own points, after DEFAULT_CHECKLIST
    checklist(application)                        — each point with who ticked it or unticked it, and when
    set_tick(application, user, label, ticked)
    instruction_notes(user, application)          — the internal notes of the application's thread
    seats(user)                                   — the user's teams, with their files waiting (« Mon espace »)

Who: the call's managers compose the team and assign (`calls.manage_instruction`); the team
instructs (`calls.instruct`). Every change is recorded in the audit log, in the transaction
that makes it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from tpj.accounts.models import User
from tpj.audit.services import record
from tpj.conversations.kinds import Side
from tpj.conversations.services import thread_of, visible_messages
from tpj.core import policy
from tpj.core.text import clean, french_plural
from tpj.notifications.services import notify

from ..models import (
    AGENCY_OF_KIND,
    DEFAULT_CHECKLIST,
    Agency,
    Application,
    Call,
    ChecklistItem,
    ChecklistTick,
    InstructionAssignment,
    Instructor,
    agency_of,
)
from ..models.access import manages_region
from ..notification_kinds import INSTRUCTION_ASSIGNED, INSTRUCTION_TEAM
from ..recipients import call_managers

# The states in which a file waits for its instructors (« Dossiers à instruire »).
TO_INSTRUCT = (Application.State.SUBMITTED, Application.State.INFO_REQUESTED)
MAX_ITEM_CHARS = 200
# « un agent de l'ARS ou de la DREETS », « un agent du commissaire »: as a sentence says them
AGENT_OF = {"ARS": "de l'ARS", "DREETS": "de la DREETS", "CLP": "du commissaire"}


# -- the team ----------------------------------------------------------------------------


def agency_agents(call: Call) -> Q:
    """Who works for the call's agencies: the agents of its région's ARS or DREETS (by their
    organisation's kind); for the commissaire's envelope of a territorial training call, the
    people of the commissaire's organisation (the call's author's)."""
    kinds = [kind for kind, agency in AGENCY_OF_KIND.items() if agency in call.agencies]
    agents = Q(organisation__kind__in=kinds, organisation__region_id=call.region_id)
    if Agency.CLP in call.agencies and call.created_by.organisation_id:
        agents |= Q(organisation_id=call.created_by.organisation_id)
    return agents


def candidates(call: Call):
    """Active agents of the call's agencies who may join its team: not in it yet, and not its
    managers (who instruct without joining)."""
    return (
        User.objects.filter(agency_agents(call), is_active=True)
        .exclude(pk__in=call.instructors.values("user_id"))
        .exclude(pk__in=call_managers(call).values("pk"))
        .select_related("organisation")
        .order_by("last_name", "first_name", "email")
    )


def add_instructor(call: Call, manager, user) -> Instructor:
    """Add `user` to the call's instruction team; tell them."""
    policy.require(manager, "calls.manage_instruction", call)
    if call.instructors.filter(user=user).exists():
        raise ValidationError(f"{user} fait déjà partie de l'équipe d'instruction.")
    if call_managers(call).filter(pk=user.pk).exists():
        raise ValidationError(f"{user} gère déjà cet appel : il en instruit les candidatures sans être ajouté à l'équipe.")
    if not candidates(call).filter(pk=user.pk).exists():
        agencies = " ou ".join(AGENT_OF[agency] for agency in call.agencies)
        raise ValidationError(
            f"{user} n'est pas un agent {agencies} de la région {call.region.name} : "
            "seuls les agents des agences de l'appel en instruisent les candidatures."
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                instructor = Instructor.objects.create(call=call, user=user, added_by=manager)
        except IntegrityError:  # added at the same time by another request
            raise ValidationError(f"{user} fait déjà partie de l'équipe d'instruction.") from None
        record(actor=manager, obj=call, action="calls.instruction.instructor_added", after={"instructor": user.email})
        notify(
            INSTRUCTION_TEAM,
            [user],
            target=call,
            title=f"Vous rejoignez l'équipe d'instruction — {call.title}",
            body=(
                f"{manager} vous a ajouté(e) à l'équipe d'instruction de l'appel à projets « {call.title} ». "
                "Vous instruisez ses candidatures : demandes de complément, recevabilité, liste de vérification "
                "et notes d'instruction. Les dossiers qui vous sont attribués sont listés dans « Dossiers à instruire »."
            ),
            url=reverse("calls:my-instruction"),
            may_see="calls.view_my_instruction",
            actor=manager,
        )
    return instructor


def remove_instructor(call: Call, manager, instructor: Instructor) -> None:
    """Take `instructor` off the team; the files assigned to them are no longer theirs."""
    policy.require(manager, "calls.manage_instruction", call)
    if instructor.call_id != call.pk:
        raise ValidationError("Cet instructeur ne fait pas partie de l'équipe de cet appel.")
    with transaction.atomic():
        if not Instructor.objects.select_for_update().filter(pk=instructor.pk).exists():  # removed at the same time
            raise ValidationError(f"{instructor.user} ne fait déjà plus partie de l'équipe d'instruction.")
        files = instructor.assignments.count()
        instructor.delete()
        record(
            actor=manager,
            obj=call,
            action="calls.instruction.instructor_removed",
            after={"instructor": instructor.user.email, "assignments_removed": files},
        )


def assign(call: Call, manager, instructor: Instructor, application_ids) -> int:
    """Give the chosen submitted applications of `call` to `instructor` (those already theirs are
    left as they are); tell them how many are new. Returns that number."""
    policy.require(manager, "calls.manage_instruction", call)
    if instructor.call_id != call.pk:
        raise ValidationError("Choisissez un instructeur de l'équipe de cet appel.")
    ids = {int(pk) for pk in application_ids if str(pk).isdigit()}
    if not ids:
        raise ValidationError("Cochez au moins un dossier à attribuer.")
    applications = list(call.applications.submitted().filter(pk__in=ids).order_by("reference"))
    if len(applications) != len(ids):
        raise ValidationError("Un des dossiers choisis n'est pas une candidature déposée de cet appel.")
    with transaction.atomic():
        instructor = Instructor.objects.select_for_update().select_related("user").get(pk=instructor.pk)  # one at a time
        already = set(instructor.assignments.filter(application__in=applications).values_list("application_id", flat=True))
        new = [app for app in applications if app.pk not in already]
        InstructionAssignment.objects.bulk_create(
            [InstructionAssignment(application=app, instructor=instructor, assigned_by=manager) for app in new]
        )
        for app in new:
            record(actor=manager, obj=app, action="calls.instruction.assigned", after={"instructor": instructor.user.email})
        if new:
            n = len(new)
            notify(
                INSTRUCTION_ASSIGNED,
                [instructor.user],
                target=call,
                title=f"{n} dossier{french_plural(n)} à instruire — {call.title}",
                body="\n".join(f"{app.reference} — {app.title}" for app in new),
                url=reverse("calls:my-instruction"),
                may_see="calls.view_my_instruction",
                actor=manager,
            )
    return len(new)


def unassign(application: Application, manager, instructor: Instructor) -> None:
    policy.require(manager, "calls.manage_instruction", application.call)
    with transaction.atomic():
        deleted, _ = InstructionAssignment.objects.filter(application=application, instructor=instructor).delete()
        if not deleted:
            raise ValidationError(f"Ce dossier n'est pas attribué à {instructor.user}.")
        record(actor=manager, obj=application, action="calls.instruction.unassigned", after={"instructor": instructor.user.email})


def assigned_to(user):
    """The applications assigned to `user` that still wait for their instruction, oldest submitted first."""
    return (
        Application.objects.filter(instruction_assignments__instructor__user=user, state__in=TO_INSTRUCT)
        .select_related("call__region", "call__campaign", "organisation")
        .order_by("submitted_at", "pk")
    )


def team(call: Call) -> list[Instructor]:
    """The call's instructors, each with `files` (their assignments, for their applications)."""
    return list(
        call.instructors.select_related("user__organisation")
        .prefetch_related("assignments__application")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def assignees(application_ids) -> dict[int, list[str]]:
    """{application id: [names of its instructors]} for a page of applications, in one query."""
    result = {}
    rows = InstructionAssignment.objects.filter(application_id__in=list(application_ids)).select_related("instructor__user")
    for row in rows.order_by("instructor__user__last_name", "pk"):
        result.setdefault(row.application_id, []).append(str(row.instructor.user))
    return result


# -- the checklist -----------------------------------------------------------------------


@dataclass
class ChecklistLine:
    label: str
    ticked: bool = False
    changed_by: str = ""
    changed_at: object = None
    item: ChecklistItem | None = None  # a point the call's managers added (None: a default point)


def checklist_labels(call: Call) -> list[str]:
    return list(DEFAULT_CHECKLIST) + list(call.added_checklist_items.values_list("label", flat=True))


def checklist(application: Application) -> list[ChecklistLine]:
    """The call's checklist on `application`: each point, ticked or not, with who changed it last and when."""
    ticks = {t.label: t for t in application.checklist_ticks.select_related("changed_by")}
    lines = [ChecklistLine(label) for label in DEFAULT_CHECKLIST]
    lines += [ChecklistLine(item.label, item=item) for item in application.call.added_checklist_items.all()]
    for line in lines:
        if tick := ticks.get(line.label):
            line.ticked, line.changed_by, line.changed_at = tick.ticked, str(tick.changed_by), tick.changed_at
    return lines


def add_checklist_item(call: Call, manager, label: str) -> ChecklistItem:
    policy.require(manager, "calls.manage_instruction", call)
    label = clean(label or "", multiline=False).strip()
    if not label:
        raise ValidationError({"label": "Écrivez le point à vérifier."})
    if len(label) > MAX_ITEM_CHARS:
        raise ValidationError({"label": f"Un point à vérifier tient en {MAX_ITEM_CHARS} caractères au plus."})
    if label.casefold() in {existing.casefold() for existing in checklist_labels(call)}:
        raise ValidationError({"label": f"« {label} » figure déjà dans la liste de vérification."})
    try:
        with transaction.atomic():
            item = ChecklistItem.objects.create(call=call, label=label, added_by=manager)
            record(actor=manager, obj=call, action="calls.instruction.checklist_item_added", after={"label": label})
    except IntegrityError:  # added at the same time by another manager
        raise ValidationError({"label": f"« {label} » figure déjà dans la liste de vérification."}) from None
    return item


def remove_checklist_item(call: Call, manager, item: ChecklistItem) -> None:
    """Remove a point the managers added (the default points stay), with its ticks."""
    policy.require(manager, "calls.manage_instruction", call)
    if item.call_id != call.pk:
        raise ValidationError("Ce point ne figure pas dans la liste de vérification de cet appel.")
    with transaction.atomic():
        ticked = ChecklistTick.objects.filter(application__call=call, label=item.label).delete()[0]
        item.delete()
        record(
            actor=manager,
            obj=call,
            action="calls.instruction.checklist_item_removed",
            after={"label": item.label, "ticks_removed": ticked},
        )


def set_tick(application: Application, user, label: str, ticked: bool) -> ChecklistLine:
    """Tick or untick one point of the checklist on `application`; returns its line."""
    policy.require(user, "calls.instruct", application)
    if label not in checklist_labels(application.call):
        raise ValidationError("Ce point ne figure pas dans la liste de vérification de l'appel.")
    with transaction.atomic():
        tick, _ = ChecklistTick.objects.update_or_create(
            application=application,
            label=label,
            defaults={"ticked": ticked, "changed_by": user, "changed_at": timezone.now()},
        )
        record(actor=user, obj=application, action="calls.application.checklist", after={"item": label, "ticked": ticked})
    return ChecklistLine(label, tick.ticked, str(user), tick.changed_at)


# -- the notes ---------------------------------------------------------------------------


def instruction_notes(user, application: Application) -> list:
    """The internal notes of the application's thread (tpj.conversations), for its instruction
    team only: a carrier, a juror or anyone else gets none."""
    if not policy.check(user, "calls.instruct", application):
        return []
    return [m for m in visible_messages(thread_of("calls.application", application), Side.STAFF) if m.internal]


def seats(user) -> list[dict]:
    """The user's seats on instruction teams, each with the files assigned to them still in
    instruction: [{"call__title", "n", "oldest"}] (one query, none for whoever may sit on none)."""
    if not may_sit_on_a_team(user):
        return []
    waiting = Q(assignments__application__state__in=TO_INSTRUCT)
    return list(
        Instructor.objects.filter(user_id=user.pk)
        .values("call_id", "call__title")
        .annotate(n=Count("assignments", filter=waiting), oldest=Min("assignments__application__submitted_at", filter=waiting))
        .order_by("call__title")
    )


def may_sit_on_a_team(user) -> bool:
    """Whether `user` may be on an instruction team, read from the account alone: an agent of an
    ARS or a DREETS who does not manage every call of its agency already (`candidates`)."""
    organisation = user.organisation
    return agency_of(organisation) is not None and not manages_region(user, organisation.region_id)
