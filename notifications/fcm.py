"""The one way out to Firebase Cloud Messaging (HTTP v1, through firebase-admin).

The messaging app is built once per process from settings, with a request
timeout. FCM_ENDPOINT points the SDK at an FCM-compatible server instead of
Google's (a local one in tests and benchmarks): requests keep their path and
body, only the host changes, so the SDK's own encoding, retries and error
parsing are what run.
"""

import contextlib
import threading
from urllib.parse import urlsplit

import firebase_admin
import requests
from django.conf import settings
from firebase_admin import _http_client, credentials, messaging

FCM_HOST = "https://fcm.googleapis.com"
APP_NAME = "civic-feedback-messaging"
_lock = threading.Lock()


class _StaticTokenCredential(credentials.Base):
    """An access token given in settings, for an FCM-compatible endpoint."""

    def __init__(self, token: str) -> None:
        from google.oauth2.credentials import Credentials

        self._credential = Credentials(token=token)

    def get_credential(self):
        return self._credential


class _EndpointAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, endpoint: str) -> None:
        super().__init__(
            pool_connections=10, pool_maxsize=500, max_retries=_http_client.DEFAULT_RETRY_CONFIG
        )
        self.endpoint = endpoint.rstrip("/")

    def send(self, request, **kwargs):  # type: ignore[override]  # requests passes all by keyword
        request.url = self.endpoint + request.url[len(FCM_HOST) :]
        return super().send(request, **kwargs)


def messaging_app() -> firebase_admin.App:
    with _lock:
        try:
            return firebase_admin.get_app(APP_NAME)
        except ValueError:
            pass
        if settings.FCM_ACCESS_TOKEN:
            credential = _StaticTokenCredential(settings.FCM_ACCESS_TOKEN)
        else:
            credential = credentials.Certificate(settings.FIREBASE_CREDENTIALS)
        app = firebase_admin.initialize_app(
            credential,
            {
                "projectId": settings.FIREBASE_PROJECT_ID,
                "httpTimeout": settings.FCM_TIMEOUT_SECONDS,
            },
            name=APP_NAME,
        )
        if settings.FCM_ENDPOINT:
            parts = urlsplit(settings.FCM_ENDPOINT)
            assert parts.scheme in ("http", "https"), "FCM_ENDPOINT must be an http(s) URL"
            service = messaging._get_messaging_service(app)
            service._client.session.mount(FCM_HOST, _EndpointAdapter(settings.FCM_ENDPOINT))
        _read_environment_once(messaging._get_messaging_service(app)._client.session)
        return app


def _read_environment_once(session: requests.Session) -> None:
    """Take the proxy and CA bundle settings from the environment now, and stop
    requests from re-reading the environment (and ~/.netrc) for every push:
    that costs a quarter of the CPU of each push."""
    url = settings.FCM_ENDPOINT or FCM_HOST
    found = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies = found["proxies"]
    session.verify = found["verify"]
    session.trust_env = False


def reset() -> None:
    """Forget the app (tests that change the endpoint)."""
    with _lock, contextlib.suppress(ValueError):
        firebase_admin.delete_app(firebase_admin.get_app(APP_NAME))


def send_each(messages: list[messaging.Message]) -> messaging.BatchResponse:
    return messaging.send_each(messages, app=messaging_app())
