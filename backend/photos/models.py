import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def _private_storage():
    return storages["private"]


def _public_storage():
    return storages["default"]


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Resident's photo of the problem")
    AFTER = "after", _("Staff photo after the fix")


class PhotoState(models.TextChoices):
    PENDING = "pending", _("Waiting for processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Photo(models.Model):
    """One uploaded photo: the private original and its public, stripped derivatives.

    The id is the app's own photo id when it sends one, so a retried upload
    finds the photo it already made.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=10)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    original = models.FileField(storage=_private_storage, max_length=200, blank=True)

    # What the photo's own metadata says (read at upload, never made public).
    exif_lat = models.FloatField(null=True, blank=True)
    exif_lon = models.FloatField(null=True, blank=True)
    exif_taken_at = models.DateTimeField(null=True, blank=True)
    exif_orientation = models.PositiveSmallIntegerField(default=1)
    distance_to_report_m = models.FloatField(null=True, blank=True)

    state = models.CharField(max_length=10, choices=PhotoState.choices, default=PhotoState.PENDING)
    failure_reason = models.CharField(max_length=300, blank=True)
    large = models.FileField(storage=_public_storage, max_length=200, blank=True)
    thumbnail = models.FileField(storage=_public_storage, max_length=200, blank=True)
    phash = models.CharField(max_length=32, blank=True, help_text="Perceptual hash, hex")
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator")

    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    screened_at = models.DateTimeField(
        null=True, blank=True, help_text="When moderation screened it on its report"
    )

    class Meta:
        indexes = [
            models.Index(fields=["report", "created_at"], name="photo_report"),
            models.Index(fields=["phash"], name="photo_phash"),
            # The sweep's question: which photos are still waiting, oldest first.
            models.Index(
                fields=["created_at"],
                name="photo_pending",
                condition=models.Q(state="pending"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["report", "sha256"], name="photo_once_per_report")
        ]

    def __str__(self) -> str:
        return f"photo {self.id} ({self.state})"
