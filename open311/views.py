"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), beside the native API.

Requests posted here (`open311.posts`) are routed, screened and handled
exactly like the app's: they go through the same `create_report`. Only what
the public may see is served. Errors are the spec's list of {code, description}: 403 for a bad or
missing api_key, 404 for an unknown resource, 400 for anything else.
"""

from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from backend.areas.hierarchy import area_by_code, within
from backend.catalogue.active import active_categories, active_category
from backend.catalogue.attributes import localized_questions
from backend.catalogue.models import Category
from backend.errors import ServiceError, undo_request_writes
from backend.i18n import localized
from backend.photos.models import Photo, PhotoState
from backend.reports.models import (
    OPEN_STATUSES,
    EventKind,
    Report,
    ReportEvent,
    Status,
    Visibility,
)
from open311.formats import Open311Error, errors, render
from open311.posting import token_report
from open311.posts import create_request, create_update, optional_client
from open311.statuses import fixmystreet_status, open_or_closed

MAX_DESCRIPTION = 4000
MAX_RANGE = timedelta(days=90)
MAX_PAGE = 1000


def endpoint(view):
    """Check jurisdiction_id, treat empty parameters as absent, speak the spec's errors."""

    @wraps(view)
    def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        params = request.GET if request.method == "GET" else request.POST
        jurisdiction = params.get("jurisdiction_id") or ""
        try:
            if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION_ID:
                raise Open311Error(404, f"jurisdiction_id {jurisdiction!r} not found")
            return view(request, fmt, **kwargs)
        except Open311Error as error:
            undo_request_writes()
            return errors(fmt, error.status, error.description)
        except ServiceError as error:
            undo_request_writes()
            return errors(fmt, _open311_status(error.status), error.message, error.headers)

    return csrf_exempt(wrapper)


def _open311_status(status: int) -> int:
    """The statuses GeoReport v2 clients know: 403 for any sign-in problem, 404,
    429 (with Retry-After) for a rate limit, 400 for the rest."""
    if status in (401, 403):
        return 403
    return status if status in (404, 429) else 400


def _param(request: HttpRequest, name: str) -> str | None:
    value = request.GET.get(name, "").strip()
    return value or None  # an empty optional parameter is an absent one


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": localized(category, "name"),
        "description": localized(category, "description"),
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    # No trailing slash: clients append "/services.xml" to it.
    production = request.build_absolute_uri("/open311/v2")
    changeset = "2026-12-02T00:00:00+07:00"
    endpoint = {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "changeset": changeset,
        "formats": ["text/xml", "application/json"],
    }
    data = {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT or _("Ask this service's administrators."),
        "key_service": settings.OPEN311_KEY_SERVICE
        or _("An api_key for posting requests is issued by this service's administrators."),
        "endpoints": [
            {**endpoint, "url": production, "type": "production"},
            {**endpoint, "url": settings.OPEN311_TEST_URL or production, "type": "test"},
        ],
    }
    return render(data, fmt, "discovery", None)


@endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render([_service(c) for c in active_categories()], fmt, "services", "service")


@endpoint
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    category = active_category(service_code)
    if category is None:
        raise Open311Error(404, f"service_code {service_code!r} not found")
    attributes = [
        {
            "variable": True,
            "code": question["code"],
            "datatype": question.get("datatype", "string"),
            "required": bool(question.get("required")),
            "datatype_description": question.get("datatype_description", ""),
            "order": order,
            "description": question.get("description", ""),
            "values": [{"key": v["key"], "name": v["name"]} for v in question.get("values", [])],
        }
        for order, question in enumerate(localized_questions(category), start=1)
    ]
    data = {"service_code": category.code, "attributes": attributes}
    return render(data, fmt, "service_definition", None)


def _public_requests(reports: list[Report], request: HttpRequest) -> list[dict]:
    ids = [r.id for r in reports]
    notes: dict = {}
    staff_words = (
        ReportEvent.objects.filter(
            report_id__in=ids,
            is_public=True,
            kind__in=[EventKind.COMMENT, EventKind.STATUS_CHANGED],
        )
        .exclude(message="")
        .order_by("created_at")
    )
    for event in staff_words:
        notes[event.report_id] = event.message
    media: dict = {}
    photos = Photo.objects.filter(report_id__in=ids, state=PhotoState.READY, hidden=False).order_by(
        "-created_at"
    )
    for photo in photos:
        media[photo.report_id] = request.build_absolute_uri(photo.large.url)
    return [
        {
            "service_request_id": r.reference,
            "status": open_or_closed(r.status),
            "status_notes": notes.get(r.id, ""),
            "service_name": localized(r.category, "name"),
            "service_code": r.category.code,
            "description": r.public_description,
            "agency_responsible": r.unit.name if r.unit else "",
            "service_notice": "",
            "requested_datetime": _time(r.created_at),
            "updated_datetime": _time(r.updated_at),
            "expected_datetime": _time(r.due_at),
            "address": r.public_address,
            "address_id": "",
            "zipcode": "",
            "lat": r.lat,
            "long": r.lon,
            "media_url": media.get(r.id, ""),
        }
        for r in reports
    ]


