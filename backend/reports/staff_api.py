"""The staff side: the ticket queue, and the workflow of each ticket."""

from datetime import datetime
from typing import Self
from uuid import UUID

from django.db.models import F, QuerySet
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from backend.accounts.auth import AuthedRequest, StaffAuth
from backend.areas.schemas import UnitOut
from backend.photos.models import Photo, PhotoKind
from backend.photos.schemas import PhotoOut
from backend.reports import workflow
from backend.reports.access import staff_tickets, ticket_for
from backend.reports.models import ReportEvent, ReportQuerySet, is_overdue
from backend.reports.models import Status as ReportStatus
from backend.reports.photos import add_report_photo
from backend.reports.queue import QueueQuery, queue_counts, ticket_page
from backend.reports.schemas import EventOut, ReportSummaryOut, Shared
from backend.schema_types import Out, errors

router = Router(tags=["staff"], auth=StaffAuth())


# A page of tickets is read as rows of these columns, no model made: what a
# report's summary shows, and what a ticket adds.
TICKET_COLUMNS = (
    "id", "reference", "category_id", "description", "status", "lat", "lon", "area_id",
    "support_count", "created_at", "priority", "due_at", "escalation_level", "reopened_count",
    "address", "unit_id", "assignee_name",
)  # fmt: skip


def with_assignee_name(tickets: QuerySet) -> QuerySet:
    return tickets.annotate(assignee_name=F("assignee__username"))


def ticket_rows(tickets: ReportQuerySet) -> QuerySet:
    return with_assignee_name(tickets).values_list(*TICKET_COLUMNS, named=True)


class TicketOut(ReportSummaryOut):
    priority: str
    due_at: datetime
    overdue: bool
    unit: UnitOut | None
    assignee: str | None
    escalation_level: int
    reopened_count: int
    address: str

    @classmethod
    def of_ticket(cls, ticket, shared: Shared | None = None, **more) -> Self:
        """A ticket: a report with `assignee_name`, or a page's row of TICKET_COLUMNS."""
        shared = shared or Shared()
        return cls.of(
            ticket,
            as_reporter=True,
            shared=shared,
            priority=ticket.priority,
            due_at=ticket.due_at,
            overdue=is_overdue(ticket.status, ticket.due_at, shared.now),
            unit=shared.unit(ticket.unit_id),
            assignee=ticket.assignee_name,
            escalation_level=ticket.escalation_level,
            reopened_count=ticket.reopened_count,
            address=ticket.address,
            **more,
        )


class TicketDetailOut(TicketOut):
    allowed_transitions: list[str]
    photos: list[PhotoOut]
    timeline: list[EventOut]


class TicketPage(Out):
    items: list[TicketOut]
    next_cursor: str | None


@router.get("/staff/tickets", response={200: TicketPage, **errors(400, 401, 422)})
def ticket_queue(request: AuthedRequest, query: Query[QueueQuery]):
    """The tickets in your scope (your unit's; those managed within your area for a manager), due
    first or newest first, filtered; cursor-paginated."""
    rows, cursor = ticket_page(request.auth, query, ticket_rows)
    shared = Shared()
    return TicketPage(items=[TicketOut.of_ticket(r, shared) for r in rows], next_cursor=cursor)


class CountsOut(Out):
    by_status: dict[str, int]
    overdue: int
    total: int


@router.get("/staff/tickets/counts", response={200: CountsOut, **errors(401, 422)})
def ticket_counts(request: AuthedRequest, query: Query[QueueQuery]):
    """Counts per status for the tabs of the app, with the same filters as the queue."""
    by_status, late = queue_counts(request.auth, query)
    return CountsOut(by_status=by_status, overdue=late, total=sum(by_status.values()))


