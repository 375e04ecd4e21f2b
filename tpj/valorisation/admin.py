from django.contrib import admin

from .models import Allocation, Apportionment, BirthsCount, BirthsTable, Deployment, Measure


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["position", "title", "target_label", "basis", "year"]
    list_display_links = ["title"]


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["title", "measure", "region", "date", "quantity", "amount"]
    list_filter = ["measure", "region"]
    raw_id_fields = ["commune", "created_by"]


class BirthsCountInline(admin.TabularInline):
    model = BirthsCount
    extra = 0


@admin.register(BirthsTable)
class BirthsTableAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "imported_at"]
    inlines = [BirthsCountInline]


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    readonly_fields = ["region", "births", "quota", "whole", "remainder_rank", "seats"]
    can_delete = False


@admin.register(Apportionment)
class ApportionmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "measure", "created_at"]
    inlines = [AllocationInline]
    readonly_fields = ["measure", "births_table", "total", "method", "created_by"]

    def has_add_permission(self, request):
        # An apportionment is computed from a births table (service, page and API); the admin
        # only shows them, and its add form would have no field to fill.
        return False
