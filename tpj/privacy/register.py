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
    "calls.IntentDeclaration.referent_name": PersonalField("identité", "pilotage de l'appel à projets", DECISION),
    "calls.IntentDeclaration.referent_email": PersonalField("coordonnées", "pilotage de l'appel à projets", DECISION),
    "calls.Partner.name": PersonalField("identité", "partenaires d'un projet (personnes morales)", DECISION),
    "outbox.OutgoingEmail.recipients": PersonalField(
        "coordonnées",
        "envoi des courriels de la plateforme, preuve de leur envoi ou de leur échec",
        "durée de conservation des courriels sortants (aucune purge automatique à ce jour)",
    ),
    "outbox.OutgoingEmail.body": PersonalField(
        "contenu de courriel",
        "envoi et renvoi des courriels ; le texte des courriels à lien personnel est effacé dès l'envoi",
        "durée de conservation des courriels sortants (aucune purge automatique à ce jour)",
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
    "registry.ContactChannel.kind": "type de canal (e-mail, téléphone…), pas la coordonnée",
    "outbox.OutgoingEmail.from_email": "adresse d'expédition de la plateforme (vide : DEFAULT_FROM_EMAIL)",
    "valorisation.BirthsCount.births": "statistique agrégée par région",
    "valorisation.Allocation.births": "statistique agrégée par région",
    "valorisation.Apportionment.births_table": "référence à une table statistique",
}
