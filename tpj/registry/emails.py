"""The registry's e-mails in the outbox (tpj.outbox)."""

from tpj.outbox.purposes import register

MODERATION_DECISION = register("registry.moderation_decision", "Décision de modération d'une fiche").key
