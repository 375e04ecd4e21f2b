"""The register of personal data (RGPD art. 30): every model field holding personal data,
with its category, purpose, retention and whether it is public.

tests/reliability/test_privacy.py fails when a model gains a field that looks personal
(e-mail, name, phone, address, contact…) without being declared here or in NOT_PERSONAL.
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils.text import capfirst

ACCOUNT = "durée du compte, puis anonymisation à sa suppression"
DECISION = "10 ans après la décision de financement (pièces justificatives de subventions publiques)"
OUTBOX_RETENTION = (
    f"{settings.OUTBOX_SENT_RETENTION_DAYS} jours après l'envoi, {settings.OUTBOX_FAILED_RETENTION_DAYS} jours après "
    "le dernier essai en cas d'échec ; courriers de décision et conventions : comme la décision"
)


@dataclass(frozen=True)
class PersonalField:
    category: str
    purpose: str
    retention: str
    public: str = "non"  # "non", "oui", or "avec consentement"


REGISTER = {
    "accounts.User.email": PersonalField("coordonnées", "connexion, notifications", ACCOUNT),
    "accounts.User.first_name": PersonalField("identité", "identification auprès des autres membres", ACCOUNT),
    "accounts.User.last_name": PersonalField("identité", "identification auprès des autres membres", ACCOUNT),
    "accounts.User.email_confirmed_at": PersonalField("connexion", "preuve de confirmation de l'adresse", ACCOUNT),
    "accounts.User.last_login": PersonalField("connexion", "sécurité du compte", ACCOUNT),
    "accounts.User.date_joined": PersonalField("connexion", "sécurité du compte", ACCOUNT),
    "accounts.Organisation.name": PersonalField(
        "identité",
        "structure de rattachement (personne morale ; nominative pour un indépendant)",
        "tant qu'un membre ou un dossier la référence",
        "oui",
    ),
    "audit.AuditEvent.actor_label": PersonalField(
        "traçabilité", "preuve de qui a décidé quoi (vérifications, financements publics)", DECISION
    ),
    "registry.Entry.name": PersonalField(
        "identité",
        "annuaire public (nominatif pour un professionnel indépendant)",
        f"tant que la fiche existe ; brouillons et refus purgés après {settings.DRAFT_RETENTION_DAYS} jours sans modification",
        "oui, une fois vérifiée",
    ),
    "registry.Entry.address": PersonalField("coordonnées", "carte publique", "comme la fiche", "oui, une fois vérifiée"),
    "registry.ContactChannel.value": PersonalField("coordonnées", "mise en relation", "comme la fiche", "avec consentement"),
    "registry.EntrySituation.trusting_body_name": PersonalField(
        "justificatif", "vérification de l'éligibilité", "comme la fiche"
    ),
    "registry.EntrySituation.evidence_name": PersonalField("justificatif", "vérification de l'éligibilité", "comme la fiche"),
    "registry.EntrySituation.evidence": PersonalField(
        "justificatif", "vérification de l'éligibilité (accès journalisé)", "comme la fiche"
    ),
    "registry.EntryClaim.message": PersonalField(
        "contenu d'échange",
        "revendication d'une fiche : lien du demandeur avec la structure, lu par la modération",
        "comme la fiche",
    ),
    "registry.MemberInvitation.email": PersonalField(
        "coordonnées",
        "invitation à gérer une fiche, envoyée par un de ses membres (lien personnel valable 14 jours)",
        "comme la fiche (trace de l'ajout du membre)",
    ),
    "calls.IntentDeclaration.referent_name": PersonalField("identité", "pilotage de l'appel à projets", DECISION),
    "calls.IntentDeclaration.referent_email": PersonalField("coordonnées", "pilotage de l'appel à projets", DECISION),
    "calls.Application.carrier_legal_name": PersonalField(
        "identité",
        "identité de la structure porteuse d'après le répertoire Sirene (nominative pour un entrepreneur individuel)",
        DECISION,
    ),
    "calls.Application.carrier_address": PersonalField(
        "coordonnées", "adresse de la structure porteuse d'après le répertoire Sirene", DECISION
    ),
    "calls.Partner.name": PersonalField("identité", "partenaires d'un projet (personnes morales)", DECISION),
    "training.Offer.contact_email": PersonalField(
        "coordonnées",
        "contact ou inscription d'une offre de formation (souvent une adresse de service)",
        "tant que l'offre est publiée ou en modération",
    ),
    # A team's training plan (issue 20): its name and the « qui doit y aller » of each offer
    # may name colleagues; seen by the plan's author only, deleted with the plan or the account.
    "training.TrainingPlan.name": PersonalField(
        "organisation du travail",
        "plan de formation d'une équipe (vu de son seul auteur)",
        "tant que l'auteur garde le plan, supprimé avec lui ou avec le compte",
    ),
    "training.PlanItem.attendees": PersonalField(
        "organisation du travail",
        "qui doit suivre une formation (noms de collègues possibles ; vu de l'auteur du plan seul)",
        "tant que l'auteur garde le plan, supprimé avec lui ou avec le compte",
    ),
    "training.PlanItem.note": PersonalField(
        "organisation du travail",
        "note libre de l'auteur d'un plan de formation (vue de lui seul)",
        "tant que l'auteur garde le plan, supprimé avec lui ou avec le compte",
    ),
    "calls.ApplicationAnswer.file_name": PersonalField(
        "justificatif", "documents demandés par l'appel à projets (nom du fichier déposé)", DECISION
    ),
    "notifications.Notification.title": PersonalField(
        "contenu de notification",
        "prévenir la personne de ce qui la concerne sur la plateforme (fiches, candidatures, dossiers suivis)",
        "durée du compte ; supprimées avec lui",
    ),
    "notifications.Notification.body": PersonalField(
        "contenu de notification",
        "prévenir la personne de ce qui la concerne (motif d'une décision, par exemple)",
        "durée du compte ; supprimées avec lui",
    ),
    "notifications.Notification.read_at": PersonalField(
        "activité", "distinguer ce qui reste à lire", "durée du compte ; supprimées avec lui"
    ),
    "notifications.NotificationPreference.delivery": PersonalField(
        "préférences",
        "choix de la manière d'être prévenu (courriel immédiat, récapitulatif quotidien, plateforme seulement)",
        "durée du compte ; supprimées avec lui",
    ),
    "conversations.Message.body": PersonalField(
        "contenu d'échange",
        "messagerie d'un dossier entre le service instructeur ou la modération et son porteur (notes internes : service seul)",
        "comme le dossier (candidature ou fiche)",
    ),
    "conversations.MessageAttachment.original_name": PersonalField(
        "contenu d'échange",
        "nom d'une pièce jointe à un message, rendu au téléchargement",
        "comme le dossier (candidature ou fiche)",
    ),
    "outbox.OutgoingEmail.recipients": PersonalField(
        "coordonnées",
        "envoi des courriels de la plateforme, preuve de leur envoi ou de leur échec",
        OUTBOX_RETENTION,
    ),
    "outbox.OutgoingEmail.body": PersonalField(
        "contenu de courriel",
        "envoi et renvoi des courriels ; le texte des courriels à lien personnel est effacé dès l'envoi",
        OUTBOX_RETENTION,
    ),
}


@dataclass(frozen=True)
class RegisterRow:
    """A line of the register as "Mes données personnelles" shows it: French names only."""

    label: str  # the field's verbose name ("Inscrit le")
    holder: str  # the model's verbose name ("Utilisateur")
    field: PersonalField


def register_rows() -> list[RegisterRow]:
    """The register with the fields' and models' French names instead of their code names."""
    rows = []
    for key, personal in REGISTER.items():
        app_label, model_name, field_name = key.split(".")
        model = apps.get_model(app_label, model_name)
        label = model._meta.get_field(field_name).verbose_name
        rows.append(RegisterRow(capfirst(label), capfirst(model._meta.verbose_name), personal))
    return sorted(rows, key=lambda row: (row.holder.lower(), row.label.lower()))


# Fields that look personal to the heuristic but are not, with the reason.
NOT_PERSONAL = {
    "territories.Region.name": "nom de territoire",
    "territories.Departement.name": "nom de territoire",
    "territories.Commune.name": "nom de territoire",
    "territories.Commune.search_name": "nom de territoire normalisé",
    "calls.Indicator.name": "nom d'un indicateur d'impact",
    "training.TrainingOrganisation.name": "raison sociale d'un organisme de formation (personne morale)",
    "registry.ContactChannel.kind": "type de canal (e-mail, téléphone…), pas la coordonnée",
    "notifications.Notification.emailed_at": "date d'envoi du courriel, pas une adresse",
    "outbox.OutgoingEmail.from_email": "adresse d'expédition de la plateforme (vide : DEFAULT_FROM_EMAIL)",
    "valorisation.BirthsCount.births": "statistique agrégée par région",
    "valorisation.Allocation.births": "statistique agrégée par région",
    "valorisation.Apportionment.births_table": "référence à une table statistique",
}
