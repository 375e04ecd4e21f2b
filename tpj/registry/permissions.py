"""Who may do what in the registry: the only place deciding access for views and API."""

from tpj.accounts.models import Role
from tpj.accounts.scopes import Scope
from tpj.core.policy import Decision, rule

from .models import Entry, EntryClaim, EntrySituation, MatchedOn, MemberInvitation, has_active_member, identifier_match


def _is_member(user, entry: Entry) -> bool:
    if not user.is_authenticated or entry is None or entry.pk is None:
        return False
    family = [entry.pk] + ([entry.revision_of_id] if entry.revision_of_id else [])
    return Entry.members.through.objects.filter(entry_id__in=family, user_id=user.pk).exists()


def moderates(user, entry: Entry) -> bool:
    """True when `entry` lies in the user's moderation scope (administrators: everywhere)."""
    if not user.is_authenticated:
        return False
    if user.is_administrator:
        return True
    scope = user.scope(Role.MODERATOR)
    return not scope.is_empty and scope.covers(region=entry.region_id, departement=entry.departement_id)


def is_moderator(user) -> bool:
    return user.is_authenticated and (user.is_administrator or user.has_role(Role.MODERATOR))


@rule("registry.view_entry")
def view_entry(user, entry) -> Decision:
    if entry is not None and entry.is_published:
        return Decision.allow()
    if _is_member(user, entry) or (entry is not None and moderates(user, entry)):
        return Decision.allow()
    if user.is_authenticated and user.is_national_team:
        return Decision.allow()
    return Decision.deny("Cette fiche n'est pas publiée.")


@rule("registry.create")
def create(user, obj=None) -> Decision:
    return Decision.allow() if user.is_authenticated else Decision.deny("Connectez-vous pour inscrire une activité.")


@rule("registry.edit")
def edit(user, entry) -> Decision:
    return Decision.allow() if _is_member(user, entry) else Decision.deny("Seuls les membres de la fiche peuvent la modifier.")


@rule("registry.submit")
def submit(user, entry) -> Decision:
    return Decision.allow() if _is_member(user, entry) else Decision.deny("Seuls les membres de la fiche peuvent la soumettre.")


@rule("registry.manage_members")
def manage_members(user, entry) -> Decision:
    return Decision.allow() if _is_member(user, entry) else Decision.deny("Seuls les membres de la fiche gèrent ses membres.")


@rule("registry.moderate")
def moderate(user, entry) -> Decision:
    if entry is None:
        return Decision.allow() if is_moderator(user) else Decision.deny("Réservé aux modérateurs territoriaux.")
    if not moderates(user, entry):
        return Decision.deny("Cette fiche n'est pas dans votre périmètre de modération.")
    if _is_member(user, entry):
        return Decision.deny("Vous ne pouvez pas modérer une fiche dont vous êtes membre.")
    return Decision.allow()


@rule("registry.confirm_accuracy")
def confirm_accuracy(user, entry) -> Decision:
    """The yearly « votre fiche est-elle toujours exacte ? »: answered by a member of the entry."""
    if _is_member(user, entry):
        return Decision.allow()
    return Decision.deny("Seuls les membres de la fiche peuvent confirmer son exactitude.")


@rule("registry.review_by_system")
def review_by_system(user, entry) -> Decision:
    """The yearly review's automatic steps (ask the members, propose a suspension): the
    scheduled jobs act with no user (None); no person, signed in or not, may fire them."""
    if user is None:
        return Decision.allow()
    return Decision.deny("Cette étape de la revue annuelle est faite automatiquement.")


@rule("registry.moderation_queue")
def moderation_queue(user, obj=None) -> Decision:
    return Decision.allow() if is_moderator(user) else Decision.deny("Réservé aux modérateurs territoriaux.")


@rule("registry.view_private")
def view_private(user, entry) -> Decision:
    """What the public does not see of an entry: its state and the moderator's reason, its
    unpublished contacts, its eligibility and evidence files."""
    if entry is not None and (_is_member(user, entry) or moderates(user, entry)):
        return Decision.allow()
    return Decision.deny("Réservé aux membres de la fiche et à ses modérateurs.")


@rule("registry.view_evidence")
def view_evidence(user, situation: EntrySituation) -> Decision:
    if view_private(user, situation.entry if situation is not None else None):
        return Decision.allow()
    return Decision.deny("Ce justificatif n'est visible que des membres de la fiche et de ses modérateurs.")


@rule("registry.download_logo")
def download_logo(user, entry) -> Decision:
    if not _is_member(user, entry):
        return Decision.deny("Seuls les membres de la fiche peuvent télécharger le logo.")
    if not entry.is_published:
        return Decision.deny("Le logo n'est utilisable que tant que la fiche est vérifiée.")
    return Decision.allow()


