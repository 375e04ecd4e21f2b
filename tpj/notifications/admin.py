from django.contrib import admin

from . import kinds
from .models import Notification, NotificationPreference


class KindFilter(admin.SimpleListFilter):
    title = "type"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(k.key, f"{k.group} — {k.label}") for k in kinds.all_kinds()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the services, read and chosen by their recipient."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def kind_label(key: str) -> str:
    try:
        kind = kinds.get(key)
    except LookupError:
        return key
    return f"{kind.group} — {kind.label}"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind_label", "title", "delivery", "read_at", "emailed_at"]
    list_filter = [KindFilter, "delivery", "created_at"]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__email", "object_id"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "recipient",
        "kind_label",
        "title",
        "body",
        "url",
        "actor",
        "content_type",
        "object_id",
        "delivery",
        "read_at",
        "email",
        "emailed_at",
    ]
    readonly_fields = fields

    @admin.display(description="type", ordering="kind")
    def kind_label(self, obj):
        return kind_label(obj.kind)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind_label", "delivery"]
    list_filter = [KindFilter, "delivery"]
    list_select_related = ["user"]
    search_fields = ["user__email", "kind"]
    fields = ["user", "kind_label", "delivery"]
    readonly_fields = fields

    @admin.display(description="type", ordering="kind")
    def kind_label(self, obj):
        return kind_label(obj.kind)
