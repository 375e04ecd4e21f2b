"""The professional's section: my entries and their state, what moderation asked of me (with its
reason), the yearly confirmation awaited. Shown to a member of entries, and to a person
without any role (someone who signed up to register an activity)."""

from django.db.models import Count, Q
from django.urls import reverse

from tpj.core.text import french_plural
from tpj.registry.models import Entry, EntryClaim, ReviewState, State

from .. import text
from .base import INFO, LATE, WARNING, Cell, Item, Section, Table

TITLE = "Mes fiches de l'annuaire"
LISTED = 10  # entries in the table; « Toutes mes fiches » shows the others
ACTIONS = 20  # entries awaiting their member's action, each an item


def build(user, now) -> Section | None:
    mine = Entry.objects.of_member(user)
    counts = dict(mine.order_by().values_list("state").annotate(n=Count("pk")))
    total = sum(counts.values())
    claims = list(EntryClaim.objects.pending().filter(claimant=user).select_related("entry").order_by("created_at")[:ACTIONS])
    if not total and not claims and (user.roles or _agent_of_the_state(user)):
        return None
    section = Section("fiches", TITLE, nothing="Aucune de vos fiches n'attend d'action de votre part.")
    section.items.extend(_claim(claim, now) for claim in claims)
    if not total:
        section.items.append(
            Item(
                "Inscrire votre activité dans l'annuaire",
                reverse("registry:create"),
                "Professionnel ou service des 1000 premiers jours : votre fiche sera vérifiée par un modérateur de votre territoire.",
            )
        )
        return section
    awaiting = Q(state=State.CHANGES_REQUESTED) | Q(review_state__in=[ReviewState.REQUESTED, ReviewState.SUSPENSION_PROPOSED])
    for entry in mine.filter(awaiting).order_by("updated_at", "pk")[:ACTIONS]:
        section.items.append(_action(entry, now))
    drafts = counts.get(State.DRAFT, 0)
    if drafts:
        section.items.append(
            Item(
                f"{drafts} brouillon{french_plural(drafts)} à compléter et à soumettre",
                reverse("registry:mine"),
                "Une fiche n'est vérifiée qu'une fois soumise.",
            )
        )
    rows = [
        [
            Cell(entry.name + (" (modification)" if entry.revision_of_id else ""), reverse("registry:entry", args=[entry.pk])),
            Cell(entry.get_state_display(), badge=entry.state_badge),
        ]
        for entry in mine.order_by("-updated_at", "-pk")[:LISTED]
    ]
    section.tables.append(
        Table(
            "Mes fiches, les plus récemment modifiées d'abord",
            ["Fiche", "État"],
            rows,
            more_url=reverse("registry:mine") if total > LISTED else "",
            more_label=f"Voir mes {total} fiches",
        )
    )
    section.links = [("Toutes mes fiches", reverse("registry:mine")), ("Inscrire une autre activité", reverse("registry:create"))]
    return section


def _action(entry: Entry, now) -> Item:
    if entry.state == State.CHANGES_REQUESTED:
        return Item(
            f"Modifications demandées sur « {entry.name} »",
            reverse("registry:edit", args=[entry.pk]),
            f"Motif du modérateur : {entry.decision_reason}" if entry.decision_reason else "",
            "À corriger",
            WARNING,
        )
    asked = f", demandée {text.ago(entry.review_requested_at, now)}" if entry.review_requested_at else ""
    proposed = entry.review_state == ReviewState.SUSPENSION_PROPOSED
    return Item(
        f"Confirmez que « {entry.name} » est toujours exacte",
        reverse("registry:entry", args=[entry.pk]),
        f"Revue annuelle{asked}."
        + (" Sans réponse, sa suspension est proposée au modérateur : confirmez-la ou corrigez-la." if proposed else ""),
        "Suspension proposée" if proposed else "Revue annuelle",
        LATE if proposed else INFO,
    )


def _agent_of_the_state(user) -> bool:
    """An ARS or DREETS agent without a role (an instructor, say) is not asked to register an
    activity in the directory."""
    organisation = user.organisation
    return organisation is not None and organisation.kind in organisation.REGIONAL_AGENCIES


def _claim(claim: EntryClaim, now) -> Item:
    """A claim waits for the moderators, not for the claimant: said, with its age."""
    return Item(
        f"Votre demande de gestion de « {claim.entry.name} » attend un modérateur",
        reverse("registry:claim-entry", args=[claim.entry_id]),
        f"Demandée {text.ago(claim.created_at, now)}. Vous serez informé de la décision.",
        "En attente",
        INFO,
    )
