from django.contrib import admin

from backend.catalogue.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_vi",
        "name_en",
        "group",
        "default_priority",
        "sla_hours",
        "active",
    ]
    list_filter = ["group", "default_priority", "active"]
    search_fields = ["code", "name_vi", "name_en", "name_km", "keywords"]
    ordering = ["sort_order", "code"]
