from django.contrib import admin

from .models import Offer, Session, TrainingOrganisation


@admin.register(TrainingOrganisation)
class TrainingOrganisationAdmin(admin.ModelAdmin):
    """Administrators correct an organisation and manage its members."""

    list_display = ["name", "siret", "activity_number", "qualiopi", "region"]
    list_filter = ["qualiopi", "region"]
    search_fields = ["name", "siret", "activity_number"]
    raw_id_fields = ["commune", "members"]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    raw_id_fields = ["commune"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    """Read-mostly: the state changes only through moderation (audited workflow)."""

    list_display = ["title", "organisation", "state", "submitted_at", "published_at"]
    list_filter = ["state", "format"]
    search_fields = ["title", "organisation__name"]
    readonly_fields = ["state", "decision_reason", "submitted_at", "published_at"]
    raw_id_fields = ["organisation"]
    inlines = [SessionInline]
