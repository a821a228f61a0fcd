"""Periodic jobs, for `rq cron backend/cron.py` (one scheduler process per deployment)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from rq import cron  # noqa: E402

from backend.photos.processing import sweep_unprocessed_photos  # noqa: E402
from backend.photos.retention import purge_private_originals  # noqa: E402
from backend.reports.sla import escalate_overdue  # noqa: E402
from backend.reports.timeline import sweep_undispatched  # noqa: E402
from notifications.delivery import sweep_undelivered  # noqa: E402
from open311.media import sweep_pending_media  # noqa: E402

cron.register(escalate_overdue, "default", interval=300, name="escalate-overdue")
cron.register(sweep_undispatched, "default", interval=60, name="sweep-events")
cron.register(sweep_undelivered, "notifications", interval=60, name="sweep-undelivered")
cron.register(sweep_unprocessed_photos, "default", interval=120, name="sweep-photos")
cron.register(sweep_pending_media, "default", interval=300, name="sweep-open311-media")
cron.register(purge_private_originals, "default", cron="30 3 * * *", name="purge-originals")
