"""What every Module 3 page view shares."""

from tpj.core.views_mixins import PolicyRequiredMixin


class PublicMixin(PolicyRequiredMixin):
    """Pages open to everyone (the rule is declared in valorisation/permissions.py)."""

    policy_action = "valorisation.view_public"
