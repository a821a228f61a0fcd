from django.contrib import admin

from moderation.models import Ban, BlockedTerm, Flag, ReviewCase


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    list_display = ["term", "weight", "created_at"]
    search_fields = ["term"]


@admin.register(ReviewCase)
class ReviewCaseAdmin(admin.ModelAdmin):
    list_display = ["report", "state", "score", "opened_at", "decided_by", "decided_at"]
    list_filter = ["state"]
    raw_id_fields = ["report", "decided_by"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["report", "user", "reason", "created_at"]
    raw_id_fields = ["report", "user"]


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["user", "until", "reason", "banned_by"]
    raw_id_fields = ["user", "banned_by"]
