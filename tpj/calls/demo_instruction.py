"""Demo data of the instruction team: an agent of the ARS Bretagne joins the instruction team of
the demo's Bretagne calls, is given their files still in instruction, and has ticked two points
of one file's checklist (its internal note is the conversations demo's).

Runs after `tpj.calls.demo.load` with the demo accounts (`load(accounts)`, listed in
`tpj.demo.services.MODULE_LOADERS`); it needs the account INSTRUCTOR among them (declared in
`tpj.demo.services.ACCOUNTS`: « Isabelle — Instructrice ARS », organisation « ARS Bretagne », no
role), and does nothing without it. Safe to run twice.
"""

from django.db import transaction
from django.utils import timezone

from .models import Application, ChecklistTick, InstructionAssignment, Instructor
from .services.instruction_team import TO_INSTRUCT

INSTRUCTOR = "instruction.ars.bretagne@demo.1000jours.fr"
MANAGER = "ars.bretagne@demo.1000jours.fr"
TICKED = ("Pièces complètes", "Porteur éligible (SIRET)")


@transaction.atomic
def load(accounts: dict) -> None:
    instructor, manager = accounts.get(INSTRUCTOR), accounts.get(MANAGER)
    if instructor is None or manager is None:
        return
    files = Application.objects.filter(call__region_id="53", state__in=TO_INSTRUCT, call__strand__in=["ars", "joint"])
    for app in files.select_related("call").order_by("reference"):
        seat, _ = Instructor.objects.get_or_create(call=app.call, user=instructor, defaults={"added_by": manager})
        InstructionAssignment.objects.get_or_create(application=app, instructor=seat, defaults={"assigned_by": manager})
    first = files.filter(instruction_assignments__instructor__user=instructor).order_by("reference").first()
    for label in TICKED if first else ():
        ChecklistTick.objects.get_or_create(
            application=first, label=label, defaults={"ticked": True, "changed_by": instructor, "changed_at": timezone.now()}
        )
