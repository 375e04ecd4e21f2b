from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from stdnum.fr import siret as stdnum_siret

from tpj.core.validators import validate_siret

from .scopes import NO_SCOPE, Scope


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, email_confirmed_at=timezone.now())
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ARS = "ars", "ARS"
        DREETS = "dreets", "DREETS / DEETS"
        DDETS = "ddets", "DDETS / DDETSPP"
        CAF = "caf", "CAF"
        CPAM = "cpam", "CPAM"
        MSA = "msa", "MSA"
        DEPARTEMENT = "departement", "Conseil départemental / PMI"
        COMMUNE = "commune", "Commune / EPCI"
        ASSOCIATION = "association", "Association"
        HEALTH_FACILITY = "sante", "Établissement de santé"
        MINISTRY = "ministere", "Administration centrale"
        OTHER = "autre", "Autre"

    # Kinds that are State agencies of one région (one call envelope each).
    REGIONAL_AGENCIES = {Kind.ARS, Kind.DREETS}

    name = models.CharField("nom", max_length=255)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "territories.Region",
        verbose_name="région de compétence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~models.Q(siret=""),
                name="unique_organisation_siret",
                violation_error_message="Une organisation portant ce SIRET existe déjà.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        # "213 502 388 00019" is how people copy a SIRET: compact it before the length check.
        if self.siret:
            self.siret = stdnum_siret.compact(self.siret)
        super().clean_fields(exclude)

    def clean(self):
        if self.kind in self.REGIONAL_AGENCIES and not self.region_id:
            raise ValidationError({"region": "Indiquez la région de compétence de l'agence."})
        if self.commune_id and not self.region_id:
            self.region_id = self.commune.region_id


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    email_confirmed_at = models.DateTimeField("e-mail confirmé le", null=True, blank=True)
    # Demo accounts exist only in demo mode; production refuses them at login.
    is_demo = models.BooleanField("compte de démonstration", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @cached_property
    def _active_assignments(self):
        return list(self.role_assignments.filter(is_active=True).prefetch_related("departements"))

    def has_role(self, role) -> bool:
        return any(a.role == role for a in self._active_assignments)

    def scope(self, role) -> Scope:
        """Union of the territorial scopes of this user's active assignments of `role`."""
        result = NO_SCOPE
        for assignment in self._active_assignments:
            if assignment.role == role:
                result = result.union(assignment.as_scope())
        return result

    def has_perm(self, perm, obj=None):
        # Administrators manage users, scopes and reference data: every model permission.
        return (self.is_active and self.is_administrator) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        return (self.is_active and self.is_administrator) or super().has_module_perms(app_label)

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMINISTRATOR)

    @property
    def is_national_team(self) -> bool:
        return self.has_role(Role.NATIONAL_TEAM)

    @property
    def roles(self) -> list[str]:
        return sorted({a.role for a in self._active_assignments})


class Role(models.TextChoices):
    MODERATOR = "moderator", "Modérateur territorial"
    CALL_MANAGER = "call_manager", "Gestionnaire d'appels à projets"
    JURY_MEMBER = "jury_member", "Membre de jury"
    APPLICANT = "applicant", "Porteur de projet"
    NATIONAL_TEAM = "national_team", "Équipe nationale"
    # Steers the territorial strand of the training plan and moderates its région's training offers.
    COMMISSAIRE = "commissaire", "Commissaire à la prévention et à la lutte contre la pauvreté"
    ADMINISTRATOR = "administrator", "Administrateur"


class ScopeLevel(models.TextChoices):
    NATIONAL = "national", "National"
    REGION = "region", "Région"
    DEPARTEMENTS = "departements", "Départements"


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    scope_level = models.CharField("périmètre", max_length=20, choices=ScopeLevel.choices)
    region = models.ForeignKey(
        "territories.Region", verbose_name="région", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    departements = models.ManyToManyField("territories.Departement", verbose_name="départements", blank=True, related_name="+")
    is_active = models.BooleanField("actif", default=True)
    granted_at = models.DateTimeField("attribué le", auto_now_add=True)
    granted_by = models.ForeignKey(
        User, verbose_name="attribué par", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "attribution de rôle"
        verbose_name_plural = "attributions de rôles"
        constraints = [
            models.CheckConstraint(
                name="role_scope_region_consistent",
                condition=(models.Q(scope_level="region", region__isnull=False) | ~models.Q(scope_level="region")),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.scope_label})"

    @property
    def scope_label(self) -> str:
        if self.scope_level == ScopeLevel.NATIONAL:
            return "national"
        if self.scope_level == ScopeLevel.REGION:
            return str(self.region)
        return ", ".join(d.code for d in self.departements.all())

    def clean(self):
        if self.scope_level == ScopeLevel.REGION and not self.region_id:
            raise ValidationError({"region": "Choisissez la région du périmètre."})
        if self.scope_level == ScopeLevel.NATIONAL and self.region_id:
            raise ValidationError({"region": "Un périmètre national ne porte pas de région."})

    def as_scope(self) -> Scope:
        if self.scope_level == ScopeLevel.NATIONAL:
            return Scope(national=True)
        if self.scope_level == ScopeLevel.REGION:
            return Scope(regions=frozenset([self.region_id]))
        return Scope(departements=frozenset(d.code for d in self.departements.all()))