def _date(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C datetime, e.g. 2026-11-01T00:00:00+07:00"
        ) from None
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _page_number(value: str | None, name: str, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise Open311Error(400, f"{name} must be a positive whole number")
    return min(int(value), maximum)


def _date_range(request: HttpRequest, default: timedelta) -> tuple[datetime, datetime]:
    start = _date(_param(request, "start_date"), "start_date")
    end = _date(_param(request, "end_date"), "end_date") or timezone.now()
    start = start or end - default
    if end - start > MAX_RANGE:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    reports = Report.objects.filter(visibility=Visibility.PUBLIC).select_related("category", "unit")
    wanted_ids = _param(request, "service_request_id")
    if wanted_ids:
        reports = reports.filter(reference__in=[i.strip().upper() for i in wanted_ids.split(",")])
    else:
        start, end = _date_range(request, default=MAX_RANGE)
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
        codes = _param(request, "service_code")
        if codes:
            reports = reports.filter(category__code__in=[c.strip() for c in codes.split(",")])
        area_code = _param(request, "area")  # an extension: an area's code, of any level
        if area_code:
            area = area_by_code(area_code)
            reports = reports.filter(within(area)) if area else reports.none()
        statuses = _param(request, "status")
        if statuses:
            wanted = {s.strip() for s in statuses.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status is open, closed, or both")
            if wanted == {"open"}:
                reports = reports.filter(status__in=OPEN_STATUSES)
            elif wanted == {"closed"}:
                reports = reports.exclude(status__in=OPEN_STATUSES)
    page = _page_number(_param(request, "page"), "page", 1, 10**6)
    size = _page_number(_param(request, "page_size"), "page_size", MAX_PAGE, MAX_PAGE)
    rows = list(reports.order_by("-created_at", "-id")[(page - 1) * size : page * size])
    return render(_public_requests(rows, request), fmt, "service_requests", "request")


@endpoint
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return create_request(request, fmt)
    if request.method != "GET":
        raise Open311Error(400, "GET or POST")
    return _list_requests(request, fmt)


@endpoint
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    report = (
        Report.objects.filter(visibility=Visibility.PUBLIC, reference=service_request_id.upper())
        .select_related("category", "unit")
        .first()
    )
    if report is None:
        raise Open311Error(404, f"service_request_id {service_request_id!r} not found")
    return render(_public_requests([report], request), fmt, "service_requests", "request")


@endpoint
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """A token names its report as soon as the report exists, held for review
    or not: the client keeps the id, and the report shows once published."""
    report = token_report(token)
    if report is None:
        raise Open311Error(404, "token not found")
    data = [{"service_request_id": report.reference, "token": token}]
    return render(data, fmt, "service_requests", "request")


@endpoint
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return create_update(request, fmt)
    if request.method != "GET":
        raise Open311Error(400, "GET or POST")
    return _list_updates(request, fmt)


def _list_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """The updates extension (GeoReport v2 servicerequestupdates, as FixMyStreet
    polls it): each public status change and public reply on a public report
    whose time, to the second as shown, lies within start_date..end_date (both
    included; default: the last day), oldest first. An update's id is its
    timeline entry's, the same at every poll. A client whose account asks for
    them gets FixMyStreet's extended statuses."""
    client = optional_client(request)
    start, end = _date_range(request, default=timedelta(days=1))
    # Times are shown to the second: an update shown at end_date's second is in.
    start, end = start.replace(microsecond=0), end.replace(microsecond=0) + timedelta(seconds=1)
    events = (
        ReportEvent.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            is_public=True,
            kind__in=[EventKind.STATUS_CHANGED, EventKind.COMMENT],
            report__visibility=Visibility.PUBLIC,
        )
        .select_related("report")
        .order_by("created_at", "id")[:MAX_PAGE]
    )
    listed = list(events)
    status_after = _statuses_after(listed)
    extended = client is not None and client.extended_statuses
    data = [
        {
            "update_id": str(event.id),
            "service_request_id": event.report.reference,
            "status": (fixmystreet_status if extended else open_or_closed)(status_after[event.id]),
            "external_status_code": status_after[event.id],
            "updated_datetime": _time(event.created_at),
            "description": event.message,
            "media_url": "",
        }
        for event in listed
    ]
    return render(data, fmt, "service_request_updates", "request_update")


def _statuses_after(events: list[ReportEvent]) -> dict[int, str]:
    """Each update's report status once it happened: a status change names it; a
    reply keeps the status of the last change before it (one query for all)."""
    changes: dict = {}
    earlier = ReportEvent.objects.filter(
        report_id__in={e.report_id for e in events},
        kind=EventKind.STATUS_CHANGED,
        created_at__lte=max((e.created_at for e in events), default=timezone.now()),
    ).order_by("created_at", "id")
    for change in earlier.values("report_id", "created_at", "id", "data"):
        changes.setdefault(change["report_id"], []).append(
            ((change["created_at"], change["id"]), change["data"].get("to"))
        )
    result = {}
    for event in events:
        moment = (event.created_at, event.id)
        before = [to for at, to in changes.get(event.report_id, []) if at <= moment]
        result[event.id] = before[-1] if before else Status.SUBMITTED
    return result
