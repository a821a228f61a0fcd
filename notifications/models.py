from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    ANDROID = "android", _("Android")
    IOS = "ios", _("iOS")
    WEB = "web", _("Web")


class Device(models.Model):
    """A phone (or browser) that receives push notifications through FCM."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    token = models.CharField(max_length=512, unique=True, help_text="FCM registration token")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    app_version = models.CharField(max_length=40, blank=True)
    locale = models.CharField(max_length=10, default="vi")
    active = models.BooleanField(default=True)
    deactivated_reason = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.platform} device of {self.user_id}"


class Notification(models.Model):
    """One message to one user: the in-app inbox row and the outbox of its pushes.

    It is written in the same transaction as the timeline event that caused it,
    so it exists exactly when the change does; pushes go out after commit.
    Text is rendered from `kind` and `params` in the reader's language.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        "reports.ReportEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="inbox"),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="inbox_unread"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="one_notification_per_event_and_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Accepted by FCM")
    FAILED = "failed", _("Failed for good")


class Delivery(models.Model):
    """The push of one notification to one device: sent at most once when it
    succeeds, retried while it fails for a passing reason."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "device"], name="one_delivery_per_device"
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="delivery_undelivered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} -> {self.device_id}: {self.state}"


class Preferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    muted_kinds = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
