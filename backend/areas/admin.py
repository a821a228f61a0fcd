from django.contrib import admin

from backend.areas.models import Area, AreaLevel, RoutingRule, Unit


@admin.register(AreaLevel)
class AreaLevelAdmin(admin.ModelAdmin):
    """The levels of each edition and their labels in every language."""

    list_display = ["edition", "depth", "code", "label_vi", "label_en", "label_km"]
    list_filter = ["edition"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "edition", "retired_at"]
    list_filter = ["level", "edition", ("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "short_name", "code"]
    readonly_fields = ["geometry_wkb", "properties", "created_at", "updated_at"]
    autocomplete_fields = ["parent"]


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 1
    autocomplete_fields = ["area", "category"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "area", "active", "is_triage"]
    list_filter = ["active", "is_triage"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["area"]
    inlines = [RoutingRuleInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["area", "category", "unit"]
    list_filter = ["category"]
    search_fields = ["area__name", "unit__name"]
    autocomplete_fields = ["area", "category", "unit"]
