"""Devices, the in-app inbox and notification preferences, for residents and staff."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, field_validator

from backend.accounts.auth import AuthedRequest, ResidentAuth, StaffAuth
from backend.errors import NotFound
from backend.i18n import current_language
from backend.pages import PageQuery, keyset_page
from backend.schema_types import Out, errors
from notifications import devices
from notifications.messages import KINDS, render
from notifications.models import Notification, Platform, Preferences

router = Router(tags=["notifications"], auth=[StaffAuth(), ResidentAuth()])


class DeviceIn(Schema):
    token: str = Field(min_length=20, max_length=512)
    platform: Platform
    app_version: str = Field(default="", max_length=40)
    locale: str = Field(default="vi", max_length=10)


class DeviceOut(Out):
    token: str
    platform: str
    locale: str
    active: bool


@router.post("/devices", response={200: DeviceOut, 201: DeviceOut, **errors(401, 422)})
def register_device(request: AuthedRequest, payload: DeviceIn):
    """Register this phone's FCM token. The same token again moves it to the current
    user (a shared or resold phone) and reactivates it."""
    device, created = devices.register(
        request.auth, payload.token, payload.platform, payload.app_version, payload.locale
    )
    return Status(201 if created else 200, DeviceOut.model_validate(device))


@router.delete("/devices/{token}", response={204: None, **errors(401, 404)})
def unregister_device(request: AuthedRequest, token: str):
    """Sign-out on the phone: no more pushes to it."""
    devices.unregister(request.auth, token)
    return Status(204, None)


class NotificationOut(Out):
    id: int
    kind: str
    title: str
    body: str
    report_id: str | None
    reference: str | None
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, n: Notification, language: str) -> "NotificationOut":
        title, body = render(n.kind, n.params, language)
        return cls(
            id=n.id,
            kind=n.kind,
            title=title,
            body=body,
            report_id=n.params.get("report_id"),
            reference=n.params.get("ref"),
            created_at=n.created_at,
            read=n.read_at is not None,
        )


class InboxPage(Out):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class InboxQuery(PageQuery):
    unread_only: bool = False


@router.get("/me/notifications", response={200: InboxPage, **errors(400, 401, 422)})
def inbox(request: AuthedRequest, query: Query[InboxQuery]):
    """Everything you were told, newest first, in the language of Accept-Language:
    a phone without push (or with it turned off) still sees it all here."""
    mine = Notification.objects.filter(user=request.auth)
    listed = mine.filter(read_at__isnull=True) if query.unread_only else mine
    rows, cursor = keyset_page(listed, query.cursor, query.limit)
    language = current_language()
    return InboxPage(
        items=[NotificationOut.of(n, language) for n in rows],
        next_cursor=cursor,
        unread=mine.filter(read_at__isnull=True).count(),
    )


class UnreadOut(Out):
    unread: int


@router.get("/me/notifications/unread-count", response={200: UnreadOut, **errors(401)})
def unread_count(request: AuthedRequest):
    return UnreadOut(unread=Notification.objects.filter(user=request.auth, read_at=None).count())


@router.post(
    "/me/notifications/{notification_id}/read", response={200: UnreadOut, **errors(401, 404, 422)}
)
def mark_read(request: AuthedRequest, notification_id: int):
    updated = Notification.objects.filter(id=notification_id, user=request.auth)
    if not updated.exists():
        raise NotFound(_("No such notification."))
    updated.filter(read_at=None).update(read_at=timezone.now())
    return unread_count(request)


@router.post("/me/notifications/read-all", response={200: UnreadOut, **errors(401)})
def mark_all_read(request: AuthedRequest):
    Notification.objects.filter(user=request.auth, read_at=None).update(read_at=timezone.now())
    return UnreadOut(unread=0)


class PreferencesIO(Schema):
    model_config = ConfigDict(extra="forbid")

    muted_kinds: list[str] = Field(max_length=len(KINDS))

    @field_validator("muted_kinds")
    @classmethod
    def known_kinds(cls, value: list[str]) -> list[str]:
        unknown = set(value) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kinds: {sorted(unknown)}; known: {KINDS}")
        return sorted(set(value))


@router.get("/me/notification-preferences", response={200: PreferencesIO, **errors(401)})
def get_preferences(request: AuthedRequest):
    prefs = Preferences.objects.filter(user=request.auth).first()
    return PreferencesIO(muted_kinds=prefs.muted_kinds if prefs else [])


@router.put("/me/notification-preferences", response={200: PreferencesIO, **errors(401, 422)})
def set_preferences(request: AuthedRequest, payload: PreferencesIO):
    """Mute kinds of notification (e.g. `reply`); muted ones are neither pushed nor in the inbox."""
    Preferences.objects.update_or_create(
        user=request.auth, defaults={"muted_kinds": payload.muted_kinds}
    )
    return payload
