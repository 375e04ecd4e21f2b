"""Migration 0012: the points a manager wrote in the old checklist field and the points ticked
on an application survive, in the instruction checklist, before the old fields go."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = ("calls", "0011_conventions"), ("calls", "0012_checklists_into_instruction")


@pytest.fixture
def before(transactional_db):
    """A call and a submitted application (made with today's code), then the schema of 0011."""
    from tests.calls.factories import make_call, submitted_application

    call = make_call()
    app = submitted_application(call)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    yield call, app, executor.loader.project_state([BEFORE]).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_old_checklist_and_ticks_move_to_the_instruction_checklist(before):
    call, app, old_state = before
    Call, Application = old_state.get_model("calls", "Call"), old_state.get_model("calls", "Application")
    Call.objects.filter(pk=call.pk).update(checklist="Dossier complet\nAvis de la PMI joint\n\nPartenariats attestés")
    Application.objects.filter(pk=app.pk).update(
        checklist={"Dossier complet": True, "Avis de la PMI joint": True, "Partenariats attestés": False}
    )

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])

    new = executor.loader.project_state([AFTER]).apps
    items = new.get_model("calls", "ChecklistItem").objects.filter(call_id=call.pk)
    assert sorted(items.values_list("label", flat=True)) == ["Avis de la PMI joint", "Partenariats attestés"]
    ticks = new.get_model("calls", "ChecklistTick").objects.filter(application_id=app.pk)
    assert sorted(ticks.values_list("label", "ticked")) == [("Avis de la PMI joint", True), ("Pièces complètes", True)]
    assert {tick.changed_by_id for tick in ticks} == {call.created_by_id}
