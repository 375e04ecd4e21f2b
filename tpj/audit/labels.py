"""The French label of every audit action a page shows (journal, moderation history…).

One table for the whole platform: a module that records a new action adds its label here
(tests/core/test_audit_labels.py fails otherwise). Workflow transitions are recorded as
"<workflow>.<transition>" and refused attempts with the ".refused" suffix (the label of the
action, the page says it was refused).
"""

# Suffix of the action of a refused attempt, e.g. "registry.reject.refused" (see Workflow.fire).
REFUSED_SUFFIX = ".refused"

ACTION_LABELS = {
    # Module 4: training offers
    "training.organisation_registered": "Inscription de l'organisme de formation",
    "training.offer_created": "Création de l'offre de formation",
    "training.offer_saved": "Enregistrement de l'offre de formation",
    "training.session_added": "Ajout d'une session à l'offre de formation",
    "training.session_saved": "Modification d'une session de l'offre de formation",
    "training.session_deleted": "Suppression d'une session de l'offre de formation",
    "training.offer.submit": "Soumission de l'offre à la modération",
    "training.offer.publish": "Vérification et publication de l'offre",
    "training.offer.request_changes": "Demande de modifications de l'offre",
    "training.offer.reject": "Refus de l'offre",
    "training.offer.withdraw": "Retrait de la publication pour modification",
    "training.plan.create": "Création d'un plan de formation",
    "training.plan.rename": "Renommage d'un plan de formation",
    "training.plan.delete": "Suppression d'un plan de formation",
    "training.plan.add": "Ajout d'une offre à un plan de formation",
    "training.plan.update_item": "Modification d'une offre d'un plan de formation",
    "training.plan.remove": "Retrait d'une offre d'un plan de formation",
    "training.report.submit": "Déclaration du bilan d'une session de formation",
    # accounts
    "accounts.sign_up": "Création du compte",
    "accounts.sign_up_existing": "Inscription avec une adresse déjà connue",
    "accounts.proconnect_sign_up": "Création du compte via ProConnect",
    "accounts.proconnect_organisation": "Rattachement à sa structure par le SIRET de ProConnect",
    "accounts.confirm_email": "Confirmation de l'adresse e-mail",
    "accounts.revoke_tokens": "Révocation des jetons d'API",
    # privacy
    "privacy.export": "Téléchargement de ses données personnelles",
    "privacy.delete_account": "Suppression du compte",
    "privacy.purge_drafts": "Purge des brouillons abandonnés",
    # downloads (files prepared by the workers)
    "downloads.requested": "Demande d'un fichier à préparer",
    "downloads.ready": "Fichier préparé",
    "downloads.failed": "Échec de la préparation d'un fichier",
    "downloads.purged": "Suppression d'un fichier préparé arrivé à échéance",
    # outbox
    "outbox.retry": "Renvoi d'un courriel en échec",
    "outbox.purge": "Purge des courriels sortants au terme de leur conservation",
    # registry: services
    "registry.create": "Création de la fiche",
    "registry.demo_created": "Création de la fiche de démonstration",
    "registry.edit": "Modification de la fiche",
    "registry.revision_opened": "Ouverture d'une révision de la fiche",
    "registry.revision_applied": "Publication de la révision de la fiche",
    "registry.member_added": "Ajout d'un membre",
    "registry.member_removed": "Retrait d'un membre",
    "registry.member_invited": "Invitation d'une personne à gérer la fiche",
    "registry.member_reinvited": "Nouvelle invitation d'une personne à gérer la fiche",
    "registry.invitation_accepted": "Acceptation d'une invitation à gérer la fiche",
    "registry.evidence_viewed": "Consultation d'un justificatif",
    "registry.logo_downloaded": "Téléchargement du logo « Territoire des 1000 premiers jours »",
    "registry.import_created": "Lancement d'un import",
    "registry.import_chunk": "Import d'un lot de lignes",
    "registry.import_done": "Fin d'un import",
    "registry.import_failed": "Échec d'un import",
    # registry: the workflow (tpj/registry/workflow.py)
    "registry.submit": "Soumission à vérification",
    "registry.verify": "Vérification et publication",
    "registry.reject": "Refus",
    "registry.request_changes": "Demande de modifications",
    "registry.suspend": "Suspension",
    "registry.reinstate": "Rétablissement",
    # registry: the yearly accuracy review (scheduled job, members, moderators)
    "registry.review.request_confirmation": "Demande de confirmation annuelle de l'exactitude",
    "registry.review.confirm": "Confirmation de l'exactitude de la fiche",
    "registry.review.propose_suspension": "Proposition de suspension faute de confirmation",
    "registry.review.confirm_suspension": "Suspension confirmée faute de confirmation",
    "registry.review.keep": "Fiche maintenue malgré l'absence de confirmation",
    # registry: claims of entries (tpj/registry/claims_workflow.py)
    "registry.claim.submit": "Revendication de la fiche",
    "registry.claim.confirm": "Revendication confirmée",
    "registry.claim.refuse": "Revendication refusée",
    "registry.claim.withdraw": "Revendication retirée par son auteur",
    # conversations (tpj/conversations/services.py): a file's messages, in its history
    "conversations.message": "Message dans la messagerie du dossier",
    "conversations.internal_note": "Note interne dans la messagerie du dossier",
    # calls: services
    "calls.campaign.created": "Création de la campagne",
    "calls.intent.declared": "Déclaration d'intention",
    "calls.call.created": "Création de l'appel à projets",
    "calls.call.defined": "Définition de l'appel à projets",
    "calls.application.created": "Création de la candidature",
    "calls.application.saved": "Enregistrement de la candidature",
    "calls.application.attachment_added": "Ajout d'une pièce jointe",
    "calls.application.checklist": "Mise à jour de la liste de contrôle",
    "calls.jury.member_added": "Ajout d'un membre du jury",
    "calls.jury.assigned": "Attribution des dossiers au jury",
    "calls.jury.auto_recused": "Déport automatique d'un membre du jury",
    "calls.jury.conflict_declared": "Déclaration de conflit d'intérêts",
    "calls.jury.scores_submitted": "Envoi d'une notation",
    "calls.jury.deliberation": "Compte rendu de délibération",
    "calls.decision.allocation": "Imputation sur les enveloppes",
    "calls.decision.letter_queued": "Mise en envoi du courrier de décision",
    "calls.decision.released": "Montants rendus aux enveloppes",
    "calls.derogation.requested": "Demande de dérogation au minimum national de dotation",
    "calls.derogation.granted": "Dérogation au minimum national de dotation accordée",
    "calls.derogation.refused": "Dérogation au minimum national de dotation refusée",
    "calls.decision.letter_issued": "Émission du courrier de décision",
    "calls.decision.notified": "Notification de la décision",
    "calls.convention.schedule": "Enregistrement de l'échéancier des versements",
    "calls.convention.requested": "Demande de préparation de la convention",
    "calls.convention.issued": "Émission de la convention",
    "calls.convention.signed": "Signature de la convention",
    "calls.payment.recorded": "Enregistrement d'un versement",
    "calls.followup.started": "Démarrage du projet",
    "calls.followup.indicator": "Saisie d'un indicateur de suivi",
    "calls.followup.evaluation": "Évaluation du projet",
    "calls.instruction.instructor_added": "Ajout d'un instructeur à l'équipe d'instruction",
    "calls.instruction.instructor_removed": "Retrait d'un instructeur de l'équipe d'instruction",
    "calls.instruction.assigned": "Attribution du dossier à un instructeur",
    "calls.instruction.unassigned": "Retrait de l'attribution du dossier à un instructeur",
    "calls.instruction.checklist_item_added": "Ajout d'un point à la liste de vérification",
    "calls.instruction.checklist_item_removed": "Retrait d'un point de la liste de vérification",
    "calls.report.plan": "Échéance par défaut du rapport intermédiaire",
    "calls.report.due": "Échéance d'un rapport de suivi",
    "calls.report.received": "Réception d'un rapport de suivi",
    # calls: the workflows (tpj/calls/workflows.py)
    "calls.call.publish": "Publication de l'appel",
    "calls.call.close_applications": "Clôture des candidatures",
    "calls.call.decide_laureates": "Désignation des lauréats",
    "calls.call.reopen_decisions": "Réouverture des décisions",
    "calls.call.transmit": "Transmission de la liste des lauréats",
    "calls.application.submit": "Dépôt de la candidature",
    "calls.application.withdraw": "Retrait de la candidature",
    "calls.application.request_info": "Demande de complément",
    "calls.application.answer_info": "Réponse à la demande de complément",
    "calls.application.declare_eligible": "Déclaration de recevabilité",
    "calls.application.declare_ineligible": "Déclaration d'irrecevabilité",
    "calls.application.select": "Sélection comme lauréat",
    "calls.application.waitlist": "Inscription en liste d'attente",
    "calls.application.reject": "Décision de ne pas retenir",
    "calls.application.reopen": "Annulation de la décision",
    "calls.application.renounce": "Désistement du lauréat",
    "calls.application.promote": "Promotion depuis la liste d'attente",
    # valorisation
    "valorisation.births.import": "Import d'une table des naissances",
    "valorisation.apportionment.compute": "Calcul d'une répartition",
    "valorisation.deployment.create": "Saisie d'un déploiement",
    "valorisation.highlight.choose": "Choix d'un coup de cœur",
}


def action_label(action: str) -> str:
    """The French label of an audit action (a refused attempt: the label of the attempted action)."""
    base = action.removesuffix(REFUSED_SUFFIX)
    return ACTION_LABELS.get(base) or ACTION_LABELS.get(action) or "Action enregistrée"
