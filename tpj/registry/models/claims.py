"""Who manages an entry that has nobody: claims and invitations (issue 17 §5).

An entry imported in bulk has no member. A signed-in professional asks to manage it with an
`EntryClaim`, which a moderator of the entry's territory confirms (the claimant becomes a
member) or refuses (claims_workflow.CLAIM_WORKFLOW). The members of an entry invite a person
who has no account yet with a `MemberInvitation`: a personal link, e-mailed, valid
INVITATION_DAYS days, that makes its holder a member once signed in with the invited address.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ..identifiers import compact
from .details import ContactChannel, EntrySituation, ReferenceType
from .entries import PUBLISHED, Entry

INVITATION_DAYS = 14


class ClaimState(models.TextChoices):
    # A claim is created and submitted in one transaction: nobody ever sees it as a draft.
    DRAFT = "draft", "En cours de dépôt"
    PENDING = "pending", "En attente de décision"
    CONFIRMED = "confirmed", "Confirmée"
    REFUSED = "refused", "Refusée"
    WITHDRAWN = "withdrawn", "Retirée par son auteur"


# The states in which a claimant may not ask again for the same entry (one open claim each).
OPEN_CLAIM_STATES = (ClaimState.DRAFT, ClaimState.PENDING)


class MatchedOn(models.TextChoices):
    """Which identifier of the claimant's account the entry shares (the strongest one)."""

    SIRET = "siret", "SIRET"
    FINESS = "finess", "FINESS"
    EMAIL = "email", "Adresse e-mail"
    NONE = "none", "Aucune correspondance d'identifiant"


def claimant_identifiers(user) -> dict[str, set[str]]:
    """The SIRET and FINESS numbers `user` is known to hold: their organisation's SIRET, and the
    SIRET and FINESS references of the published entries they are a member of (a moderator
    verified those). Compacted, as the registry stores them."""
    found = {ReferenceType.SIRET: set(), ReferenceType.FINESS: set()}
    if not user.is_authenticated:
        return found
    if user.organisation_id and user.organisation.siret:
        found[ReferenceType.SIRET].add(compact(user.organisation.siret))
    rows = EntrySituation.objects.filter(
        entry__in=Entry.objects.filter(PUBLISHED, members=user).values("pk"),
        reference_type__in=list(found),
    ).values_list("reference_type", "reference_value")
    for reference_type, value in rows:
        found[reference_type].add(compact(value))
    return found


def identifier_match(user, entry: Entry) -> str:
    """The identifier `user`'s account shares with `entry`: a `MatchedOn` value, SIRET first,
    then FINESS, then the account's e-mail among the entry's e-mail contacts; NONE otherwise."""
    if not user.is_authenticated or entry is None or entry.pk is None:
        return MatchedOn.NONE
    references = set(
        entry.situations.filter(reference_type__in=(ReferenceType.SIRET, ReferenceType.FINESS)).values_list(
            "reference_type", "reference_value"
        )
    )
    if references:
        mine = claimant_identifiers(user)
        for kind in (ReferenceType.SIRET, ReferenceType.FINESS):
            if {compact(value) for reference_type, value in references if reference_type == kind} & mine[kind]:
                return MatchedOn(kind.value)
    if entry.contacts.filter(kind=ContactChannel.Kind.EMAIL, value__iexact=user.email).exists():
        return MatchedOn.EMAIL
    return MatchedOn.NONE


def active_member_exists():
    """An `Exists` to annotate entries with `is_managed` (read by `has_active_member`)."""
    return Exists(Entry.members.through.objects.filter(entry_id=OuterRef("pk"), user__is_active=True))


def has_active_member(entry: Entry) -> bool:
    # The entry page annotates it in its one query for the entry (issue 16: a fixed query count).
    if (known := getattr(entry, "is_managed", None)) is not None:
        return known
    return entry.members.filter(is_active=True).exists()


class EntryClaimQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=ClaimState.PENDING)

    def in_scope_of(self, user):
        """Claims on entries of `user`'s moderation scope (administrators: all)."""
        return self.filter(entry__in=Entry.objects.moderated_by(user).values("pk"))


class EntryClaim(models.Model):
    entry = models.ForeignKey(Entry, verbose_name="fiche", on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandeur", on_delete=models.CASCADE, related_name="registry_claims"
    )
    matched_on = models.CharField("identifiant correspondant", max_length=10, choices=MatchedOn.choices)
    message = models.TextField("message du demandeur", max_length=2000, blank=True)
    state = models.CharField("état", max_length=20, choices=ClaimState.choices, default=ClaimState.DRAFT)
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    reason = models.TextField("motif de la décision", blank=True)

    objects = EntryClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "revendication de fiche"
        verbose_name_plural = "revendications de fiches"
        ordering = ["created_at", "id"]
        constraints = [
            # Two submits at once insert two rows: the second one fails here, never both.
            models.UniqueConstraint(
                fields=["entry", "claimant"],
                condition=Q(state__in=["draft", "pending"]),
                name="registry_one_open_claim",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="registry_claim_state")]

    def __str__(self):
        return f"{self.entry} — {self.claimant}"

    @property
    def has_match(self) -> bool:
        return self.matched_on != MatchedOn.NONE


class MemberInvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        """Not accepted and not expired."""
        return self.filter(accepted_at__isnull=True, expires_at__gt=now or timezone.now())


def invitation_expiry(now=None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=INVITATION_DAYS)


class MemberInvitation(models.Model):
    entry = models.ForeignKey(Entry, verbose_name="fiche", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse invitée")
    # The SHA-256 of the link's secret: the database never holds a usable link.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="invitée par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    expires_at = models.DateTimeField("expire le", default=invitation_expiry)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="acceptée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MemberInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation à gérer une fiche"
        verbose_name_plural = "invitations à gérer une fiche"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Re-inviting an address replaces its invitation: one unused invitation per address.
            models.UniqueConstraint(
                fields=["entry", "email"], condition=Q(accepted_at__isnull=True), name="registry_one_open_invitation"
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="registry_invitation_email", condition=Q(accepted_at__isnull=True)),
        ]

    def __str__(self):
        return f"Invitation de {self.email} sur « {self.entry} »"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
