"""Settings for the job worker: `rq worker -c backend.rq_config`.

rq imports this module before it takes its first job; the jobs import Django
models, so Django is set up here. Redis and the queues come from Django's
settings, as they do for the API that enqueues.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from django.conf import settings  # noqa: E402

REDIS_URL = settings.REDIS_URL
QUEUES = ["default", "notifications"]
