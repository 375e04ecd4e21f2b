from tpj.core.policy import Decision, rule


@rule("core.administer")
def administer(user, obj=None) -> Decision:
    """The administration (users, scopes, reference data) is for administrators only."""
    if user.is_authenticated and user.is_active and user.is_administrator:
        return Decision.allow()
    return Decision.deny("L'administration de la plateforme est réservée aux administrateurs.")
