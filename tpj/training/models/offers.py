"""Training offers, their audiences, funding routes and sessions (DOMAIN.md §7)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from tpj.accounts.models import Role
from tpj.accounts.scopes import NO_SCOPE, Scope
from tpj.core.text import normalize
from tpj.core.validators import plausible_date

from .organisations import TrainingOrganisation


class OfferState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "En attente de modération"
    PUBLISHED = "published", "Publiée"
    CHANGES_REQUESTED = "changes_requested", "Modifications demandées"
    REJECTED = "rejected", "Refusée"


class Audience(models.TextChoices):
    """The early-childhood workforce the training plan serves (seed 000)."""

    EAJE = "eaje", "Professionnel·le d'EAJE"
    CHILDMINDER = "assistant_maternel", "Assistant·e maternel·le"
    HOME_CARE = "garde_domicile", "Garde d'enfants à domicile"
    RELAY = "animateur_rpe", "Animateur·rice de relais petite enfance"
    OTHER = "autre", "Autre"


class Format(models.TextChoices):
    IN_PERSON = "presentiel", "Présentiel"
    REMOTE = "distanciel", "Distanciel"
    BLENDED = "mixte", "Mixte"


class FundingRoute(models.TextChoices):
    """How a professional's training may be paid for (seed 000: the plan's strands, and the usual routes)."""

    NATIONAL = "volet_national", "Volet national du plan de formation"
    TERRITORIAL = "volet_territorial", "Volet territorial (commissaire à la lutte contre la pauvreté)"
    OPCO = "opco", "OPCO"
    EMPLOYER = "employeur", "Employeur"
    OTHER = "autre", "Autre"


# A registration link opens a web page: http(s) only (no javascript:, data:, ftp:…).
validate_registration_url = URLValidator(
    schemes=["http", "https"],
    message="Le lien d'inscription doit être une adresse web complète commençant par http:// ou https://.",
)

# Bounds of the long texts (a page of text each; the programme may be long).
TEXT_MAX = 5000
PROGRAMME_MAX = 20000


def moderation_scope(user) -> Scope:
    """Where `user` moderates offers: everywhere for the national team and the administrators,
    their région(s) for a commissaire à la lutte contre la pauvreté, nowhere otherwise."""
    if not user.is_authenticated:
        return NO_SCOPE
    if user.is_administrator or user.is_national_team:
        return Scope(national=True)
    return user.scope(Role.COMMISSAIRE)


class OfferQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=OfferState.PUBLISHED)

    def of_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__members=user)

    def for_siret(self, siret):
        """The offers of the organisation whose SIRET is `siret`: a compact SIRET, or a
        queryset of them (a subquery: one statement). The unique constraint on the SIRET
        (`training_unique_organisation_siret`) is its index: the organisations are found
        first, then their offers by the (state, organisation) index, never by a scan of the
        published offers."""
        lookup = {"siret": siret} if isinstance(siret, str) else {"siret__in": siret}
        return self.filter(organisation__in=TrainingOrganisation.objects.filter(**lookup).values("pk"))

    def with_next_session(self):
        """Each offer annotated with its next session (starting today or later):
        `next_session_start` (None: no session to come) and `next_session_commune` (the
        commune's name; None when remote), read by subqueries in the same statement."""
        upcoming = Session.objects.filter(offer=OuterRef("pk"), start_date__gte=timezone.localdate()).order_by("start_date", "id")
        return self.annotate(
            next_session_start=Subquery(upcoming.values("start_date")[:1]),
            next_session_commune=Subquery(upcoming.values("commune__name")[:1]),
        )

    def moderated_by(self, user):
        scope = moderation_scope(user)
        if scope.is_empty:
            return self.none()
        # Offers belong to an organisation, placed by its head office's région.
        return scope.filter(self, region_field="organisation__region", departement_field="organisation__commune__departement")

    def visible_to(self, user):
        """Published offers; for a member, its organisations' offers; for a moderator, its scope's."""
        if not user.is_authenticated:
            return self.published()
        visible = Q(state=OfferState.PUBLISHED) | Q(pk__in=self.of_member(user).values("pk"))
        if not moderation_scope(user).is_empty:
            visible |= Q(pk__in=self.moderated_by(user).values("pk"))
        return self.filter(visible)


class Offer(models.Model):
    organisation = models.ForeignKey(
        TrainingOrganisation, verbose_name="organisme de formation", on_delete=models.PROTECT, related_name="offers"
    )
    title = models.CharField("intitulé", max_length=200)
    themes = models.ManyToManyField("nomenclatures.TrainingTheme", verbose_name="thèmes", blank=True, related_name="+")
    objectives = models.TextField("objectifs", blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    programme = models.TextField("programme", blank=True, validators=[MaxLengthValidator(PROGRAMME_MAX)])
    duration_hours = models.DecimalField(
        "durée (heures)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.5, message="La durée doit être d'au moins une demi-heure.")],
    )
    format = models.CharField("modalité", max_length=12, choices=Format.choices, blank=True)
    price_cents = models.PositiveIntegerField("prix (centimes)", null=True, blank=True)
    funding_details = models.CharField("précisions sur le financement", max_length=500, blank=True)
    prerequisites = models.TextField("prérequis", blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    accessibility = models.TextField(
        "accessibilité aux personnes en situation de handicap", blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    registration_url = models.CharField("lien d'inscription", max_length=500, blank=True, validators=[validate_registration_url])
    contact_email = models.EmailField("courriel de contact", blank=True)
    state = models.CharField("état", max_length=20, choices=OfferState.choices, default=OfferState.DRAFT)
    decision_reason = models.TextField("motif de la décision", blank=True)
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    # Title, objectives, programme and organisation, normalised (tpj.core.text.normalize):
    # the free-text search is accent-, case- and punctuation-insensitive.
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = "offre de formation"
        verbose_name_plural = "offres de formation"
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["state", "organisation"], name="training_offer_state_org"),
            # The published offers in the catalogue's order (the API's list), read from the index.
            models.Index(fields=["state", "title", "id"], name="training_offer_state_title"),
        ]
        constraints = [
            models.CheckConstraint(name="training_offer_price_not_negative", condition=Q(price_cents__gte=0)),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = normalize(
            " ".join((self.title, self.objectives, self.programme, self.organisation.name if self.organisation_id else ""))
        )
        super().save(*args, **kwargs)
        self.sync_sessions()

    def session_copies(self) -> dict:
        """What each of the offer's sessions copies from it (Session.published and the bit sets
        of its themes, audiences and funding routes), read from the database."""
        return {
            "published": self.state == OfferState.PUBLISHED,
            "theme_bits": bits(self.themes.values_list("number", flat=True), offset=1),
            "audience_bits": bits(Audience.values.index(a) for a in self.audiences.values_list("audience", flat=True)),
            "funding_bits": bits(FundingRoute.values.index(r) for r in self.funding_routes.values_list("route", flat=True)),
        }

    def sync_sessions(self) -> int:
        """Copy the offer's publication, themes, audiences and funding routes onto its sessions
        (what the search and the coverage filter on). Called by every save of the offer, so by
        each workflow transition (publish, withdraw, …), and by `save_offer` once the choices
        are written: the one place these copies are written for existing sessions (a new
        session takes them in `Session.save`). Returns the number of sessions updated."""
        if self.pk is None:
            return 0
        from ..services.coverage_snapshots import changed  # the steering's snapshots depend on the offers

        changed()
        return Session.objects.filter(offer=self).update(**self.session_copies())

    @property
    def is_published(self) -> bool:
        return self.state == OfferState.PUBLISHED

    @property
    def price_euros(self):
        return None if self.price_cents is None else self.price_cents / 100

    @property
    def audience_values(self) -> list[str]:
        """The offer's audiences, in the order of their choices."""
        return sorted((a.audience for a in self.audiences.all()), key=Audience.values.index)

    @property
    def funding_values(self) -> list[str]:
        return sorted((f.route for f in self.funding_routes.all()), key=FundingRoute.values.index)

    def audience_labels(self) -> list[str]:
        return [Audience(value).label for value in self.audience_values]

    def funding_labels(self) -> list[str]:
        return [FundingRoute(value).label for value in self.funding_values]


class OfferAudience(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="audiences")
    audience = models.CharField("public", max_length=20, choices=Audience.choices)

    class Meta:
        verbose_name = "public d'une offre"
        verbose_name_plural = "publics des offres"
        constraints = [models.UniqueConstraint(fields=["offer", "audience"], name="training_unique_offer_audience")]


class OfferFundingRoute(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="funding_routes")
    route = models.CharField("voie de financement", max_length=20, choices=FundingRoute.choices)

    class Meta:
        verbose_name = "voie de financement d'une offre"
        verbose_name_plural = "voies de financement des offres"
        constraints = [models.UniqueConstraint(fields=["offer", "route"], name="training_unique_offer_route")]


def bits(indexes, offset: int = 0) -> int:
    """The integer whose bits `index - offset` are set: a set of small numbers in one column."""
    value = 0
    for index in indexes:
        value |= 1 << (index - offset)
    return value


DENORMALISED = (
    "published",
    "theme_bits",
    "audience_bits",
    "funding_bits",
    "length_days",
    "latitude",
    "longitude",
    "departement",
    "region",
)


# The search's order, then what its filters check in the index without reading the row.
LISTED = ("start_date", "id")
CHECKED = ("end_date", "theme_bits", "audience_bits", "funding_bits", "offer")


class Session(models.Model):
    offer = models.ForeignKey(Offer, verbose_name="offre", on_delete=models.CASCADE, related_name="sessions")
    start_date = models.DateField("début", validators=[plausible_date])
    end_date = models.DateField("fin", validators=[plausible_date])
    # A session takes place in a commune, or remotely (no commune).
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_remote = models.BooleanField("à distance", default=False)
    capacity = models.PositiveIntegerField(
        "nombre de places", validators=[MinValueValidator(1, message="Une session compte au moins une place.")]
    )
    seats_left = models.PositiveIntegerField("places restantes")
    # Copies for the search and the coverage (tpj/training/search.py, services/coverage.py), so that
    # they read one table through the indexes below, without joining the offer or the commune:
    # the offer's publication and its themes (bit `number - 1`), audiences and funding routes
    # (bit = index of the choice) as bit sets (kept by Offer.sync_sessions and `save`); the
    # session's length (what bounds « not over by D » to « started at most that long before D »);
    # the commune's position and territory (None when remote).
    published = models.BooleanField("offre publiée", default=False, editable=False)
    theme_bits = models.PositiveIntegerField("thèmes de l'offre", default=0, editable=False)
    audience_bits = models.PositiveIntegerField("publics de l'offre", default=0, editable=False)
    funding_bits = models.PositiveIntegerField("financements de l'offre", default=0, editable=False)
    length_days = models.PositiveIntegerField("durée en jours", default=0, editable=False)
    latitude = models.FloatField("latitude", null=True, editable=False)
    longitude = models.FloatField("longitude", null=True, editable=False)
    departement = models.ForeignKey(
        "territories.Departement", null=True, editable=False, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    region = models.ForeignKey(
        "territories.Region", null=True, editable=False, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "session"
        ordering = ["start_date", "id"]
        indexes = [
            # The search's default order, and its territorial filters in that order, over the
            # sessions of published offers only (partial indexes: an equality on a boolean
            # would not keep SQLite's order); then what the filters check in the index.
            models.Index(fields=[*LISTED, *CHECKED], condition=Q(published=True), name="training_session_listing"),
            # `published` last: SQLite then reads the map's grouping by département from the index
            # alone (it needs every column the statement names, even one the condition implies).
            models.Index(
                fields=["departement", *LISTED, *CHECKED, "published"],
                condition=Q(published=True),
                name="training_session_departement",
            ),
            models.Index(fields=["region", *LISTED, *CHECKED], condition=Q(published=True), name="training_session_region"),
            # « within N km »: a latitude band, then the longitude and the rest checked in the index.
            models.Index(
                fields=["latitude", "longitude", *CHECKED, "start_date"],
                condition=Q(published=True),
                name="training_session_position",
            ),
            # « … or remote » (`a_distance`): the remote sessions apart, so that PostgreSQL reads those
            # near the commune (position index) plus these, rather than every session of the dates.
            models.Index(fields=[*LISTED, *CHECKED], condition=Q(published=True, is_remote=True), name="training_session_remote"),
            # The longest session (the bound of « not over by D »).
            models.Index(fields=["length_days"], condition=Q(published=True), name="training_session_length"),
        ]
        constraints = [
            models.CheckConstraint(name="training_session_dates_ordered", condition=Q(end_date__gte=models.F("start_date"))),
            models.CheckConstraint(name="training_session_capacity_positive", condition=Q(capacity__gte=1)),
            models.CheckConstraint(
                name="training_session_seats_within_capacity", condition=Q(seats_left__lte=models.F("capacity"))
            ),
            models.CheckConstraint(
                name="training_session_place_or_remote",
                condition=Q(is_remote=True, commune__isnull=True) | Q(is_remote=False, commune__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.offer} — {self.start_date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        from ..services.coverage_snapshots import changed  # the steering's snapshots depend on the sessions

        self.denormalise()
        changed()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *DENORMALISED}
        super().save(*args, **kwargs)

    def denormalise(self, copies: dict | None = None, commune=None) -> None:
        """Set the copies of the offer (`copies`: Offer.session_copies(), given by bulk loaders
        that hold them, else read from the database, not from a possibly stale `self.offer`), of
        the session's length and of the commune's position and territory."""
        if copies is None:
            offer = Offer.objects.filter(pk=self.offer_id).first()
            copies = offer.session_copies() if offer else {}
        for name, value in copies.items():
            setattr(self, name, value)
        if self.start_date and self.end_date:
            self.length_days = max(0, (self.end_date - self.start_date).days)
        commune = commune or (self.commune if self.commune_id else None)
        if commune is None:
            self.latitude = self.longitude = self.departement_id = self.region_id = None
        else:
            self.latitude, self.longitude = commune.latitude, commune.longitude
            self.departement_id, self.region_id = commune.departement_id, commune.region_id

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "La session ne peut pas finir avant de commencer."
        if self._state.adding and self.start_date and self.start_date < timezone.localdate():
            errors["start_date"] = "Une nouvelle session ne peut pas commencer dans le passé."
        if self.capacity is not None and self.seats_left is not None and self.seats_left > self.capacity:
            errors["seats_left"] = "Les places restantes ne peuvent pas dépasser le nombre de places."
        if self.is_remote and self.commune_id:
            errors["commune"] = "Une session à distance n'a pas de commune : videz la commune ou décochez « à distance »."
        elif not self.is_remote and not self.commune_id:
            errors["commune"] = "Indiquez la commune de la session, ou cochez « à distance »."
        if errors:
            raise ValidationError(errors)

    @property
    def place_label(self) -> str:
        return "À distance" if self.is_remote else str(self.commune)
