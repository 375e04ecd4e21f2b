"""Annuaire & carte des 1000 premiers jours en action (docs/domain.md).

An `Entry` is a professional or a service. Its columns always hold the version the
public may see once it is verified. A substantive edit of a verified entry (eligibility,
category, address, priorities) is made on a *revision*: a copy of the entry
(`revision_of` set) that goes through moderation on its own while the original stays
published; verifying the revision copies its content onto the original.
"""

import functools
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from tpj.accounts.models import Role
from tpj.core.expressions import SQLConstant
from tpj.core.text import normalize

from .. import grid


class State(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "En attente de vérification"
    CHANGES_REQUESTED = "changes_requested", "Modifications demandées"
    VERIFIED = "verified", "Vérifiée"
    REJECTED = "rejected", "Refusée"
    SUSPENDED = "suspended", "Suspendue"


class ReviewState(models.TextChoices):
    """Where a published entry stands in its yearly accuracy review (workflow.REVIEW_WORKFLOW)."""

    CURRENT = "current", "À jour"
    REQUESTED = "confirmation_requested", "Confirmation d'exactitude demandée"
    SUSPENSION_PROPOSED = "suspension_proposed", "Suspension proposée faute de confirmation"
    LAPSED = "lapsed", "Suspendue faute de confirmation"


class GeocodingPrecision(models.TextChoices):
    HOUSENUMBER = "housenumber", "au numéro"
    STREET = "street", "à la rue"
    LOCALITY = "locality", "au lieu-dit"
    MUNICIPALITY = "municipality", "au centre de la commune"


# The condition of the indexes that serve the public pages, API and map: entries under
# review, refused or suspended are not in them, so imports and registrations (which create
# submitted entries) do not pay for their upkeep.
# The DSFR badge of each state, wherever an entry's state is shown.
STATE_BADGES = {
    State.VERIFIED: "success",
    State.REJECTED: "error",
    State.SUSPENDED: "error",
    State.SUBMITTED: "info",
    State.CHANGES_REQUESTED: "warning",
}

PUBLISHED = Q(state=State.VERIFIED, revision_of__isnull=True)
# Past the draft stage but not public (submitted, changes requested, rejected, suspended):
# what moderators compare a new entry with, besides the published ones.
UNPUBLISHED = ~Q(state=State.DRAFT) & ~Q(state=State.VERIFIED)


class EntryQuerySet(models.QuerySet):
    def published(self):
        """What anyone may see: verified entries (never revisions under review).

        The condition is written as `PUBLISHED` states it, so that SQLite uses the partial
        indexes on published entries (see `SQLConstant`)."""
        return self.filter(state=SQLConstant(State.VERIFIED), revision_of__isnull=True)

    def unpublished(self):
        """Entries past the draft stage that the public does not see, as `UNPUBLISHED` states it."""
        return self.exclude(state=SQLConstant(State.DRAFT)).exclude(state=SQLConstant(State.VERIFIED))

    def review_pending(self):
        """Entries whose yearly review awaits a step (an answer, a decision on a proposed
        suspension), as the partial index `registry_review_pending` states it: so that SQLite
        uses it (see `SQLConstant`) instead of reading every entry of a région."""
        return self.exclude(review_state=SQLConstant(ReviewState.CURRENT))

    def of_member(self, user):
        """Entries `user` is a member of."""
        return self.filter(members=user) if user.is_authenticated else self.none()

    def visible_to(self, user):
        """The entries `user` may see, as the rule "registry.view_entry" decides for one:
        published entries; an entry or revision whose family the user is a member of;
        entries in the user's moderation scope; all of them for the national team and
        administrators."""
        if user.is_authenticated and (user.is_administrator or user.is_national_team):
            return self
        entries = Entry.objects
        visible = Q(pk__in=entries.published().values("pk"))
        if user.is_authenticated:
            mine = entries.of_member(user).values("pk")
            visible |= Q(pk__in=mine) | Q(revision_of__in=mine) | Q(pk__in=entries.moderated_by(user).values("pk"))
        return self.filter(visible)

    def moderated_by(self, user):
        """Entries in `user`'s moderation scope (administrators: all), as `permissions.moderates` decides for one."""
        if not user.is_authenticated:
            return self.none()
        if user.is_administrator:
            return self
        return user.scope(Role.MODERATOR).filter(self, region_field="region", departement_field="departement")


def _territory_key(to: str, verbose_name: str):
    """A territory of an entry: optional, never indexed alone, checked by the composite key."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class Entry(models.Model):
    # No single-column index on these foreign keys: the composite indexes below start with
    # them or with the state, and every index slows the imports down.
    kind = models.ForeignKey(
        "nomenclatures.EntryKind", verbose_name="type", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "nomenclatures.Category", verbose_name="catégorie", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    name = models.CharField("nom", max_length=200)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    # The commune and, denormalised from it for fast filters and scoping, its département
    # and région. On PostgreSQL one composite foreign key (migration 0010) checks the three
    # together: a real commune with its own territories, or none of them. It replaces three
    # single ones, so an import checks one reference instead of three. (SQLite keeps its
    # three single foreign keys: adding a constraint there means rebuilding the table.)
    commune = _territory_key("territories.Commune", "commune")
    departement = _territory_key("territories.Departement", "département")
    region = _territory_key("territories.Region", "région")
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    geocoding_precision = models.CharField(
        "précision de la localisation", max_length=20, choices=GeocodingPrecision.choices, blank=True
    )
    # Precomputed grid cells (see grid.py) for server-side map clustering without GIS.
    cell_coarse = models.IntegerField(null=True, blank=True, editable=False)
    cell_fine = models.IntegerField(null=True, blank=True, editable=False)
    # Bit n set when priority number n is declared: a cheap filter on a single column.
    priority_mask = models.IntegerField(default=0, editable=False)
    website = models.URLField("site internet", blank=True, max_length=300)
    state = models.CharField("état", max_length=20, choices=State.choices, default=State.DRAFT)
    decision_reason = models.TextField("motif de la dernière décision", blank=True)
    search_text = models.TextField(editable=False, blank=True)
    # Stable public identifier for the verification page and its QR code.
    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    # Sent by the registration form (hidden) or an API client: the same creation sent twice
    # (double click, a retry after a timeout) returns the entry already created.
    client_token = models.UUIDField("jeton de création", null=True, blank=True, editable=False)
    # Indexed only where set (registry_revision_of): almost every entry has none.
    revision_of = models.ForeignKey(
        "self",
        verbose_name="révision de",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revisions",
        db_index=False,
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="membres", blank=True, related_name="registry_entries"
    )
    import_source = models.CharField("source d'import", max_length=100, blank=True)
    external_id = models.CharField("identifiant externe", max_length=100, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True)
    verified_at = models.DateTimeField("vérifiée le", null=True, blank=True)
    # The yearly review (« votre fiche est-elle toujours exacte ? »): asked of the members a
    # year after the last confirmation (or the verification); no answer within
    # REGISTRY_REVIEW_ANSWER_DAYS proposes the suspension, which a moderator confirms or not.
    review_state = models.CharField(
        "revue annuelle", max_length=24, choices=ReviewState.choices, default=ReviewState.CURRENT, editable=False
    )
    review_requested_at = models.DateTimeField("confirmation demandée le", null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField("exactitude confirmée le", null=True, blank=True, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche de l'annuaire"
        verbose_name_plural = "fiches de l'annuaire"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["import_source", "external_id"], condition=~Q(external_id=""), name="registry_entry_unique_external_id"
            ),
            models.UniqueConstraint(
                fields=["client_token"], condition=Q(client_token__isnull=False), name="registry_entry_unique_client_token"
            ),
        ]
        indexes = [
            # Moderation queues (oldest first, within a scope) and backlog counts: every state.
            models.Index(fields=["state", "submitted_at", "region", "departement"], name="registry_state_queue"),
            # Public pages, API and map: published entries only. Their condition fixes the
            # state, so a range column leads (PostgreSQL drops the implied state from the
            # scan's bounds: a leading state left it reading the index from its start);
            # state and revision_of stay in the columns so that SQLite reads them alone.
            models.Index(
                fields=["latitude", "longitude", "state", "revision_of", "priority_mask", "category", "kind"],
                name="registry_published_geo",
                condition=PUBLISHED,
            ),
            models.Index(fields=["category", "departement", "state"], name="registry_published_category", condition=PUBLISHED),
            models.Index(fields=["state", "name"], name="registry_state_name", condition=PUBLISHED),
            models.Index(fields=["departement", "state", "name"], name="registry_dept_state_name", condition=PUBLISHED),
            models.Index(fields=["commune", "state"], name="registry_commune_state", condition=PUBLISHED),
            models.Index(fields=["revision_of"], name="registry_revision_of", condition=Q(revision_of__isnull=False)),
            # Duplicate warnings: the other entries within 200 m that are not published.
            models.Index(fields=["latitude", "longitude"], name="registry_unpublished_geo", condition=UNPUBLISHED),
            # The yearly review's pending steps (answers awaited, suspensions proposed): few rows.
            models.Index(
                fields=["review_state", "review_requested_at"],
                name="registry_review_pending",
                condition=~Q(review_state="current"),
            ),
        ]

    def __str__(self):
        return self.name

    # -- derived columns ---------------------------------------------------------------
    def refresh_derived(self, priority_numbers=None):
        """Recompute the denormalised columns (territory, grid cells, search text, mask)."""
        if self.commune_id:
            commune = self.commune
            self.departement_id, self.region_id = commune.departement_id, commune.region_id
        else:
            self.departement_id = self.region_id = None
        if self.latitude is not None and self.longitude is not None:
            self.cell_coarse = grid.cell(self.latitude, self.longitude, grid.COARSE)
            self.cell_fine = grid.cell(self.latitude, self.longitude, grid.FINE)
        else:
            self.cell_coarse = self.cell_fine = None
        if priority_numbers is None and self.pk:
            priority_numbers = list(self.priorities.values_list("priority__number", flat=True))
        self.priority_mask = priority_mask(priority_numbers or [])
        self.search_text = build_search_text(self.name, self.commune.name if self.commune_id else "", self.category.label) + (
            " " + filter_tokens(self.region_id, self.departement_id, self.category_id, self.kind_id, priority_numbers or [])
        )

    # -- convenience -------------------------------------------------------------------
    @property
    def state_badge(self) -> str:
        """The DSFR badge kind of the state ("success", "error"…; "" for a plain badge)."""
        return STATE_BADGES.get(self.state, "")

    @property
    def logo_status(self) -> str:
        """What the public verification page says of the logo: "verified", "suspended",
        "rejected" or "unverified" (drafts, pending submissions, requested changes)."""
        return self.state if self.state in (State.VERIFIED, State.SUSPENDED, State.REJECTED) else "unverified"

    @property
    def is_published(self) -> bool:
        return self.state == State.VERIFIED and self.revision_of_id is None

    @property
    def is_suspended(self) -> bool:
        return self.state == State.SUSPENDED

    @property
    def public_entry(self):
        """The published entry this one concerns (itself, or the original of a revision)."""
        return self.revision_of if self.revision_of_id else self

    @property
    def pending_revision(self):
        return self.revisions.exclude(state=State.VERIFIED).order_by("-id").first()

    @property
    def location_label(self) -> str:
        parts = [self.address, f"{self.postal_code} {self.commune.name if self.commune_id else ''}".strip()]
        return ", ".join(p for p in parts if p)

    def public_contacts(self):
        return [c for c in self.contacts.all() if c.is_public]


def filter_tokens(region_id, departement_id, category_id, kind_id, priority_numbers) -> str:
    """Words appended to the search text so that the full-text index answers text + filters
    in one lookup: `0r<région> 0d<département> 0c<category> 0k<kind> 0p<priority>…`.

    They start with a digit so that no French word typed in a search collides with them;
    `search_text_sql` (migration 0005) spells the same format in SQL.
    """
    tokens = [
        f"0r{region_id}" if region_id else "",
        f"0d{departement_id.lower()}" if departement_id else "",
        f"0c{category_id}" if category_id else "",
        f"0k{kind_id}" if kind_id else "",
    ]
    tokens += [f"0p{int(number)}" for number in sorted(set(priority_numbers))]
    return " ".join(t for t in tokens if t)


def priority_mask(numbers) -> int:
    mask = 0
    for number in numbers:
        mask |= 1 << int(number)
    return mask


_normalize_part = functools.lru_cache(maxsize=50_000)(normalize)


def build_search_text(*parts) -> str:
    """Normalised text searched by the directory (parts such as commune and category
    names repeat a lot: they are normalised once)."""
    return " ".join(filter(None, (_normalize_part(p) if len(p) < 80 else normalize(p) for p in parts if p)))
