"""What an Open311 client posts: new requests and updates to them.

A client retries what it did not hear back about (FixMyStreet posts a request
again after five unanswered token polls, an update again after a timeout), so
both are idempotent: a request by what it says (`request_key`), an update by
the client's own `update_id`. Each client's posts are taken one at a time (a
lock on its row), so a retry racing the first try finds it, and the client's
rate is counted exactly.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.accounts.residents import resident_for_contact
from backend.errors import ServiceError
from backend.jobs import enqueue_on_commit
from backend.reports.history import over_hourly_limit
from backend.reports.models import Report, Source, Visibility
from backend.reports.photos import add_report_photo
from backend.reports.services import NewReport, create_report
from backend.reports.workflow import resident_comment
from open311.media import allowed_media_url, fetch_media
from open311.models import ClientApplication, ClientRequest, ClientUpdate, PendingMedia

MAX_MEDIA = 5  # photos (media_url values and file parts) taken from one post


@dataclass(frozen=True)
class Contact:
    """Who the client reports for: an email, a phone or a device id; all blank
    for its anonymous residents."""

    email: str = ""
    phone: str = ""
    device_id: str = ""
    first_name: str = ""
    last_name: str = ""

    @property
    def key(self) -> str:
        return (self.email or self.phone or self.device_id).strip().lower()


@dataclass(frozen=True)
class Media:
    urls: list[str] = field(default_factory=list)
    # (name of the form part, its bytes) for photos sent in the post itself.
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Posted:
    report: Report
    replayed: bool = False
    notices: list[str] = field(default_factory=list)


def request_key(client: ClientApplication, contact: Contact, new: NewReport) -> str:
    """What makes two posts the same request: the contact, the service, the
    place (to about a metre) and the text (whatever its line endings and spacing)."""
    content = [
        client.id,
        contact.key,
        new.category_code,
        round(new.lat, 5),
        round(new.lon, 5),
        " ".join(new.description.split()),
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _locked(client: ClientApplication) -> ClientApplication:
    return ClientApplication.objects.select_for_update().get(id=client.id)


def _requests_per_hour(client: ClientApplication) -> int:
    return client.requests_per_hour or settings.OPEN311_CLIENT_REQUESTS_PER_HOUR


def check_client_rate(client: ClientApplication, now: datetime) -> None:
    """At most the client's requests_per_hour new requests an hour, all its
    residents together; it may post again once its oldest of the hour is an hour old."""
    limit = _requests_per_hour(client)
    hour = ClientRequest.objects.filter(
        client=client, created_at__gte=now - timedelta(hours=1)
    ).aggregate(count=Count("report_id"), oldest=Min("created_at"))
    if hour["count"] >= limit:
        raise over_hourly_limit(limit, hour["oldest"], now)


def _resident(client: ClientApplication, contact: Contact) -> User:
    return resident_for_contact(
        str(client.id),
        contact.key,
        email=contact.email,
        phone=contact.phone,
        first_name=contact.first_name,
        last_name=contact.last_name,
    )


@transaction.atomic
def post_request(
    client: ClientApplication, contact: Contact, new: NewReport, media: Media
) -> Posted:
    """A client's new request: its first report again if it was posted already
    within OPEN311_REPLAY_WINDOW_HOURS, else a new report made like the app's,
    with its photos."""
    client = _locked(client)
    now = timezone.now()
    key = request_key(client, contact, new)
    window = now - timedelta(hours=settings.OPEN311_REPLAY_WINDOW_HOURS)
    earlier = (
        ClientRequest.objects.filter(client=client, request_key=key, created_at__gte=window)
        .select_related("report")
        .order_by("-created_at")
        .first()
    )
    if earlier is not None:
        return Posted(earlier.report, replayed=True)
    check_client_rate(client, now)
    # A client's anonymous residents are one account: the client's own limit
    # is theirs, not one resident's.
    per_hour = None if contact.key else _requests_per_hour(client)
    reporter = _resident(client, contact)
    report = create_report(reporter, new, source=Source.OPEN311, reports_per_hour=per_hour).report
    ClientRequest.objects.create(client=client, report=report, request_key=key, created_at=now)
    return Posted(report, notices=add_media(report, reporter, media))


def add_media(report: Report, uploader: User, media: Media) -> list[str]:
    """The post's photos, through the photo path (checked, screened, processed):
    file parts now, media_urls by a job. What is not taken is said, in
    English like the rest of Open311's words for integrators."""
    notices = []
    urls = [url for url in media.urls if url]
    if len(media.files) + len(urls) > MAX_MEDIA:
        notices.append(f"Only the first {MAX_MEDIA} photos of a post are taken.")
    files = media.files[:MAX_MEDIA]
    for name, data in files:
        try:
            with transaction.atomic():
                add_report_photo(report, uploader, data)
        except ServiceError as error:
            notices.append(f"The file {name!r} was not taken: {error.code}.")
    for url in urls[: MAX_MEDIA - len(files)]:
        if len(url) > 2000 or not allowed_media_url(url):
            notices.append(f"The media_url {url[:200]!r} was not fetched: its host is not allowed.")
            continue
        pending = PendingMedia.objects.create(report=report, url=url)
        enqueue_on_commit(fetch_media, pending.id)
    return notices


@dataclass(frozen=True)
class NewUpdate:
    update_id: str
    description: str
    # The client's status for the report (FixMyStreet: OPEN, CLOSED, FIXED, ...).
    status: str = ""
    updated_datetime: str = ""
    media_url: str = ""


@transaction.atomic
def post_update(
    client: ClientApplication, report: Report, contact: Contact, new: NewUpdate
) -> tuple[str, list[str]]:
    """A resident's comment or mark from the client, on the report's timeline
    (screened like a report's text); the same update_id again answers the
    first one. Returns our update_id and what was not taken. The client's
    status is told to staff, not applied: the unit decides the ticket's status."""
    client = _locked(client)
    earlier = ClientUpdate.objects.filter(client=client, update_id=new.update_id).first()
    if earlier is not None:
        return str(earlier.event_id), []
    resident = _resident(client, contact)
    message = new.description.strip()
    if new.status:
        message = message or _("Marked %(status)s by the resident.") % {"status": new.status}
    data = {
        "client": client.name,
        "client_update_id": new.update_id,
        "client_status": new.status,
        "client_updated_datetime": new.updated_datetime,
    }
    event = resident_comment(report, resident, message, data)
    ClientUpdate.objects.create(client=client, update_id=new.update_id, event=event)
    notices = add_media(report, resident, Media(urls=[new.media_url]))
    if not event.is_public:
        notices.append("The update was given to staff but not published.")
    return str(event.id), notices


def client_report(client: ClientApplication, reference: str) -> Report | None:
    """A report the client may post updates to: a public one, or one it sent."""
    report = Report.objects.filter(reference=reference.strip().upper()).first()
    if report is None:
        return None
    if (
        report.visibility == Visibility.PUBLIC
        or ClientRequest.objects.filter(client=client, report=report).exists()
    ):
        return report
    return None


def token_report(token: str) -> Report | None:
    """The report a token names, held or not (tokens are only given to the client)."""
    try:
        report_id = uuid.UUID(token)
    except ValueError:
        return None
    return Report.objects.filter(id=report_id, source=Source.OPEN311).first()
