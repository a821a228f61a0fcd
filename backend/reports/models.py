import uuid
from typing import Any

from django.conf import settings
from django.db import models

from backend.catalogue.models import Priority
from backend.reports import freshness


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_FOR_RESIDENT = "waiting", "Waiting for the resident"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate"


# Open and being worked on: what can be overdue (waiting on the resident cannot).
WORKING_STATUSES = [Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS]
OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.WAITING_FOR_RESIDENT,
]


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    HELD = "held", "Held for review"
    HIDDEN = "hidden", "Hidden by a moderator"


# Held reports wait for moderation and are not in any staff queue.
_IN_QUEUE = ~models.Q(visibility=Visibility.HELD)


def _queue_indexes(owner: str) -> list[models.Index]:
    """The staff queue of a unit or a district, served from an index at any
    depth: open tickets due first, all tickets due first or newest first, and
    one status due first (the app's tabs; also the counts per status)."""
    short = "unit" if owner == "unit" else "dist"
    return [
        models.Index(
            fields=[owner, "due_at", "id"],
            condition=_IN_QUEUE & models.Q(status__in=OPEN_STATUSES),
            name=f"queue_{short}_due_open",
        ),
        models.Index(
            fields=[owner, "due_at", "id"], condition=_IN_QUEUE, name=f"queue_{short}_due"
        ),
        models.Index(
            fields=[owner, "-created_at", "-id"], condition=_IN_QUEUE, name=f"queue_{short}_new"
        ),
        models.Index(
            fields=[owner, "status", "due_at", "id"],
            condition=_IN_QUEUE,
            name=f"queue_{short}_status",
        ),
    ]


class Source(models.TextChoices):
    APP = "app", "Mobile app"
    OPEN311 = "open311", "Open311 client"
    STAFF = "staff", "Entered by staff"


class ReportQuerySet(models.QuerySet):
    AREAS = ("district", "commune", "managing_district")

    # Writes tell the answer cache which kept answers they put out of date
    # (backend.reports.freshness); update() reads the rows' scopes first.
    def update(self, **kwargs: Any) -> int:
        before = list(
            self.values_list("id", *freshness.SCOPE_FIELDS)[: freshness.MOST_ROWS_ONE_BY_ONE + 1]
        )
        count = super().update(**kwargs)
        after = []
        if (
            freshness.SCOPE_FIELD_NAMES.intersection(kwargs)
            and len(before) <= freshness.MOST_ROWS_ONE_BY_ONE
        ):
            ids = [row[0] for row in before]
            after = list(
                Report.objects.filter(id__in=ids).values_list("id", *freshness.SCOPE_FIELDS)
            )
        if count:
            freshness.reports_changed([*before, *after])
        return count

    def bulk_create(self, *args: Any, **kwargs: Any) -> list:
        created = super().bulk_create(*args, **kwargs)
        freshness.every_report_changed()
        return created

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        count = super().bulk_update(*args, **kwargs)
        freshness.every_report_changed()
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = super().delete()
        freshness.every_report_changed()
        return deleted

    def with_related(self, *relations: str) -> "ReportQuerySet":
        """select_related(), leaving behind the boundaries of the areas it joins:
        a district's is ~10 KB that no view of a report shows, and a page of
        tickets would carry one per row."""
        boundaries = [f"{r}__geometry_wkb" for r in relations if r in self.AREAS]
        return self.select_related(*relations).defer(*boundaries)

    SUMMARY_FIELDS = (
        "reference", "description", "public_description", "status", "lat", "lon",
        "support_count", "created_at", "category__code", "category__name_vi",
        "category__name_en", "category__name_km", "district__code", "district__name",
        "district__level",
    )  # fmt: skip

    def summaries(self, *more_fields: str) -> "ReportQuerySet":
        """Reports as a list shows them: the summary's columns, and `more_fields`
        (`unit__name`, say), with their relations joined. A report row has some
        forty columns and a district its boundary; loading only what the page
        shows makes a page of twenty cost a fifth less."""
        relations = {field.split("__")[0] for field in (*self.SUMMARY_FIELDS, *more_fields)}
        return self.select_related(*(r for r in relations if self._is_relation(r))).only(
            *self.SUMMARY_FIELDS, *more_fields
        )

    def _is_relation(self, name: str) -> bool:
        return self.model._meta.get_field(name).is_relation


