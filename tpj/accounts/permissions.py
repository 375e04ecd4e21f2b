from tpj.core.policy import Decision, rule


@rule("accounts.view_dashboard")
def view_dashboard(user, obj=None) -> Decision:
    return Decision.allow() if user.is_authenticated else Decision.deny("Connectez-vous pour accéder à votre espace.")
