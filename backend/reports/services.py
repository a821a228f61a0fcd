"""What residents do with reports: create one, say "me too", and what follows."""

import hashlib
import json
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import ExpressionWrapper, F, FloatField
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.areas import routing
from backend.catalogue.active import active_category
from backend.catalogue.attributes import clean_attributes
from backend.errors import NotFound, ServiceError, Unprocessable
from backend.geo import distance_m, h3_cells, neighbourhood_r10
from backend.jobs import enqueue_on_commit
from backend.photos.models import Photo, PhotoState
from backend.reports.access import managing_area_id
from backend.reports.geocoding import fill_address
from backend.reports.history import check_report_rate, reporter_history
from backend.reports.models import (
    OPEN_STATUSES,
    EventKind,
    Follower,
    Report,
    ReportEvent,
    Source,
    Visibility,
)
from backend.reports.photos import attach_uploaded_photos
from backend.reports.screening import ScreeningDecision, screen_new_report
from backend.reports.timeline import NewEvent, record_event, record_events
from backend.statements import (
    STAND_IN_ID,
    STAND_IN_NUMBER,
    STAND_IN_TIME,
    STAND_IN_UUID,
    Statement,
)

# Crockford's base32 without I, L, O, U: easy to read out over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class NewReport:
    id: uuid.UUID
    category_code: str
    description: str
    lat: float
    lon: float
    accuracy_m: float | None = None
    address: str = ""
    photo_ids: tuple[uuid.UUID, ...] = ()
    attributes: dict | None = None

    def fingerprint(self) -> str:
        content = {
            "category": self.category_code,
            "description": self.description,
            "lat": round(self.lat, 7),
            "lon": round(self.lon, 7),
            "accuracy_m": self.accuracy_m,
            "address": self.address,
            "photo_ids": sorted(str(i) for i in self.photo_ids),
            "attributes": self.attributes or {},
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class Submission(NamedTuple):
    report: Report
    created: bool
    # What this submission recorded (nothing for a replay), for an answer
    # built without reading it back.
    events: list[ReportEvent]
    photos: list[Photo]


@dataclass(frozen=True)
class DuplicateCandidate:
    report: Report
    distance_m: float


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def _replayed(existing: Report, reporter: User, new: NewReport) -> Report:
    if existing.reporter_id != reporter.id or existing.request_fingerprint != new.fingerprint():
        raise Unprocessable(
            _("A report with this id was already sent with different content."),
            code="idempotency_mismatch",
            details={"id": str(new.id)},
        )
    return existing


def _replay(reporter: User, new: NewReport) -> Report:
    """The report a retry of this request made, or the mismatch it is."""
    existing = Report.objects.filter(id=new.id).first()
    if existing is None:
        raise ServiceError(_("Could not save the report; try again."), code="conflict", status=409)
    return _replayed(existing, reporter, new)


def create_report(
    reporter: User,
    new: NewReport,
    source: str = Source.APP,
    reports_per_hour: int | None = None,
) -> Submission:
    """Route, screen and save a resident's report.

    `reports_per_hour` replaces REPORTS_PER_HOUR for a reporter who stands for
    many people (an Open311 client's residents who gave no contact).

    Sending the same id with the same content again returns the first report
    with created=False; with other content it is an idempotency_mismatch.

    What only an admin changes (categories, routing rules, blocked terms) comes
    from memory (`backend.reference_data`), the resident's history in one
    query, and the writes in one statement per table: a new report costs five
    statements, whoever is told of it (after commit).
    """
    now = timezone.now()
    history = reporter_history(reporter, new.id, now)
    if history.replayed_fingerprint is not None:
        return Submission(_replay(reporter, new), False, [], [])

    category = active_category(new.category_code)
    if category is None:
        raise Unprocessable(
            _("Unknown category %(category)s.") % {"category": new.category_code},
            code="unknown_category",
            details={"category": new.category_code},
        )
    attributes = clean_attributes(category, new.attributes or {})
    placement = routing.place_in_service_area(new.lat, new.lon)
    check_report_rate(history, now, reports_per_hour)

    report = Report(
        id=new.id,
        reporter=reporter,
        source=source,
        category=category,
        description=new.description,
        address=new.address,
        attributes=attributes,
        lat=new.lat,
        lon=new.lon,
        accuracy_m=new.accuracy_m,
        **h3_cells(new.lat, new.lon),
        area=placement.area,
        unit=(unit := routing.unit_for(placement, category.id)),
        managing_area_id=managing_area_id(unit, placement.area.id),
        priority=category.default_priority,
        due_at=now + timedelta(hours=category.sla_hours),
        request_fingerprint=new.fingerprint(),
        created_at=now,
        updated_at=now,
    )
    decision = screen_new_report(report, history)
    report.visibility = decision.visibility
    report.public_description = (
        new.description if decision.public_description is None else decision.public_description
    )
    report.public_address = (
        new.address if decision.public_address is None else decision.public_address
    )

    for _attempt in range(5):
        report.reference = new_reference()
        # No savepoint: in a request this joins the request's transaction
        # (mobile_api.limits.AtomicWritesMiddleware); elsewhere it is one.
        with transaction.atomic(savepoint=False):
            if _insert_unless_taken(report):
                events = _record_creation(report, placement, decision)
                photos = attach_uploaded_photos(report, reporter, list(new.photo_ids))
                if not report.address and settings.GEOCODER_URL:
                    enqueue_on_commit(fill_address, str(report.id))
                return Submission(report, True, events, photos)
        # Either the same id arrived twice at once (a retry racing the first
        # try, or another resident's id), or the reference collided: tell
        # them apart.
        existing = Report.objects.filter(id=new.id).first()
        if existing is not None:
            return Submission(_replayed(existing, reporter, new), False, [], [])
    raise ServiceError(
        _("Could not allocate a report reference; please send the report again."),
        code="reference_exhausted",
        status=503,
        headers={"Retry-After": "1"},
    )


def _insert_unless_taken(report: Report) -> bool:
    """Insert a new report, or nothing if its id or reference is taken.

    One `INSERT ... ON CONFLICT DO NOTHING RETURNING reference` (SQLite:
    `INSERT OR IGNORE`): a taken id or reference inserts no row instead of
    failing, so the transaction goes on without a savepoint to roll back to
    (two round trips fewer per new report). A retry racing its first try
    waits at the insert until the first commits, then finds its report.

    This is what `Model.save()` does, through the same `QuerySet._insert`,
    with the conflict clause added (Report has no save() of its own and no
    signal receivers). It returns the reference, a text column no backend
    converts, so that no row reads as None on both (SQLite converts a UUID).
    """
    meta = Report._meta
    inserted = Report.objects._insert(  # type: ignore[attr-defined]
        [report],
        fields=meta.local_concrete_fields,
        returning_fields=[meta.get_field("reference")],
        on_conflict=OnConflict.IGNORE,
    )
    if inserted[0] is None:
        return False
    report._state.adding = False
    report._state.db = Report.objects.db
    return True


def _record_creation(
    report: Report, placement: routing.Placement, decision: ScreeningDecision
) -> list[ReportEvent]:
    Follower.objects.create(report=report, user=report.reporter)
    events = [
        NewEvent(EventKind.CREATED, actor=report.reporter, data={"category": report.category.code}),
        NewEvent(
            EventKind.ROUTED,
            data={
                "areas": [area.code for area in placement.chain],
                "edition": placement.area.edition,
                "unit": report.unit.code if report.unit else None,
                "distance_outside_m": placement.distance_outside_m,
            },
        ),
    ]
    if decision.reasons or decision.visibility != Visibility.PUBLIC:
        events.append(
            NewEvent(
                EventKind.SCREENED,
                is_public=False,
                data={"visibility": decision.visibility, "reasons": decision.reasons},
            )
        )
    return record_events(report, events)


# Nearest first in the database (a flat-plane distance, exact enough to rank
# points a few hundred metres apart), so only `limit` rows come back. Run on
# every new report: compiled once (`backend.statements`).
def _nearby(limit, category_id, cells, since, report_id, lat, lon, east_scale):
    north = F("lat") - lat
    east = (F("lon") - lon) * east_scale
    flat_distance = ExpressionWrapper(north * north + east * east, output_field=FloatField())
    return (
        Report.objects.filter(
            category_id=category_id,
            h3_r10__in=cells,
            status__in=OPEN_STATUSES,
            visibility=Visibility.PUBLIC,
            created_at__gte=since,
        )
        .exclude(id=report_id)
        .annotate(flat_distance=flat_distance)
        .order_by("flat_distance", "id")
        .summaries()[:limit]
    )


_RING = 7  # a res-10 cell and the six around it
_NEARBY = Statement(
    _nearby,
    category_id=STAND_IN_ID,
    cells=tuple(-1 - i for i in range(_RING)),
    since=STAND_IN_TIME,
    report_id=STAND_IN_UUID,
    lat=STAND_IN_NUMBER,
    lon=STAND_IN_NUMBER + 1,
    east_scale=STAND_IN_NUMBER + 2,
)


def duplicate_candidates(report: Report, limit: int = 5) -> list[DuplicateCandidate]:
    """Open, public reports of the same category near this one, nearest first."""
    cells = neighbourhood_r10(report.lat, report.lon)
    # A pentagon's ring has one cell fewer; ids below zero are no cell's.
    cells += [-1 - i for i in range(_RING - len(cells))]
    nearby = _NEARBY.all(
        shape=(limit,),
        category_id=report.category_id,
        cells=tuple(cells),
        since=timezone.now() - timedelta(days=settings.DUPLICATE_WINDOW_DAYS),
        report_id=report.id,
        lat=report.lat,
        lon=report.lon,
        east_scale=math.cos(math.radians(report.lat)),
    )
    found = [
        DuplicateCandidate(other, distance_m(report.lat, report.lon, other.lat, other.lon))
        for other in nearby
    ]
    found = [c for c in found if c.distance_m <= settings.DUPLICATE_RADIUS_M]
    found.sort(key=lambda c: c.distance_m)
    return found


# A report, its timeline and its photos are read on every view of it.
_REPORT = Statement(lambda report_id: Report.objects.filter(id=report_id), report_id=STAND_IN_UUID)
# Internal notes are the staff's; no resident sees them, the reporter included.
_PUBLIC_EVENTS = Statement(
    lambda report_id: (
        ReportEvent.objects.filter(report_id=report_id, is_public=True)
        .select_related("actor")
        .only("kind", "created_at", "message", "data", "actor__role")
    ),
    report_id=STAND_IN_UUID,
)
_ALL_PHOTOS = Statement(
    lambda report_id: Photo.objects.filter(report_id=report_id).order_by("created_at"),
    report_id=STAND_IN_UUID,
)
_SHOWN_PHOTOS = Statement(
    lambda report_id: Photo.objects.filter(
        report_id=report_id, state=PhotoState.READY, hidden=False
    ).order_by("created_at"),
    report_id=STAND_IN_UUID,
)


def visible_report(report_id: uuid.UUID, viewer: User | None) -> Report:
    """A report the viewer may see: their own always, others' when public."""
    report = _REPORT.first(report_id=report_id)
    if report is None:
        raise NotFound(_("No such report."))
    is_reporter = viewer is not None and viewer.id == report.reporter_id
    if report.visibility != Visibility.PUBLIC and not is_reporter:
        raise NotFound(_("No such report."))
    return report


def timeline_and_photos(report: Report, is_mine: bool) -> tuple[list[ReportEvent], list[Photo]]:
    """What a resident is shown of a report's timeline and photos: its reporter
    sees every photo (one still being processed, one a moderator hid), others
    only those ready and shown."""
    photos = _ALL_PHOTOS if is_mine else _SHOWN_PHOTOS
    return _PUBLIC_EVENTS.all(report_id=report.id), photos.all(report_id=report.id)


@transaction.atomic
def support_report(report_id: uuid.UUID, resident: User) -> tuple[Report, bool]:
    """Say "me too": counted once per resident, who then follows the report."""
    report = visible_report(report_id, resident)
    if report.reporter_id == resident.id:
        raise ServiceError(_("You reported this problem yourself."), code="own_report", status=409)
    if not report.is_open:
        raise ServiceError(_("This report is no longer open."), code="report_not_open", status=409)
    follower, _created = Follower.objects.get_or_create(report=report, user=resident)
    if follower.supported:
        return report, False
    follower.supported = True
    follower.save(update_fields=["supported"])
    Report.objects.filter(id=report.id).update(support_count=F("support_count") + 1)
    report.refresh_from_db(fields=["support_count"])
    record_event(report, EventKind.SUPPORTED, actor=resident, is_public=True)
    return report, True
