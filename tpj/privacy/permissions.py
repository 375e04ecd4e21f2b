from tpj.core.policy import Decision, rule


@rule("privacy.manage_own_data")
def manage_own_data(user, obj=None) -> Decision:
    """Everyone signed in may download and delete the data held about them."""
    if user.is_authenticated:
        return Decision.allow()
    return Decision.deny("Connectez-vous pour consulter vos données personnelles.")
