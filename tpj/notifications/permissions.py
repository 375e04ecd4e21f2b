from tpj.core.policy import Decision, rule


@rule("notifications.view_own")
def view_own(user, obj=None) -> Decision:
    """Everyone signed in reads their own notifications and chooses how to receive them."""
    if user.is_authenticated:
        return Decision.allow()
    return Decision.deny("Connectez-vous pour consulter vos notifications.")
