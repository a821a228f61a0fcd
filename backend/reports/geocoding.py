"""Reverse geocoding: an address for a report sent without one.

Residents often send a pin and no address. When GEOCODER_URL names a
Nominatim-compatible service, a job asks it for the address of the pin
(through geopy, at most one request a second per worker, as Nominatim's usage
policy asks) and fills it in. The resident's own address is never replaced.
Only the coordinates, which are checked numbers, come from the resident; the
service's address is settings, so no request can be steered elsewhere.
"""

import logging
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from geopy.exc import GeocoderQueryError, GeocoderServiceError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from backend.reports.models import Report

logger = logging.getLogger(__name__)


@cache
def _reverse() -> RateLimiter:
    url = urlsplit(settings.GEOCODER_URL)
    geocoder = Nominatim(
        domain=url.netloc + url.path.rstrip("/"),
        scheme=url.scheme,
        user_agent=settings.GEOCODER_USER_AGENT,
        timeout=settings.GEOCODER_TIMEOUT_SECONDS,
    )
    # No retries here: a failing service raises, and rq retries the job with backoff.
    return RateLimiter(
        geocoder.reverse, min_delay_seconds=1, max_retries=0, swallow_exceptions=False
    )


def fill_address(report_id: str) -> str:
    """The job: the address of the report's pin, in the service's first language."""
    report = Report.objects.filter(id=report_id).only("id", "lat", "lon", "address").first()
    if report is None or report.address:
        return "skipped"
    try:
        location = _reverse()(
            (report.lat, report.lon), language=settings.LANGUAGE_CODE, exactly_one=True
        )
    except GeocoderQueryError as error:  # the service refuses this point: no retry helps
        logger.info("no address for report %s: %s", report.id, error)
        return "refused"
    except GeocoderServiceError:
        raise  # unavailable, timed out or rate limited: rq retries with backoff
    if location is None or not location.address:
        return "no address"
    address = location.address[: Report._meta.get_field("address").max_length]
    # Only if still blank: the resident may have added one meanwhile.
    # The geocoder's words, not a resident's: the public sees them as they are.
    Report.objects.filter(id=report.id, address="").update(address=address, public_address=address)
    return "filled"


def reset() -> None:
    """Forget the geocoder (tests that change its settings)."""
    _reverse.cache_clear()
