"""Accounts: staff sign in and out; a resident downloads their data or deletes their account."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from backend.accounts import privacy, tokens
from backend.accounts.auth import AuthedRequest, ResidentAuth, StaffAuth, bearer_token
from backend.accounts.models import Role
from backend.areas.schemas import AreaOut, UnitOut
from backend.schema_types import Out, errors

router = Router(tags=["staff"], auth=StaffAuth())


class LoginIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)


class LoginOut(Out):
    token: str
    expires_at: datetime
    role: str
    role_label: str
    unit: UnitOut | None
    scope_area: AreaOut | None


@router.post(
    "/staff/login",
    response={200: LoginOut, **errors(401, 422, 429)},
    auth=None,
)
def login(request: HttpRequest, payload: LoginIn):
    """Sign in with username and password for an API token. Rate limited per
    address, and an account locks for a while after repeated failures (429)."""
    key, expires_at, user = tokens.sign_in(request, payload.username, payload.password)
    return LoginOut(
        token=key,
        expires_at=expires_at,
        role=user.role,
        role_label=str(Role(user.role).label),
        unit=UnitOut.of(user.unit),
        scope_area=AreaOut.of_optional(user.scope_area),
    )


@router.post("/staff/logout", response={204: None, **errors(401)})
def logout(request: HttpRequest):
    """Revoke the token this request was made with."""
    tokens.sign_out(bearer_token(request) or "")
    return Status(204, None)


me_router = Router(tags=["reports"], auth=ResidentAuth())


@me_router.get("/me/data", response={200: dict, **errors(401)})
def download_my_data(request: AuthedRequest):
    """Everything the service holds about you, as JSON."""
    return privacy.export_personal_data(request.auth)


@me_router.delete("/me", response={204: None, **errors(401)})
def delete_my_account(request: AuthedRequest):
    """Delete your account. Your reports stay for the city, without your name,
    phone, email, devices or your photos' exact metadata."""
    privacy.delete_account(request.auth)
    return Status(204, None)
