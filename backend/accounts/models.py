from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    STAFF = "staff", _("Unit staff")
    UNIT_LEAD = "unit_lead", _("Unit lead")
    AREA_MANAGER = "area_manager", _("Area manager")
    MODERATOR = "moderator", _("Moderator")
    OFFICIAL = "official", _("Provincial official")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """Everyone who signs in: residents (through Firebase) and staff of every role.

    Staff accounts carry a scope: the unit they work in and/or the area (a
    district or the province) they may see.
    """

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RESIDENT)
    unit = models.ForeignKey(
        "areas.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    scope_area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    firebase_uid = models.CharField(max_length=128, unique=True, null=True, blank=True)
    phone_number = models.CharField(max_length=20, blank=True)
    locale = models.CharField(max_length=5, default="vi")
    # Kept by moderation from its bans (who, why, until when): read with the
    # account itself, so that sending a report needs no query to know it.
    reports_banned_until = models.DateTimeField(null=True, blank=True, editable=False)

    @property
    def is_resident(self) -> bool:
        return self.role == Role.RESIDENT


STAFF_ROLES = {
    Role.STAFF,
    Role.UNIT_LEAD,
    Role.AREA_MANAGER,
    Role.MODERATOR,
    Role.OFFICIAL,
    Role.ADMIN,
}
# Roles that may change tickets (officials and moderators only read them here).
TICKET_WORKER_ROLES = {Role.STAFF, Role.UNIT_LEAD, Role.AREA_MANAGER, Role.ADMIN}


class StaffToken(models.Model):
    """An API token of a staff account. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token of {self.user_id} until {self.expires_at:%Y-%m-%d}"
