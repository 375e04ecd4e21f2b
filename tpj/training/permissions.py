"""Who may do what with training offers: the only place deciding access for views and API."""

from tpj.core.policy import Decision, rule

from .models import Offer, TrainingOrganisation
from .models.offers import moderation_scope


def _is_member(user, organisation: TrainingOrganisation | None) -> bool:
    return organisation is not None and organisation.has_member(user)


def _offer_member(user, offer: Offer | None) -> bool:
    return offer is not None and _is_member(user, offer.organisation)


def moderates(user, offer: Offer) -> bool:
    """True when the offer's organisation lies in the user's moderation scope."""
    return moderation_scope(user).covers(
        region=offer.organisation.region_id, departement=offer.organisation.commune.departement_id
    )


def is_moderator(user) -> bool:
    return not moderation_scope(user).is_empty


@rule("training.view_public")
def view_public(user, obj=None) -> Decision:
    return Decision.allow()


@rule("training.view_offer")
def view_offer(user, offer) -> Decision:
    if offer is not None and (offer.is_published or _offer_member(user, offer) or moderates(user, offer)):
        return Decision.allow()
    return Decision.deny("Cette offre de formation n'est pas publiée.")


@rule("training.view_private")
def view_private(user, offer) -> Decision:
    """What the public does not see of an offer: its state, the moderator's reason, its drafts."""
    if offer is not None and (_offer_member(user, offer) or moderates(user, offer)):
        return Decision.allow()
    return Decision.deny("Réservé aux membres de l'organisme de formation et à ses modérateurs.")


@rule("training.my_offers")
def my_offers(user, obj=None) -> Decision:
    if user.is_authenticated:
        return Decision.allow()
    return Decision.deny("Connectez-vous pour publier des offres de formation.")


@rule("training.register_organisation")
def register_organisation(user, obj=None) -> Decision:
    if user.is_authenticated:
        return Decision.allow()
    return Decision.deny("Connectez-vous pour inscrire un organisme de formation.")


@rule("training.create_offer")
def create_offer(user, organisation) -> Decision:
    if organisation is None:
        return my_offers(user)
    if _is_member(user, organisation):
        return Decision.allow()
    return Decision.deny("Seuls les membres de l'organisme de formation peuvent y créer une offre.")


@rule("training.edit")
def edit(user, offer) -> Decision:
    if _offer_member(user, offer):
        return Decision.allow()
    return Decision.deny("Seuls les membres de l'organisme de formation peuvent modifier cette offre.")


@rule("training.submit")
def submit(user, offer) -> Decision:
    if _offer_member(user, offer):
        return Decision.allow()
    return Decision.deny("Seuls les membres de l'organisme de formation peuvent soumettre cette offre.")


@rule("training.withdraw")
def withdraw(user, offer) -> Decision:
    if _offer_member(user, offer):
        return Decision.allow()
    return Decision.deny("Seuls les membres de l'organisme de formation peuvent retirer cette offre.")


@rule("training.moderation_queue")
def moderation_queue(user, obj=None) -> Decision:
    if is_moderator(user):
        return Decision.allow()
    return Decision.deny(
        "Réservé à l'équipe nationale et aux commissaires à la lutte contre la pauvreté, qui modèrent les offres de formation."
    )


@rule("training.moderate")
def moderate(user, offer) -> Decision:
    if offer is None:
        return moderation_queue(user)
    if not moderates(user, offer):
        return Decision.deny("Cette offre ne relève pas de votre périmètre : elle est modérée dans la région de son organisme.")
    if _offer_member(user, offer):
        return Decision.deny("Vous ne pouvez pas modérer une offre de votre propre organisme.")
    return Decision.allow()


@rule("training.plans")
def plans(user, obj=None) -> Decision:
    """Any signed-in person may keep training plans; each plan is its owner's alone
    (TrainingPlan.objects.owned_by: another person's plan is a 404)."""
    if user.is_authenticated:
        return Decision.allow()
    return Decision.deny("Connectez-vous pour préparer le plan de formation de votre équipe.")


@rule("training.reports")
def reports(user, obj=None) -> Decision:
    if user.is_authenticated:
        return Decision.allow()
    return Decision.deny("Connectez-vous pour déclarer les bilans des sessions de votre organisme.")


@rule("training.report_session")
def report_session(user, session) -> Decision:
    """The bilan of a session is declared by a member of the offer's organisation."""
    if session is not None and _offer_member(user, session.offer):
        return Decision.allow()
    return Decision.deny("Seuls les membres de l'organisme de formation peuvent déclarer le bilan de cette session.")


def steering_scope(user):
    """Where `user` steers the training offer (issue 20, journey 6): the whole country for the
    national team and the administrators, its région(s) for a commissaire (as its moderation)."""
    return moderation_scope(user)


def _steers_region(scope, region: str) -> bool:
    from tpj.territories.models import Departement

    return scope.covers_region_wholly(region) or Departement.objects.filter(code__in=scope.departements, region=region).exists()


@rule("training.steer")
def steer(user, region=None) -> Decision:
    """The coverage of the training offer; with a région's code as `region`, the user must steer it."""
    scope = steering_scope(user)
    if scope.is_empty:
        return Decision.deny(
            "Le pilotage de l'offre de formation est réservé à l'équipe nationale, aux administrateurs "
            "et aux commissaires à la prévention et à la lutte contre la pauvreté."
        )
    if region and not _steers_region(scope, region):
        return Decision.deny(
            "Cette région n'est pas dans votre périmètre : vous pilotez l'offre de formation de votre région seulement."
        )
    return Decision.allow()
