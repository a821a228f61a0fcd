"""Error reports to Sentry carry nothing secret or personal.

Four layers, each catching what the one before could miss:
1. No local variables at all (`include_local_variables=False`): a frame's
   locals hold request data (a sign-in's password, an Open311 client's
   api_key, a contact's name) and no rule could tell them all apart.
2. No request bodies, headers, cookies, query strings or user; no SQL
   parameters, in breadcrumbs or spans (a device token, a phone number).
3. Keys that name a secret or personal field are filtered at every depth
   (sentry-sdk's EventScrubber, with our names added).
4. Every remaining string has phone numbers, emails, citizen ids, plates,
   addresses and tokens redacted (exception messages, log lines, SQL text).
"""

import re
from typing import Any

from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

from moderation.redaction import redact

BEARER = re.compile(r"(?i)bearer\s+[\w\-.~+/=]+")
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
IP_ADDRESS = re.compile(
    r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])|\b(?:[0-9a-f]{1,4}:){4,7}[0-9a-f]{1,4}\b"
)
# Long random-looking words: API keys, FCM device tokens, staff tokens; not
# ids (a UUID, a trace id), which help to find what broke and reveal nothing.
TOKEN_LIKE = re.compile(r"[\w\-:]{32,}")
ID_LIKE = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The event's own bookkeeping, which carries no request data.
UNSCRUBBED = ("event_id", "timestamp", "start_timestamp", "sdk", "contexts", "modules")

SECRET_AND_PERSONAL_KEYS = [
    *DEFAULT_DENYLIST,
    *DEFAULT_PII_DENYLIST,
    "key",
    "key_hash",
    "access_token",
    "device_token",
    "fcm_token",
    "registration_token",
    "phone",
    "phone_number",
    "email",
    "first_name",
    "last_name",
    "name",
    "username",
    "address",
    "address_string",
    "description",
    "ip",
    "db.params",
    "params",
]

# Given to sentry_sdk.init(event_scrubber=...): it runs before the event is
# serialised, and so before before_send.
scrubber = EventScrubber(denylist=SECRET_AND_PERSONAL_KEYS, recursive=True)


def _token_or_id(match: re.Match) -> str:
    word = match.group(0)
    return word if ID_LIKE.fullmatch(word) else "[***]"


def _scrub_text(value: Any) -> Any:
    if isinstance(value, str):
        text = BEARER.sub("Bearer [***]", value)
        text = JWT.sub("[***]", text)
        text = IP_ADDRESS.sub("[ip]", text)
        text = TOKEN_LIKE.sub(_token_or_id, text)
        return redact(text)[0]
    if isinstance(value, dict):
        return {key: _scrub_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_text(item) for item in value]
    return value


def _without_sql_parameters(entries: list[dict]) -> None:
    for entry in entries:
        data = entry.get("data")
        if isinstance(data, dict):
            for key in [k for k in data if k.startswith("db.") and k != "db.system"]:
                data.pop(key)


def before_send(event: Any, hint: Any) -> Any:
    request = event.get("request")
    if request:
        for key in ("data", "cookies", "headers", "env", "query_string"):
            request.pop(key, None)
    event.pop("user", None)
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        _without_sql_parameters(breadcrumbs.get("values", []))
    _without_sql_parameters(event.get("spans", []))
    return {k: v if k in UNSCRUBBED else _scrub_text(v) for k, v in event.items()}


def before_breadcrumb(crumb: Any, hint: Any) -> Any:
    _without_sql_parameters([crumb])
    return crumb
