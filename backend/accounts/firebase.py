"""Residents' identity: Firebase Authentication ID tokens.

The firebase-admin app is built once per process from settings. Verification
runs the SDK's own checks (RS256 signature against Google's published
certificates, audience, issuer, expiry); with FIREBASE_AUTH_EMULATOR_HOST set
(development only, refused when DEBUG is off) it accepts the emulator's
unsigned tokens.
"""

import threading
import time

import firebase_admin
from cachetools import TLRUCache
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from firebase_admin import auth, credentials

from backend.accounts.models import Role, User
from backend.errors import NotAuthenticated
from backend.statements import STAND_IN_TEXT, Statement

APP_NAME = "civic-feedback"
_lock = threading.Lock()


def firebase_app() -> firebase_admin.App:
    with _lock:
        try:
            return firebase_admin.get_app(APP_NAME)
        except ValueError:
            credential = (
                credentials.Certificate(settings.FIREBASE_CREDENTIALS)
                if settings.FIREBASE_CREDENTIALS
                else None
            )
            options = {"projectId": settings.FIREBASE_PROJECT_ID, "httpTimeout": 10}
            if credential is None:
                # Token verification needs no credential, only the project id; an
                # anonymous credential stops the SDK looking for one on disk.
                from google.auth.credentials import AnonymousCredentials

                credential = _AnonymousCredential(AnonymousCredentials())
            return firebase_admin.initialize_app(credential, options, name=APP_NAME)


class _AnonymousCredential(credentials.Base):
    def __init__(self, google_credential: object) -> None:
        self._g_credential = google_credential

    def get_credential(self) -> object:
        return self._g_credential


def verify_id_token(id_token: str) -> dict:
    """The token's claims, or NotAuthenticated saying why it was refused.

    A token verified once is remembered until it expires: the app sends the same
    token for an hour, and checking its RS256 signature again on every request
    costs a third of a simple read. Its expiry is still checked on every use."""
    claims = _verified.get(id_token)
    if claims is not None:
        return claims
    try:
        claims = auth.verify_id_token(id_token, app=firebase_app(), clock_skew_seconds=5)
    except auth.ExpiredIdTokenError:
        raise NotAuthenticated(_("The sign-in token has expired."), code="token_expired") from None
    except auth.RevokedIdTokenError:
        raise NotAuthenticated(_("The sign-in token was revoked."), code="token_revoked") from None
    except auth.CertificateFetchError:
        raise NotAuthenticated(
            _("Sign-in cannot be checked right now; try again."),
            code="auth_unavailable",
            status=503,
        ) from None
    except (auth.InvalidIdTokenError, ValueError):
        raise NotAuthenticated(_("The sign-in token is not valid."), code="invalid_token") from None
    _verified.put(id_token, claims)
    return claims


class _VerifiedTokens:
    """The claims of recently verified tokens, each kept until the token
    expires (cachetools' TLRU: the expiry is the item's own), least recently
    used out first. Only the signature check is spared: who the token's
    account is, and whether it may still sign in, is read on every request."""

    def __init__(self, size: int) -> None:
        self._claims: TLRUCache = TLRUCache(
            maxsize=size, ttu=lambda _token, claims, _now: claims.get("exp", 0), timer=time.time
        )
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe

    def get(self, token: str) -> dict | None:
        with self._lock:
            return self._claims.get(token)

    def put(self, token: str, claims: dict) -> None:
        with self._lock:
            self._claims[token] = claims

    def clear(self) -> None:
        with self._lock:
            self._claims.clear()


_verified = _VerifiedTokens(size=10_000)


# Read on every signed-in request. No ordering: the uid is unique.
_RESIDENT = Statement(lambda uid: User.objects.filter(firebase_uid=uid), uid=STAND_IN_TEXT)


def resident_for_claims(claims: dict) -> User:
    """The local user of a Firebase identity, created on first sight."""
    uid = claims["uid"]
    user = _RESIDENT.first(uid=uid)
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create(
                    username=f"firebase:{uid}"[:150],
                    firebase_uid=uid,
                    role=Role.RESIDENT,
                    phone_number=claims.get("phone_number", "") or "",
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
        except IntegrityError:
            # Two first requests of one resident raced; the other one created it.
            user = User.objects.get(firebase_uid=uid)
    if not user.is_active:
        raise NotAuthenticated(_("This account is disabled."), code="account_disabled", status=403)
    return user
