from django.contrib import admin

from backend.areas.models import Area, RoutingRule, Unit


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
    list_display = ["name", "code", "area", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["area"]
    inlines = [RoutingRuleInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["area", "category", "unit"]
    list_filter = ["category"]
    search_fields = ["area__name", "unit__name"]
    autocomplete_fields = ["area", "category", "unit"]
