"""Open311's two POSTs, read from the client's form: a new request and an
update to one. What they mean (idempotency, the client's limit, screening) is
`open311.posting`; here each field is read and checked, in the spec's errors."""

import uuid

from django.http import HttpRequest, HttpResponse

from backend.catalogue.active import active_category
from backend.reports.models import Visibility
from backend.reports.services import NewReport
from open311.formats import Open311Error, render
from open311.models import ClientApplication, hash_key
from open311.posting import (
    Contact,
    Media,
    NewUpdate,
    client_report,
    post_request,
    post_update,
)

MAX_DESCRIPTION = 4000


def client_of(request: HttpRequest) -> ClientApplication:
    """The client whose api_key the request carries (a POST's form, a GET's query)."""
    params = request.GET if request.method == "GET" else request.POST
    key = params.get("api_key", "")
    client = (
        ClientApplication.objects.filter(key_hash=hash_key(key), active=True).first()
        if key
        else None
    )
    if client is None:
        raise Open311Error(403, "api_key is missing or not valid")
    return client


def optional_client(request: HttpRequest) -> ClientApplication | None:
    """A read's client, when it names itself: a wrong key is still a 403."""
    return client_of(request) if request.GET.get("api_key") else None


def _contact(post) -> Contact:
    return Contact(
        email=post.get("email", "")[:254],
        phone=post.get("phone", "")[:20],
        device_id=(post.get("device_id") or post.get("deviceid") or "")[:100],
        first_name=post.get("first_name", "")[:150],
        last_name=post.get("last_name", "")[:150],
    )


def _attributes(post) -> dict:
    found: dict = {}
    for key in post:
        if key.startswith("attribute[") and key.endswith("[]"):
            found[key[len("attribute[") : -3]] = post.getlist(key)
        elif key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = post.get(key)
    return found


def _number(post, name: str) -> float | None:
    value = (post.get(name) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None


def _text(post, name: str) -> str:
    """A text field with its line endings made one (forms send CRLF)."""
    return (post.get(name) or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _media(request: HttpRequest) -> Media:
    """media_url (repeated, as FixMyStreet sends several) and every file part
    (`media` from python-three, `photo1`... from FixMyStreet's uploads)."""
    files = [
        (upload.name or name, upload.read())
        for name, uploads in request.FILES.lists()
        for upload in uploads
    ]
    return Media(urls=request.POST.getlist("media_url"), files=files)


def create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = client_of(request)
    post = request.POST
    code = (post.get("service_code") or "").strip()
    category = active_category(code)
    if category is None:
        raise Open311Error(400, f"service_code {code!r} is not a service of this jurisdiction")
    lat, lon = _number(post, "lat"), _number(post, "long")
    if lat is None or lon is None:
        raise Open311Error(400, "lat and long are required: addresses alone are not geocoded here")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Open311Error(400, "lat or long is out of range")
    description = _text(post, "description")
    if not description:
        raise Open311Error(400, "description is required")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    new = NewReport(
        id=uuid.uuid4(),
        category_code=category.code,
        description=description,
        lat=lat,
        lon=lon,
        address=_text(post, "address_string")[:300],
        attributes=_attributes(post),
    )
    posted = post_request(client, _contact(post), new, _media(request))
    report = posted.report
    if report.visibility == Visibility.PUBLIC:
        entry = {"service_request_id": report.reference, "account_id": None}
    else:
        entry = {"token": str(report.id)}
        posted.notices.insert(0, "Waiting for moderation.")
    if posted.replayed:
        posted.notices.insert(0, "This request was received before; this is its first answer.")
    data = [{**entry, "service_notice": " ".join(posted.notices)}]
    return render(data, fmt, "service_requests", "request")


def create_update(request: HttpRequest, fmt: str) -> HttpResponse:
    """FixMyStreet's update POST: a resident's comment or "fixed" mark on a
    report the client sent (or any public one), idempotent on its update_id."""
    client = client_of(request)
    post = request.POST
    update_id = (post.get("update_id") or post.get("update_id_ext") or "").strip()
    if not update_id or len(update_id) > 100:
        raise Open311Error(400, "update_id is required (at most 100 characters)")
    reference = (post.get("service_request_id") or "").strip()
    report = client_report(client, reference) if reference else None
    if report is None:
        raise Open311Error(404, f"service_request_id {reference!r} not found")
    description = _text(post, "description")
    status = (post.get("status") or "").strip().upper()[:40]
    if not description and not status:
        raise Open311Error(400, "description is required")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    new = NewUpdate(
        update_id=update_id,
        description=description,
        status=status,
        updated_datetime=(post.get("updated_datetime") or "")[:40],
        media_url=(post.get("media_url") or "").strip(),
    )
    our_id, notices = post_update(client, report, _contact(post), new)
    data = [{"update_id": our_id, "service_notice": " ".join(notices)}]
    return render(data, fmt, "service_request_updates", "request_update")
