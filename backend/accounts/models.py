from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    STAFF = "staff", "Unit staff"
    UNIT_LEAD = "unit_lead", "Unit lead"
    DISTRICT_MANAGER = "district_manager", "District manager"
    MODERATOR = "moderator", "Moderator"
    OFFICIAL = "official", "Provincial official"
    ADMIN = "admin", "Administrator"


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

    @property
    def is_resident(self) -> bool:
        return self.role == Role.RESIDENT
