from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Organisation, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    filter_horizontal = ["departements"]
    exclude = ["granted_by"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active", "is_demo"]
    list_filter = ["is_active", "is_staff", "is_demo", "role_assignments__role"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "organisation"]}),
        ("Statut", {"fields": ["is_active", "email_confirmed_at", "is_demo", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [RoleAssignmentInline]

    def save_formset(self, request, form, formset, change):
        for assignment in formset.save(commit=False):
            assignment.granted_by = assignment.granted_by or request.user
            assignment.save()
        formset.save_m2m()
        for removed in formset.deleted_objects:
            removed.delete()


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siret", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["commune"]