class Report(models.Model):
    """A problem a resident reported, and its ticket for the responsible unit.

    The id is generated by the app, so a retried POST finds the report it
    already made instead of making a second one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=12, unique=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.APP)
    category = models.ForeignKey("catalogue.Category", on_delete=models.PROTECT)
    description = models.TextField(help_text="As the resident wrote it")
    public_description = models.TextField(
        blank=True, help_text="What the public sees: the description after redaction"
    )
    address = models.CharField(max_length=300, blank=True)
    attributes = models.JSONField(
        default=dict, blank=True, help_text="Answers to the category's extra questions"
    )
    lat = models.FloatField()
    lon = models.FloatField()
    accuracy_m = models.FloatField(null=True, blank=True)
    # H3 cells of the point: duplicates are found among neighbouring res-10
    # cells, and statistics group by res 7 to 9, without a spatial database.
    h3_r7 = models.BigIntegerField()
    h3_r8 = models.BigIntegerField()
    h3_r9 = models.BigIntegerField()
    h3_r10 = models.BigIntegerField()

    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("areas.Unit", null=True, blank=True, on_delete=models.PROTECT)
    # The district whose manager oversees the ticket: its unit's district (or,
    # with no unit, the district it lies in); none for a province-wide unit.
    managing_district = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    due_at = models.DateTimeField()
    support_count = models.PositiveIntegerField(default=0)

    # The staff side.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="Waiting on the resident: the deadline is paused"
    )
    escalation_level = models.PositiveSmallIntegerField(
        default=0, help_text="0 none, 1 unit lead told, 2 district manager told"
    )
    reopened_count = models.PositiveSmallIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=1000, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    # Hash of what the app sent at creation: the same id with other content is
    # a client bug, answered with idempotency_mismatch instead of a silent 200.
    request_fingerprint = models.CharField(max_length=64)

    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["reporter", "-created_at", "-id"], name="report_mine"),
            models.Index(fields=["visibility", "-created_at", "-id"], name="report_feed"),
            # created_at in the index: else PostgreSQL ANDs this index with a scan of
            # every report of the last month, where a crowd reports one flood.
            models.Index(
                fields=["category", "h3_r10", "created_at"], name="report_duplicates_recent"
            ),
            models.Index(fields=["lat", "lon"], name="report_lat_lon"),
            models.Index(fields=["h3_r7"], name="report_h3_r7"),
            models.Index(fields=["h3_r8"], name="report_h3_r8"),
            models.Index(fields=["h3_r9"], name="report_h3_r9"),
            *_queue_indexes("unit"),
            *_queue_indexes("managing_district"),
            models.Index(
                fields=["due_at", "id"],
                condition=_IN_QUEUE & models.Q(status__in=OPEN_STATUSES),
                name="queue_all_due_open",
            ),
            # Officials' figures by district and period, from the index alone.
            models.Index(
                fields=["district", "created_at"],
                include=[
                    "status",
                    "acknowledged_at",
                    "resolved_at",
                    "due_at",
                    "rating",
                    "reopened_count",
                    "category",
                ],
                name="stats_district_period",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        moves = update_fields is None or freshness.SCOPE_FIELD_NAMES.intersection(update_fields)
        before = []
        if moves and not self._state.adding:
            # Where it was listed before: a ticket moved leaves the old unit's queue.
            before = list(
                Report.objects.filter(pk=self.pk).values_list("id", *freshness.SCOPE_FIELDS)
            )
        super().save(*args, **kwargs)
        now = (self.id, *(getattr(self, field) for field in freshness.SCOPE_FIELDS))
        freshness.reports_changed([*before, now])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    CREATED = "created", "Reported"
    ROUTED = "routed", "Sent to a unit"
    REROUTED = "rerouted", "Re-routed after a boundary change"
    SUPPORTED = "supported", "Someone else reported it too"
    STATUS_CHANGED = "status_changed", "Status changed"
    COMMENT = "comment", "Public reply"
    NOTE = "note", "Internal note"
    SCREENED = "screened", "Screened"
    PHOTO_ADDED = "photo_added", "Photo added"
    ASSIGNED = "assigned", "Assigned"
    TRANSFERRED = "transferred", "Transferred to another unit"
    MERGED = "merged", "Merged"
    ESCALATED = "escalated", "Escalated as overdue"
    RATED = "rated", "Rated by the resident"
    REOPENED = "reopened", "Reopened by the resident"
    MODERATED = "moderated", "Moderation decision"


class ReportEvent(models.Model):
    """One entry of a report's timeline. Append-only: never updated or deleted."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_public = models.BooleanField(default=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["report", "created_at", "id"], name="event_timeline")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class Follower(models.Model):
    """Who hears about changes to a report: its reporter and its supporters."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_reports"
    )
    supported = models.BooleanField(default=False, help_text="Said 'me too'")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="follower_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.report_id}"
