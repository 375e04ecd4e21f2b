"""The accounts' e-mails in the outbox (tpj.outbox). Each carries a personal link (confirmation
or password reset): sensitive, so its text is erased once sent and never shown to staff."""

from tpj.outbox.purposes import register

CONFIRMATION = register("accounts.confirmation", "Confirmation de l'adresse e-mail", sensitive=True).key
EXISTING_ACCOUNT = register("accounts.existing_account", "Tentative d'inscription avec une adresse connue", sensitive=True).key
PASSWORD_RESET = register("accounts.password_reset", "Réinitialisation du mot de passe", sensitive=True).key