def _detail(request: AuthedRequest, report) -> TicketDetailOut:
    report = with_assignee_name(staff_tickets(request.auth)).get(id=report.id)
    events = ReportEvent.objects.filter(report=report).select_related("actor")
    photos = Photo.objects.filter(report=report).order_by("created_at")
    return TicketDetailOut.of_ticket(
        report,
        allowed_transitions=workflow.allowed_transitions(report),
        photos=[PhotoOut.of(p, is_uploader=True) for p in photos],
        timeline=[EventOut.of(e) for e in events],
    )


@router.get("/staff/tickets/{report_id}", response={200: TicketDetailOut, **errors(401, 404, 422)})
def get_ticket(request: AuthedRequest, report_id: UUID):
    """A ticket with its whole timeline, internal notes included."""
    return _detail(request, ticket_for(request.auth, report_id))


class StatusIn(Schema):
    status: ReportStatus
    message: str = Field(default="", max_length=2000)


CHANGE_ERRORS = errors(401, 403, 404, 409, 422)


@router.post("/staff/tickets/{report_id}/status", response={200: TicketDetailOut, **CHANGE_ERRORS})
def set_status(request: AuthedRequest, report_id: UUID, payload: StatusIn):
    """Move the ticket on. 409 lists the allowed statuses when this one is not."""
    report = workflow.change_status(report_id, request.auth, payload.status, payload.message)
    return _detail(request, report)


class AssignIn(Schema):
    assignee_id: int | None = Field(description="A staff member of the unit; null unassigns")


@router.post("/staff/tickets/{report_id}/assign", response={200: TicketDetailOut, **CHANGE_ERRORS})
def assign_ticket(request: AuthedRequest, report_id: UUID, payload: AssignIn):
    return _detail(request, workflow.assign(report_id, request.auth, payload.assignee_id))


class TransferIn(Schema):
    unit: str = Field(min_length=1, max_length=60)
    reason: str = Field(min_length=1, max_length=1000)


class TransferOut(Out):
    id: UUID
    unit: UnitOut


@router.post("/staff/tickets/{report_id}/transfer", response={200: TransferOut, **CHANGE_ERRORS})
def transfer_ticket(request: AuthedRequest, report_id: UUID, payload: TransferIn):
    """Send a misrouted ticket to another unit; it leaves your queue."""
    report = workflow.transfer(report_id, request.auth, payload.unit, payload.reason)
    return TransferOut(id=report.id, unit=UnitOut.of(report.unit))


class MergeIn(Schema):
    into: UUID


@router.post("/staff/tickets/{report_id}/merge", response={200: TicketDetailOut, **CHANGE_ERRORS})
def merge_ticket(request: AuthedRequest, report_id: UUID, payload: MergeIn):
    """Close this ticket as a duplicate of `into`; followers and supporters move over."""
    return _detail(request, workflow.merge(report_id, request.auth, payload.into))


class CommentIn(Schema):
    message: str = Field(min_length=1, max_length=2000)
    public: bool = Field(description="A public reply the resident sees, or an internal note")


@router.post(
    "/staff/tickets/{report_id}/comments", response={200: TicketDetailOut, **CHANGE_ERRORS}
)
def comment_ticket(request: AuthedRequest, report_id: UUID, payload: CommentIn):
    return _detail(
        request, workflow.comment(report_id, request.auth, payload.message, payload.public)
    )


@router.post(
    "/staff/tickets/{report_id}/photos",
    response={200: PhotoOut, 201: PhotoOut, **errors(400, 401, 403, 404, 409, 413, 415, 422)},
)
def upload_after_photo(
    request: AuthedRequest,
    report_id: UUID,
    photo: File[UploadedFile],
    photo_id: Form[UUID | None] = None,
):
    """An "after" photo of the fix, through the same checks and processing as residents'."""
    report = ticket_for(request.auth, report_id, to_change=True)
    saved, created = add_report_photo(
        report, request.auth, photo.read(), photo_id=photo_id, kind=PhotoKind.AFTER
    )
    return Status(201 if created else 200, PhotoOut.of(saved, is_uploader=True))
