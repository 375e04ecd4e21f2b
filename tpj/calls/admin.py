"""Administration of the calls module: read-mostly, since states and money change only
through the audited services (workflows, locked envelope allocations)."""

from django.contrib import admin

from .models import Application, Call, Campaign, Envelope, IntentDeclaration, JuryMember, ScoreSheet


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = Campaign.SETTINGS_FIELDS


@admin.register(IntentDeclaration)
class IntentDeclarationAdmin(admin.ModelAdmin):
    list_display = ["campaign", "region", "agency", "referent_name", "joint", "declared_at"]
    list_filter = ["campaign", "agency"]
    readonly_fields = ["declared_by", "declared_at"]


class EnvelopeInline(admin.TabularInline):
    model = Envelope
    extra = 0
    readonly_fields = ["agency", "funding_source", "national_dotation", "allocated"]
    can_delete = False


class JuryInline(admin.TabularInline):
    model = JuryMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "region", "strand", "state", "transmitted_at", "transmitted_late"]
    list_filter = ["campaign", "strand", "state", "region"]
    readonly_fields = [
        "title",
        "state",
        "published_at",
        "laureates_decided_at",
        "transmitted_at",
        "transmitted_late",
        "created_by",
    ]
    inlines = [EnvelopeInline, JuryInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "organisation", "call", "state", "submitted_at"]
    list_filter = ["state", "call__campaign", "call__region"]
    search_fields = ["reference", "title", "organisation__name"]
    readonly_fields = [
        "reference",
        "state",
        "call",
        "organisation",
        "created_by",
        "submitted_at",
        "decided_at",
        "notified_at",
        "budget_total",
        *Application.JURY_STATS_FIELDS,
    ]
    exclude = ["call_axes", "places"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin):
    list_display = ["application", "member", "auto_recused", "has_conflict", "submitted_at", "weighted_score"]
    list_filter = ["auto_recused", "has_conflict"]
    readonly_fields = ["member", "application", "auto_recused", "submitted_at", "weighted_score"]
