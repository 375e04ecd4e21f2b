from django.contrib import admin

from . import models

for model in [
    models.Priority,
    models.Axis,
    models.EligibilitySituation,
    models.EntryKind,
    models.FundingSource,
    models.TrainingTheme,
]:
    admin.site.register(model)


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "parent_orientation", "is_active", "position"]
    filter_horizontal = ["suggested_priorities"]
