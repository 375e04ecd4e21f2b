"""The registry's e-mails in the outbox (tpj.outbox)."""

from tpj.outbox.purposes import register

MODERATION_DECISION = register("registry.moderation_decision", "Décision de modération d'une fiche").key
# Scheduled jobs (services/review.py, services/ageing.py). The review request holds each
# member's personal confirmation link: erased once sent.
REVIEW_REQUEST = register("registry.review_request", "Demande de confirmation annuelle d'une fiche", sensitive=True).key
MODERATION_AGEING = register("registry.moderation_ageing", "Relance des modérateurs : fiches en attente").key
MEMBER_INVITATION = register("registry.member_invitation", "Invitation à gérer une fiche", sensitive=True).key
