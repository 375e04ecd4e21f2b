"""The notifications the conversations send (found by tpj.notifications, by name)."""

from tpj.notifications.kinds import register

MESSAGE = register("conversations.message", "Un message m'est adressé dans les échanges d'un dossier", group="Échanges").key
