from tpj.core.policy import Decision, rule


@rule("downloads.view")
def view(user, job=None) -> Decision:
    if not user.is_authenticated:
        return Decision.deny("Connectez-vous pour retrouver vos téléchargements.")
    return Decision.allow()
