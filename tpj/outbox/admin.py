from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html_join

from tpj.core.text import french_plural

from . import purposes, services
from .models import OutgoingEmail


class PurposeFilter(admin.SimpleListFilter):
    title = "objet du courriel"
    parameter_name = "purpose"

    def lookups(self, request, model_admin):
        return [(p.key, p.label) for p in purposes.all_purposes()]

    def queryset(self, request, queryset):
        return queryset.filter(purpose=self.value()) if self.value() else queryset


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Read-only: messages are written by the services and sent by the workers; « Renvoyer »
    puts failed ones back in line."""

    list_display = ["created_at", "purpose_label", "recipient_list", "subject", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", PurposeFilter, "created_at"]
    search_fields = ["subject", "recipients", "object_id"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = [
        "purpose_label",
        "status",
        "recipient_list",
        "from_email",
        "subject",
        "shown_body",
        "attachment_list",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "content_type",
        "object_id",
        "sender",
    ]
    readonly_fields = fields

    @admin.display(description="objet du courriel", ordering="purpose")
    def purpose_label(self, obj):
        return obj.purpose_label

    @admin.display(description="destinataires")
    def recipient_list(self, obj):
        return ", ".join(obj.recipients)

    @admin.display(description="texte")
    def shown_body(self, obj):
        if purposes.get(obj.purpose).sensitive:
            return "Masqué : ce courriel contient un lien personnel (connexion ou confirmation)."
        return obj.body

    @admin.display(description="pièces jointes")
    def attachment_list(self, obj):
        return format_html_join(", ", "{}", ((a.filename,) for a in obj.attachments.all())) or "aucune"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Renvoyer")
    def resend(self, request, queryset):
        with transaction.atomic():
            retried = sum(services.retry(m, actor=request.user) for m in queryset.failed())
        skipped = queryset.count() - retried
        if retried:
            self.message_user(
                request,
                f"{retried} {french_plural(retried, 'courriel remis', 'courriels remis')} en envoi.",
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} courriel ignoré : seuls les courriels en échec se renvoient."
                if skipped == 1
                else f"{skipped} courriels ignorés : seuls les courriels en échec se renvoient.",
                messages.WARNING,
            )
