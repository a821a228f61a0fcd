"""Error reports to Sentry carry no personal data.

sentry-sdk already leaves out IP addresses, cookies and user identities
(`send_default_pii=False`); this also drops request bodies and headers, and
redacts phone numbers, emails, citizen ids and plates, and bearer tokens, from
every string of the event (exception messages, log lines, local variables).
"""

import re
from typing import Any

from moderation.text import redact

BEARER = re.compile(r"(?i)bearer\s+[\w\-.~+/=]+")
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        text = BEARER.sub("Bearer [***]", value)
        text = JWT.sub("[***]", text)
        return redact(text)[0]
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def before_send(event: dict, hint: dict) -> dict:
    request = event.get("request")
    if request:
        for key in ("data", "cookies", "headers", "env", "query_string"):
            request.pop(key, None)
    event.pop("user", None)
    return _scrub(event)
