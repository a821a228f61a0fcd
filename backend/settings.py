"""Settings, read from the environment (see README "Configuration").

With no environment at all the service runs on its embedded default: a SQLite
file, jobs run in-process, media in a local folder. Production sets
DATABASE_URL, REDIS_URL and SECRET_KEY.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from backend.env import envbool, envfloat, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
# Data read from outside the repository (boundaries, word lists, test photos),
# each with its SOURCES.md; see backend/shared_data.py.
SHARED_DATA_DIR = Path(envstr("SHARED_DATA_DIR", str(BASE_DIR.parent / "shared" / "data")))
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

# Old keys still accepted for signatures while a new SECRET_KEY rolls out.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# HTTPS behind a proxy that sets X-Forwarded-Proto; on by default in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes speak plain HTTP inside the cluster
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Browsers may call the API only from these origins (the app itself is not a browser).
CORS_ALLOWED_ORIGINS = envlist("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/(api|open311)/.*$"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    # Its Swagger UI assets, served from our own static files: the docs work on
    # a closed network, with no CDN.
    "ninja",
    "backend.areas",
    "backend.catalogue",
    "backend.accounts",
    "backend.reports",
    "backend.photos",
    "backend.statistics",
    "backend.demo",
    "moderation",
    "notifications",
    "open311",
    "console",
]

MIDDLEWARE = [
    "mobile_api.limits.RequestSizeLimitMiddleware",
    "mobile_api.limits.ControlCharacterMiddleware",
    "mobile_api.limits.AtomicWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (the docs' and the dashboard's assets) from the app itself,
    # compressed and with far-future caching of hashed names.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mobile_api.fallback.MethodNotAllowedMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# Database: PostgreSQL in production and in the tests; a SQLite file otherwise.
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    is_postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if is_postgresql:
        # Django's backend, reading timestamps faster (backend/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "backend.postgresql"
    if is_postgresql and envbool("DB_PREPARED_STATEMENTS", True):
        # Parameters sent apart from the SQL, and a statement run twice on a
        # connection prepared: PostgreSQL then plans each of the API's queries
        # once per connection instead of on every request (a report's view
        # waited on the database 1.1 ms instead of 0.5). Off behind a pooler in
        # transaction mode that cannot keep prepared statements.
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
        }
    }

# Redis carries the job queue and the shared cache (rate limits, anonymous
# public reads). Without it, jobs run in-process right after the transaction
# commits. CACHE_REDIS_URL gives the cache a Redis of its own, which may evict
# (allkeys-lru) where the queues' must not.
REDIS_URL = envstr("REDIS_URL")
CACHE_REDIS_URL = envstr("CACHE_REDIS_URL", REDIS_URL)
JOBS_INLINE = envbool("JOBS_INLINE", not REDIS_URL)
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "civic"),
            "OPTIONS": {
                # Every use of the cache fails open (django-redis answers as if
                # nothing were kept, and logs it): a public read is computed, a
                # rate limit not counted. An unreachable Redis must cost a
                # request little, never hang it.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Languages: Vietnamese first, then English and Khmer (Accept-Language chooses).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English"), ("km", "ភាសាខ្មែរ")]
TIME_ZONE = envstr("SERVICE_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
# Translations of every word a person reads (`make messages` extracts them):
# locale/{vi,en,km}/LC_MESSAGES/django.po, compiled .mo files beside them.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves it, collected or not
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = envstr("MEDIA_URL", "/media/")

# Photos: originals in private storage (never served), stripped derivatives in
# the public one. Local folders by default; any S3-compatible store with
# S3_BUCKET (and S3_PRIVATE_BUCKET for the originals) through django-storages.
S3_BUCKET = envstr("S3_BUCKET")
if S3_BUCKET:
    _s3 = {
        "endpoint_url": envstr("S3_ENDPOINT_URL") or None,
        "region_name": envstr("S3_REGION") or None,
        "access_key": envstr("S3_ACCESS_KEY_ID") or None,
        "secret_key": envstr("S3_SECRET_ACCESS_KEY") or None,
        "file_overwrite": True,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3,
                "bucket_name": S3_BUCKET,
                "querystring_auth": False,
                "custom_domain": envstr("S3_PUBLIC_DOMAIN") or None,
                "default_acl": "public-read",
            },
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3,
                "bucket_name": envstr("S3_PRIVATE_BUCKET", S3_BUCKET),
                "location": "private",
                "default_acl": "private",
                "querystring_auth": True,
            },
        },
    }
else:
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": MEDIA_ROOT / "public",
                "base_url": f"{MEDIA_URL}public/",
                "allow_overwrite": True,  # a re-run job rewrites its derivatives in place
            },
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT / "private", "allow_overwrite": True},
        },
    }
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}
# Also serve the apps' static folders as they are, so that a checkout needs no
# collectstatic (the image collects them at build time all the same).
WHITENOISE_USE_FINDERS = True

PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 50_000_000, minimum=1)
PHOTOS_PER_REPORT = envint("PHOTOS_PER_REPORT", 5, minimum=1)
PHOTO_LARGE_PX = envint("PHOTO_LARGE_PX", 1280, minimum=64)
PHOTO_THUMB_PX = envint("PHOTO_THUMB_PX", 320, minimum=32)
ORIGINAL_RETENTION_DAYS = envint("ORIGINAL_RETENTION_DAYS", 365, minimum=1)
PHOTO_DERIVATIVE_FORMAT = envstr("PHOTO_DERIVATIVE_FORMAT", "JPEG")
# A photo still waiting this long after upload is queued again by the sweep
# (its job was lost, or its worker died); longer than a busy queue's wait.
PHOTO_SWEEP_AFTER_SECONDS = envint("PHOTO_SWEEP_AFTER_SECONDS", 300, minimum=0)
# A request body larger than this is refused before it is read (413).
MAX_REQUEST_BYTES = PHOTO_MAX_BYTES + 256 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# Residents sign in with Firebase Authentication.
FIREBASE_PROJECT_ID = envstr("FIREBASE_PROJECT_ID", "civic-feedback-dev")
FIREBASE_CREDENTIALS = envstr("FIREBASE_CREDENTIALS")  # path to a service-account JSON
FIREBASE_AUTH_EMULATOR_HOST = envstr("FIREBASE_AUTH_EMULATOR_HOST")
if FIREBASE_AUTH_EMULATOR_HOST and not DEBUG:
    # The emulator accepts unsigned tokens: anyone could sign in as anyone.
    raise ImproperlyConfigured("FIREBASE_AUTH_EMULATOR_HOST is set while DEBUG is off; refusing")

# Push notifications: FCM through firebase-admin, or the console when no
# Firebase credentials are configured (the embedded default).
FCM_ENDPOINT = envstr("FCM_ENDPOINT")  # an FCM-compatible server instead of Google's
FCM_ACCESS_TOKEN = envstr("FCM_ACCESS_TOKEN")  # with FCM_ENDPOINT: its bearer token
FCM_TIMEOUT_SECONDS = envint("FCM_TIMEOUT_SECONDS", 10, minimum=1)
FCM_BATCH_SIZE = envint("FCM_BATCH_SIZE", 500, minimum=1)  # messages per send_each
NOTIFICATION_SENDER = envstr(
    "NOTIFICATION_SENDER", "fcm" if (FIREBASE_CREDENTIALS or FCM_ENDPOINT) else "console"
)
if NOTIFICATION_SENDER not in ("fcm", "console"):
    raise ImproperlyConfigured("NOTIFICATION_SENDER must be fcm or console")
# A fan-out is queued as jobs of this many notifications (~1.5 pushes each), so
# that several workers share a large one.
NOTIFICATIONS_PER_JOB = envint("NOTIFICATIONS_PER_JOB", 1000, minimum=1)
# Timeline events not handed to their subscribers this long after they were
# written (a Redis or worker outage) are queued again.
EVENT_SWEEP_AFTER_SECONDS = envint("EVENT_SWEEP_AFTER_SECONDS", 60, minimum=0)
DELIVERY_SWEEP_AFTER_SECONDS = envint("DELIVERY_SWEEP_AFTER_SECONDS", 120, minimum=0)
DELIVERY_CLAIM_TIMEOUT_SECONDS = envint("DELIVERY_CLAIM_TIMEOUT_SECONDS", 300, minimum=10)

# Routing and reports.
ROUTING_NEAREST_AREA_MAX_M = envfloat("ROUTING_NEAREST_AREA_MAX_M", 300.0)
REFERENCE_RECHECK_SECONDS = envfloat("REFERENCE_RECHECK_SECONDS", 5.0)
DUPLICATE_RADIUS_M = envfloat("DUPLICATE_RADIUS_M", 50.0)
DUPLICATE_WINDOW_DAYS = envint("DUPLICATE_WINDOW_DAYS", 30, minimum=1)
REPORTS_PER_HOUR = envint("REPORTS_PER_HOUR", 20, minimum=1)
FEED_MAX_RADIUS_M = envfloat("FEED_MAX_RADIUS_M", 20_000.0)
# How long anonymous callers may be served a public read from the cache (0: never).
PUBLIC_CACHE_SECONDS = envint("PUBLIC_CACHE_SECONDS", 5, minimum=0)
STAFF_TOKEN_HOURS = envint("STAFF_TOKEN_HOURS", 12, minimum=1)
STAFF_LOGIN_RATE = envstr("STAFF_LOGIN_RATE", "10/m")
# After this many failed sign-ins in a row an account locks, for
# STAFF_LOCKOUT_SECONDS doubled at each further failure, at most the maximum.
STAFF_LOCKOUT_AFTER = envint("STAFF_LOCKOUT_AFTER", 5, minimum=1)
STAFF_LOCKOUT_SECONDS = envint("STAFF_LOCKOUT_SECONDS", 60, minimum=1)
STAFF_LOCKOUT_MAX_SECONDS = envint("STAFF_LOCKOUT_MAX_SECONDS", 3600, minimum=1)
# How many proxies of ours stand in front of the service (each appends to
# X-Forwarded-For); 0 trusts no forwarded address at all.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0, minimum=0)
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT
REOPEN_WINDOW_DAYS = envint("REOPEN_WINDOW_DAYS", 7, minimum=0)
# Overdue tickets go to the unit lead at their due time, and to the district
# manager when still open this many hours later.
ESCALATE_TO_MANAGER_AFTER_HOURS = envint("ESCALATE_TO_MANAGER_AFTER_HOURS", 24, minimum=0)
# Moderation: each rule adds its score; reaching MODERATION_HOLD_SCORE holds a report.
MODERATION_HOLD_SCORE = envfloat("MODERATION_HOLD_SCORE", 1.0)
MODERATION_REPORTS_PER_HOUR = envint("MODERATION_REPORTS_PER_HOUR", 6, minimum=1)
MODERATION_MANY_REPORTS_SCORE = envfloat("MODERATION_MANY_REPORTS_SCORE", 0.6)
MODERATION_NEW_ACCOUNT_HOURS = envint("MODERATION_NEW_ACCOUNT_HOURS", 24, minimum=0)
MODERATION_NEW_ACCOUNT_REPORTS = envint("MODERATION_NEW_ACCOUNT_REPORTS", 2, minimum=0)
MODERATION_NEW_ACCOUNT_SCORE = envfloat("MODERATION_NEW_ACCOUNT_SCORE", 0.2)
MODERATION_REJECTED_REPORTS = envint("MODERATION_REJECTED_REPORTS", 2, minimum=1)
MODERATION_REJECTED_SCORE = envfloat("MODERATION_REJECTED_SCORE", 0.5)
# Reverse geocoding of reports sent without an address: a Nominatim-compatible
# service (e.g. a self-hosted Nominatim). Off when empty.
GEOCODER_URL = envstr("GEOCODER_URL")
GEOCODER_USER_AGENT = envstr("GEOCODER_USER_AGENT", "civic-feedback (reports)")
GEOCODER_TIMEOUT_SECONDS = envint("GEOCODER_TIMEOUT_SECONDS", 5, minimum=1)
if GEOCODER_URL and urlsplit(GEOCODER_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("GEOCODER_URL must be an http(s) URL")

PHOTO_MAX_DISTANCE_M = envfloat("PHOTO_MAX_DISTANCE_M", 500.0)
PHOTO_FAR_SCORE = envfloat("PHOTO_FAR_SCORE", 0.6)
PHOTO_MAX_AGE_DAYS = envint("PHOTO_MAX_AGE_DAYS", 30, minimum=1)
PHOTO_OLD_SCORE = envfloat("PHOTO_OLD_SCORE", 0.5)
PHOTO_DUPLICATE_MAX_DISTANCE = envint("PHOTO_DUPLICATE_MAX_DISTANCE", 6, minimum=0)
PHOTO_DUPLICATE_WINDOW_DAYS = envint("PHOTO_DUPLICATE_WINDOW_DAYS", 365, minimum=1)
PHOTO_REUSED_SCORE = envfloat("PHOTO_REUSED_SCORE", 1.0)
FLAGS_TO_REVIEW = envint("FLAGS_TO_REVIEW", 3, minimum=1)
MODERATION_ACTIONS_RATE = envstr("MODERATION_ACTIONS_RATE", "120/m")
OPEN311_JURISDICTION_ID = envstr("OPEN311_JURISDICTION_ID", "travinh.gov.vn")
OPEN311_CONTACT = envstr("OPEN311_CONTACT", "")
OPEN311_KEY_SERVICE = envstr("OPEN311_KEY_SERVICE", "")
# The discovery document's test endpoint (a staging server); this one's own by default.
OPEN311_TEST_URL = envstr("OPEN311_TEST_URL", "").rstrip("/")
# Hosts (host[:port]) whose media_url images are fetched; any other is ignored.
OPEN311_MEDIA_HOSTS = [h.lower() for h in envlist("OPEN311_MEDIA_HOSTS")]
# Only for tests and closed networks: fetch media_url from hosts whose address
# is loopback or private (refused otherwise, whatever the allow-list says).
OPEN311_MEDIA_ALLOW_INTERNAL = envbool("OPEN311_MEDIA_ALLOW_INTERNAL", False)
# A media_url still pending this long after its request is queued again.
OPEN311_MEDIA_SWEEP_AFTER_SECONDS = envint("OPEN311_MEDIA_SWEEP_AFTER_SECONDS", 300, minimum=0)
# New requests an hour from one Open311 client, all its residents together
# (a client's own `requests_per_hour` overrides it).
OPEN311_CLIENT_REQUESTS_PER_HOUR = envint("OPEN311_CLIENT_REQUESTS_PER_HOUR", 300, minimum=1)
# A client posting the same request again (same contact, service, place and
# text) within this long gets the first report back, not a new one.
OPEN311_REPLAY_WINDOW_HOURS = envint("OPEN311_REPLAY_WINDOW_HOURS", 48, minimum=1)
# The dashboard's map tiles; none on a closed network (the map draws boundaries alone).
MAP_TILE_URL = envstr("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = envstr("MAP_TILE_ATTRIBUTION")
REPORT_SCREENING_HOOK = envstr("REPORT_SCREENING_HOOK", "moderation.screening.screen_new_report")
COMMENT_SCREENING_HOOK = envstr("COMMENT_SCREENING_HOOK", "moderation.screening.screen_comment")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}

SENTRY_DSN = envstr("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    from mobile_api.observability import before_breadcrumb, before_send, scrubber

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        before_send=before_send,
        before_send_transaction=before_send,
        before_breadcrumb=before_breadcrumb,
        event_scrubber=scrubber,
        include_local_variables=False,  # a frame's locals hold request data
        max_request_body_size="never",
        integrations=[DjangoIntegration(), RqIntegration()],
        environment=envstr("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=envfloat("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        send_default_pii=False,  # no IP addresses, cookies or user identities
    )
