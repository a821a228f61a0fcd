from django.contrib import admin

from open311.models import ClientApplication


@admin.register(ClientApplication)
class ClientApplicationAdmin(admin.ModelAdmin):
    """Keys are made with `manage.py open311_client NAME`; here they are switched off."""

    list_display = ["name", "active", "requests_per_hour", "extended_statuses", "created_at"]
    readonly_fields = ["key_hash", "created_at"]
