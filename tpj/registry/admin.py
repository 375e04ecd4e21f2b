from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import ContactChannel, Entry, EntryPriority, EntrySituation, ImportJob


class EntryPriorityInline(admin.TabularInline):
    model = EntryPriority
    extra = 0


class EntrySituationInline(admin.StackedInline):
    model = EntrySituation
    extra = 0
    readonly_fields = ["evidence"]


class ContactChannelInline(admin.TabularInline):
    model = ContactChannel
    extra = 0


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-mostly: states change only through moderation (audited workflow)."""

    list_display = ["name", "category", "commune", "departement", "state", "submitted_at"]
    list_filter = ["state", "category", "region"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["revision_of", "members"]
    # The address is moderated and located by the registration services: its commune, and
    # the territories derived from it, are not edited here.
    readonly_fields = [
        "state",
        "decision_reason",
        "public_id",
        "commune",
        "departement",
        "region",
        "latitude",
        "longitude",
        "geocoding_precision",
        "submitted_at",
        "verified_at",
        "import_source",
        "external_id",
    ]
    inlines = [EntryPriorityInline, EntrySituationInline, ContactChannelInline]
    list_select_related = ["category", "commune", "departement"]
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "created_count", "updated_count", "error_count"]
    readonly_fields = [
        "source",
        "file",
        "created_by",
        "status",
        "encoding",
        "total_rows",
        "next_row",
        "created_count",
        "updated_count",
        "error_count",
        "errors",
        "message",
    ]

    @admin.display(description="progression")
    def progress(self, job):
        return format_html('<a href="{}">{} %</a>', reverse("registry:import-job", args=[job.pk]), job.progress_percent)

    def get_queryset(self, request):
        return ImportJob.objects.visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": "Imports CSV — nouvel import : /annuaire/import/"}
        return super().changelist_view(request, extra_context)
