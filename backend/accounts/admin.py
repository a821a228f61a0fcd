from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from backend.accounts.models import StaffToken, User


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ["username", "role", "unit", "scope_area", "phone_number", "is_active"]
    list_filter = ["role", "is_active", "unit"]
    search_fields = ["username", "phone_number", "firebase_uid", "email"]
    autocomplete_fields = ["unit", "scope_area"]
    fieldsets = [
        *(UserAdmin.fieldsets or ()),
        ("Role and scope", {"fields": ["role", "unit", "scope_area", "locale"]}),
        ("Resident identity", {"fields": ["firebase_uid", "phone_number"]}),
    ]


@admin.register(StaffToken)
class StaffTokenAdmin(admin.ModelAdmin):
    """Tokens are shown by owner and date only; revoke one by setting revoked_at."""

    list_display = ["user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username"]
    readonly_fields = ["user", "key_hash", "created_at", "last_used_at"]
