"""Delivering notifications as pushes: the rq job, and the sweep that catches strays.

At least once, and once per (notification, device) when it succeeds: each
delivery row is claimed (pending -> sending) before it is sent, so two jobs
for the same notification (the job and a sweep, say) never both send it.
Dead tokens deactivate their device; passing failures (quota, FCM down)
stay pending and the job raises so that rq retries it with backoff; after
MAX_ATTEMPTS a delivery is failed, and the notification stays in the inbox.
"""

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from backend.jobs import enqueue
from notifications.messages import render
from notifications.models import Delivery, DeliveryState, Device

logger = logging.getLogger(__name__)

# The apps register FCM registration tokens, which FCM HTTP v1 takes as
# `message.token`; firebase-admin 7 nudges towards installation ids instead.
warnings.filterwarnings(
    "ignore", message="Message.token is deprecated", category=DeprecationWarning
)

BATCH = 500  # FCM's limit for send_each; settings.FCM_BATCH_SIZE may lower it
MAX_ATTEMPTS = 5
DEAD_TOKEN_CODES = {"UnregisteredError", "SenderIdMismatchError"}
RETRY_CODES = {"QuotaExceededError", "UnavailableError", "InternalError", "UnknownError"}


# What a push needs of its delivery, device and notification: a fan-out claims
# thousands at a time.
PUSH_FIELDS = (
    "attempts", "device__token", "device__locale", "notification__kind",
    "notification__params",
)  # fmt: skip


class DeliveryRetry(Exception):
    """Some pushes failed for a passing reason; rq retries the job."""


@dataclass
class DeliveryResult:
    sent: int = 0
    dead_tokens: int = 0
    to_retry: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _claimable() -> Q:
    """Deliveries a job may take: waiting, or claimed by a job that has
    evidently died (longer ago than the claim timeout)."""
    stale = timezone.now() - timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS)
    return Q(state=DeliveryState.PENDING) | Q(state=DeliveryState.SENDING, claimed_at__lt=stale)


def _claimable_rows(notification_ids: list[int]) -> list[Delivery]:
    rows = (
        Delivery.objects.filter(
            _claimable(), notification_id__in=notification_ids, device__active=True
        )
        .select_related("device", "notification")
        .only(*PUSH_FIELDS)
        .order_by("id")
    )
    return list(rows)


def _take(rows: list[Delivery]) -> list[Delivery]:
    """Claim these deliveries (to sending) in one statement, and return those
    that are ours: a row another job claimed since it was read is not."""
    now = timezone.now()
    ids = [row.id for row in rows]
    taken = Delivery.objects.filter(_claimable(), id__in=ids).update(
        state=DeliveryState.SENDING, claimed_at=now
    )
    if taken < len(rows):
        ours = set(
            Delivery.objects.filter(
                id__in=ids, state=DeliveryState.SENDING, claimed_at=now
            ).values_list("id", flat=True)
        )
        rows = [row for row in rows if row.id in ours]
    return rows


def _message(delivery: Delivery):
    from firebase_admin import messaging

    notification = delivery.notification
    title, body = render(notification.kind, notification.params, delivery.device.locale)
    # FCM data values must be strings.
    data = {
        "kind": notification.kind,
        "notification_id": str(notification.id),
        "report_id": str(notification.params.get("report_id", "")),
        "reference": str(notification.params.get("ref", "")),
    }
    with warnings.catch_warnings():
        # The apps register FCM registration tokens, which FCM HTTP v1 takes as
        # `message.token`; firebase-admin 7 nudges towards installation ids.
        warnings.filterwarnings("ignore", "Message.token is deprecated", DeprecationWarning)
        return messaging.Message(
            token=delivery.device.token,
            notification=messaging.Notification(title=title, body=body),
            data=data,
            android=messaging.AndroidConfig(priority="high", collapse_key=notification.kind),
        )


def _is_dead_token(error: Exception) -> bool:
    name = type(error).__name__
    if name in DEAD_TOKEN_CODES:
        return True
    return name == "InvalidArgumentError" and "registration token" in str(error).lower()


def _send_batch(batch: list[Delivery], result: DeliveryResult) -> None:
    if settings.NOTIFICATION_SENDER == "console":
        for delivery in batch:
            title, body = render(
                delivery.notification.kind, delivery.notification.params, delivery.device.locale
            )
            logger.info("push to device %s: %s | %s", delivery.device_id, title, body)
        _mark_sent(batch)
        result.sent += len(batch)
        return
    from notifications.fcm import send_each

    response = send_each([_message(d) for d in batch])
    sent = []
    for delivery, outcome in zip(batch, response.responses, strict=True):
        if outcome.success:
            sent.append(delivery)
            continue
        error = outcome.exception
        reason = f"{type(error).__name__}: {error}"[:300]
        if _is_dead_token(error):
            Device.objects.filter(id=delivery.device_id).update(
                active=False, deactivated_reason=type(error).__name__
            )
            _finish(delivery, DeliveryState.FAILED, reason)
            result.dead_tokens += 1
        elif type(error).__name__ in RETRY_CODES and delivery.attempts + 1 < MAX_ATTEMPTS:
            _finish(delivery, DeliveryState.PENDING, reason)
            result.to_retry += 1
        else:
            _finish(delivery, DeliveryState.FAILED, reason)
            result.failed += 1
        result.errors.append(reason)
    _mark_sent(sent)
    result.sent += len(sent)


def _finish(delivery: Delivery, state: str, reason: str) -> None:
    Delivery.objects.filter(id=delivery.id).update(
        state=state, last_error=reason, attempts=F("attempts") + 1, claimed_at=None
    )


def _mark_sent(deliveries: list[Delivery]) -> None:
    # One statement for the whole batch (a per-row bulk_update is ten times slower).
    Delivery.objects.filter(id__in=[d.id for d in deliveries]).update(
        state=DeliveryState.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        claimed_at=None,
    )


def deliver_notifications(notification_ids: list[int]) -> dict:
    """The rq job: push these notifications to their users' active devices."""
    result = DeliveryResult()
    claimed = _take(_claimable_rows(notification_ids))
    size = max(1, min(BATCH, settings.FCM_BATCH_SIZE))
    for start in range(0, len(claimed), size):
        _send_batch(claimed[start : start + size], result)
    logger.info("delivered %s", result)
    if result.to_retry:
        raise DeliveryRetry(f"{result.to_retry} pushes to retry: {result.errors[:3]}")
    return {"sent": result.sent, "dead_tokens": result.dead_tokens, "failed": result.failed}


def sweep_undelivered() -> int:
    """Re-queue what is still undelivered a while after it was written: a Redis
    or worker outage between commit and enqueue only delays a notification."""
    old_enough = timezone.now() - timedelta(seconds=settings.DELIVERY_SWEEP_AFTER_SECONDS)
    notification_ids = sorted(
        set(
            Delivery.objects.filter(
                _claimable(),
                created_at__lt=old_enough,
                device__active=True,
            ).values_list("notification_id", flat=True)[:10_000]
        )
    )
    enqueue_deliveries(notification_ids, enqueue)
    return len(notification_ids)


def enqueue_deliveries(notification_ids: list[int], how: Callable = enqueue) -> None:
    """Queue delivery jobs of NOTIFICATIONS_PER_JOB notifications each, so that a
    large fan-out is shared by as many workers as there are."""
    size = settings.NOTIFICATIONS_PER_JOB
    for start in range(0, len(notification_ids), size):
        how(
            deliver_notifications,
            notification_ids[start : start + size],
            queue_name="notifications",
        )
