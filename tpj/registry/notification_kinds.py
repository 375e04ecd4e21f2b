"""The registry's notification kinds outside its workflows (found by tpj.notifications.apps).

The transitions' kinds are declared by the workflows themselves (`Transition.notifies`):
importing them here declares them when the apps are ready, for the preferences page.
"""

from tpj.notifications.kinds import register

from . import claims_workflow, workflow  # noqa: F401 (declares the kinds of the transitions that notify)

GROUP = "Annuaire"

IMPORT_FINISHED = register("registry.import_finished", "Un import de fiches que vous avez lancé est terminé", group=GROUP).key
AGEING_DIGEST = register(
    "registry.ageing_digest",
    "Fiches en attente de modération depuis trop longtemps, suspensions à confirmer (une fois par jour au plus)",
    group=GROUP,
).key
