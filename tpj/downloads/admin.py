from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are created by the « Préparer le fichier » buttons and built by the workers."""

    list_display = ["created_at", "title", "requested_by", "status", "rows_written", "size", "expires_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["title", "requested_by__email"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
