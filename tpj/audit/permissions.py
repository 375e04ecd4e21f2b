from tpj.core.policy import Decision, rule


@rule("audit.view_log")
def view_log(user, obj=None) -> Decision:
    if user.is_authenticated and user.is_administrator:
        return Decision.allow()
    return Decision.deny("Le journal d'audit est réservé aux administrateurs.")
