from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """« Mon espace »: what each person has to do now, one section per role (issue 17 §1)."""

    name = "tpj.workspace"
    verbose_name = "Mon espace"
