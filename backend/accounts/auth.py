"""Who is calling: django-ninja auth classes for every router.

Residents send a Firebase ID token as `Authorization: Bearer <token>`.
"""

from django.http import HttpRequest
from ninja.security import HttpBearer

from backend.accounts.firebase import resident_for_claims, verify_id_token
from backend.accounts.models import User

MAX_TOKEN_LENGTH = 4096


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer` header, as HttpBearer reads it."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def _is_jwt(token: str | None) -> bool:
    return token is not None and 0 < len(token) <= MAX_TOKEN_LENGTH and token.count(".") == 2


def _is_staff_token(token: str | None) -> bool:
    return token is not None and 0 < len(token) <= 200 and "." not in token


class ResidentAuth(HttpBearer):
    """A signed-in user through Firebase; the request's `auth` is the User."""

    openapi_description = "Firebase Authentication ID token of the resident"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not _is_jwt(token):
            return None  # not a JWT: perhaps a staff token, for the next auth class
        user = resident_for_claims(verify_id_token(token))
        request.user = user
        return user


class OptionalResidentAuth(ResidentAuth):
    """Like ResidentAuth, but an anonymous caller is let through as `auth=ANONYMOUS`.

    A token that is present but bad is still refused: a resident whose token
    expired must hear so, not silently get the public view.
    """

    def __call__(self, request: HttpRequest):
        if not request.headers.get(self.header):
            return ANONYMOUS
        return super().__call__(request)


class _Anonymous:
    id = None

    def __bool__(self) -> bool:
        return True  # django-ninja treats a falsy auth result as "not signed in"


ANONYMOUS = _Anonymous()


class AuthedRequest(HttpRequest):
    """For type checking only: what a view of a signed-in operation is handed
    (django-ninja puts the auth class's answer on `request.auth`)."""

    auth: User


class MaybeAuthedRequest(HttpRequest):
    """The same, for operations that anonymous callers may use too."""

    auth: "User | _Anonymous"


def signed_in_user(auth: object) -> User | None:
    return auth if isinstance(auth, User) else None


class StaffAuth(HttpBearer):
    """A staff API token (from /api/v1/staff/login); the request's `auth` is the User."""

    openapi_description = "Staff API token"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        from backend.accounts.tokens import user_for_token

        if not _is_staff_token(token):
            return None  # a JWT: a resident's, for the next auth class
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user