@rule("registry.import")
def import_entries(user, obj=None) -> Decision:
    return Decision.allow() if is_moderator(user) else Decision.deny("L'import est réservé aux administrateurs et modérateurs.")


# Import jobs: who sees one is `ImportJob.objects.visible_to` (its author, administrators);
# workers advance them, under the author's territory (`import_territory`).


def import_territory(author) -> Scope | None:
    """Where an import by `author` may create entries: None for anywhere (administrators,
    moderators of national scope, and the command line, which has no author), else the
    author's moderation scope — empty, nowhere. `importer.run` refuses every row outside
    it, whoever advances the job."""
    if author is None or author.is_administrator:
        return None
    scope = author.scope(Role.MODERATOR)
    return None if scope.national else scope


@rule("registry.find_partners")
def find_partners(user, obj=None) -> Decision:
    return Decision.allow() if user.is_authenticated else Decision.deny("Connectez-vous pour trouver des partenaires.")


@rule("registry.view_public")
def view_public(user, obj=None) -> Decision:
    return Decision.allow()


# -- Claims and invitations (issue 17 §5; models/claims.py, claims_workflow.py) -----------


@rule("registry.claim")
def claim(user, entry) -> Decision:
    """Asking to manage `entry`: a signed-in person who sees it and is not a member yet, when
    it has no active member or when their account shares an identifier with it."""
    if not user.is_authenticated:
        return Decision.deny("Connectez-vous pour revendiquer cette fiche.")
    if entry is None or not entry.is_published:
        return Decision.deny("Seule une fiche publiée peut être revendiquée.")
    if _is_member(user, entry):
        return Decision.deny("Vous êtes déjà membre de cette fiche.")
    if not has_active_member(entry) or identifier_match(user, entry) != MatchedOn.NONE:
        return Decision.allow()
    return Decision.deny(
        "Cette fiche est déjà gérée par ses membres, et ni le SIRET de votre organisation, ni le SIRET ou le FINESS "
        "de vos fiches vérifiées, ni votre adresse e-mail ne lui correspondent. Demandez à l'un de ses membres "
        "de vous ajouter."
    )


@rule("registry.submit_claim")
def submit_claim(user, entry_claim: EntryClaim) -> Decision:
    if entry_claim is None or not user.is_authenticated or entry_claim.claimant_id != user.pk:
        return Decision.deny("Seule la personne qui revendique la fiche peut envoyer sa demande.")
    return claim(user, entry_claim.entry)


@rule("registry.view_claim")
def view_claim(user, entry_claim: EntryClaim) -> Decision:
    """A claim is seen by its claimant and by the moderators of the entry's territory."""
    if (
        entry_claim is not None
        and user.is_authenticated
        and (entry_claim.claimant_id == user.pk or moderates(user, entry_claim.entry))
    ):
        return Decision.allow()
    return Decision.deny("Cette revendication ne concerne pas votre périmètre.")


@rule("registry.decide_claim")
def decide_claim(user, entry_claim: EntryClaim) -> Decision:
    if entry_claim is None or not moderates(user, entry_claim.entry):
        return Decision.deny("Cette fiche n'est pas dans votre périmètre de modération.")
    if entry_claim.claimant_id == user.pk or _is_member(user, entry_claim.entry):
        return Decision.deny("Vous ne pouvez pas décider d'une revendication qui vous concerne.")
    return Decision.allow()


@rule("registry.withdraw_claim")
def withdraw_claim(user, entry_claim: EntryClaim) -> Decision:
    """Only its author withdraws a claim; the workflow refuses it once decided."""
    if entry_claim is None or not user.is_authenticated or entry_claim.claimant_id != user.pk:
        return Decision.deny("Seule la personne qui a revendiqué la fiche peut retirer sa demande.")
    return Decision.allow()


@rule("registry.claims_queue")
def claims_queue(user, obj=None) -> Decision:
    return Decision.allow() if is_moderator(user) else Decision.deny("Réservé aux modérateurs territoriaux.")


@rule("registry.accept_invitation")
def accept_invitation(user, invitation: MemberInvitation) -> Decision:
    """An invitation is for the account of the address it was sent to, and no other."""
    if not user.is_authenticated:
        return Decision.deny("Connectez-vous avec l'adresse à laquelle vous avez reçu l'invitation.")
    if invitation is None or invitation.email.lower() != user.email.lower():
        return Decision.deny(
            "Cette invitation a été envoyée à une autre adresse que celle de votre compte : "
            "connectez-vous avec l'adresse à laquelle vous l'avez reçue."
        )
    return Decision.allow()
