"""Reports in the admin: a list to find tickets, read only. Tickets change
through the workflow (the staff API), never by editing a row; the triage
filter lists what no routing rule covered, for someone to send on."""

from django.contrib import admin
from django.http import HttpRequest

from backend.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("reference", "category", "area", "unit", "status", "visibility", "created_at")
    list_filter = ["unit__is_triage", "status", "visibility", "category"]
    search_fields = ["reference"]
    list_select_related = ["category", "area", "unit"]
    fields = ("reference", "category", "area", "unit", "status", "visibility", "created_at")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("area__geometry_wkb")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
