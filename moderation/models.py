from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BlockedTerm(models.Model):
    """A term added by the moderators to the shipped word lists (admin data)."""

    term = models.CharField(max_length=100, unique=True)
    weight = models.FloatField(default=1.0, help_text="1 holds a report alone; less needs company")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.term


class CaseState(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ReviewCase(models.Model):
    """A report held for review, with why; the moderators' queue is the open ones."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    reasons = models.JSONField(default=list)
    score = models.FloatField(default=0)
    opened_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["opened_at", "id"], condition=models.Q(state="open"), name="review_queue"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report"], condition=models.Q(state="open"), name="one_open_case_per_report"
            )
        ]

    def __str__(self) -> str:
        return f"case {self.id} ({self.state})"


class Flag(models.Model):
    """A resident's word that a public report should not be public."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="one_flag_per_resident")
        ]

    def __str__(self) -> str:
        return f"flag on {self.report_id} by {self.user_id}"


class Ban(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()
    reason = models.TextField()
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"ban of {self.user_id} until {self.until:%Y-%m-%d}"
