"""Fetching an Open311 request's media_url: only from configured hosts, with size
and time limits, never following redirects (no server-side request forgery)."""

import ipaddress
import logging
import socket
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from backend.errors import ServiceError
from backend.jobs import enqueue
from backend.reports.models import Report
from backend.reports.photos import add_report_photo
from open311.models import PendingMedia

logger = logging.getLogger(__name__)


def allowed_media_url(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https") and parts.netloc.lower() in settings.OPEN311_MEDIA_HOSTS
    )


def resolves_to_internal_address(url: str) -> bool:
    """Whether the URL's host has an address that is not on the public internet
    (loopback, private, link-local such as cloud metadata): an allowed name
    must not lead into our own network."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return True  # unresolvable: treat as not fetchable
    return not addresses or any(
        not ipaddress.ip_address(str(a).split("%")[0]).is_global for a in addresses
    )


def fetch_media(pending_id: int) -> str:
    """The job: fetch a pending media_url and add it to its report as a photo.
    It stays pending (for rq's retries, then the sweep's) only while a network
    error may pass; whatever the outcome otherwise, it is done with."""
    pending = PendingMedia.objects.filter(id=pending_id).select_related("report__reporter")
    media = pending.first()
    if media is None:
        return "skipped"  # fetched or refused already
    pending.update(attempts=F("attempts") + 1)
    outcome = fetch_into_report(media.report, media.url)  # raises on a network error
    pending.delete()
    return outcome


def fetch_into_report(report: Report, url: str) -> str:
    if not allowed_media_url(url):
        return "refused"
    if not settings.OPEN311_MEDIA_ALLOW_INTERNAL and resolves_to_internal_address(url):
        logger.warning("media_url %s resolves to an internal address; not fetched", url)
        return "refused"
    limit = settings.PHOTO_MAX_BYTES
    try:
        with requests.get(url, stream=True, timeout=(3, 10), allow_redirects=False) as response:
            if response.status_code != 200:
                return f"status {response.status_code}"
            if int(response.headers.get("Content-Length") or 0) > limit:
                return "too large"
            data = b""
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > limit:
                    return "too large"
    except requests.RequestException as error:
        logger.info("media_url %s not fetched: %s", url, error)
        raise  # a passing network error: rq retries
    try:
        add_report_photo(report, report.reporter, data)
    except ServiceError as error:
        logger.info("media_url %s is not a usable photo: %s", url, error.message)
        return "refused"
    return "added"


MAX_FETCHES = 10  # rq's five tries, twice over; then the URL is given up


def sweep_pending_media(limit: int = 500) -> int:
    """Queue again the media_urls still pending a while after their request came."""
    waited = timezone.now() - timedelta(seconds=settings.OPEN311_MEDIA_SWEEP_AFTER_SECONDS)
    stale = PendingMedia.objects.filter(created_at__lt=waited)
    for media in stale.filter(attempts__gte=MAX_FETCHES):
        logger.warning("media_url %s given up after %s fetches", media.url, media.attempts)
        media.delete()
    ids = list(stale.order_by("created_at").values_list("id", flat=True)[:limit])
    for pending_id in ids:
        enqueue(fetch_media, pending_id)
    return len(ids)
