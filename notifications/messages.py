"""The text of each notification, rendered in its reader's language.

Short (a phone shows about 40 characters of title), with the report's
reference so a resident can quote it on the phone to the ward's office. The
texts are Django translations (`locale/*/LC_MESSAGES/django.po`); a
notification stores its kind and parameters, and is rendered when it is read
or pushed, in the language of the reader (the phone's for a push, the
request's for the inbox), whoever's action caused it. Times are shown in the
service area's time zone.
"""

from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.i18n import supported_language

# What a status change says after "Report ABC123": a phrase, not the status's
# name in a list.
STATUS_PHRASES = {
    "acknowledged": pgettext_lazy("notification", "acknowledged"),
    "in_progress": pgettext_lazy("notification", "being worked on"),
    "resolved": pgettext_lazy("notification", "resolved"),
    "rejected": pgettext_lazy("notification", "rejected"),
    "closed": pgettext_lazy("notification", "closed"),
    "waiting": pgettext_lazy("notification", "waiting for your information"),
}

# kind -> (title, body); %(ref)s, %(status)s, %(message)s, ... are filled in.
TEMPLATES = {
    "status_changed": (_("Report %(ref)s %(status)s"), "%(message)s"),
    "reply": (_("Reply on report %(ref)s"), "%(message)s"),
    "merged": (_("Report %(ref)s merged"), _("This problem was already reported as %(into)s.")),
    "reopened": (_("Report %(ref)s reopened"), "%(message)s"),
    "new_ticket": (_("New report %(ref)s"), "%(category)s: %(message)s"),
    "transferred_in": (_("Report %(ref)s transferred to you"), "%(message)s"),
    "tickets_rerouted": (
        _("%(count)s reports arrived after a boundary change"),
        _("For example %(ref)s"),
    ),
    "overdue": (_("Report %(ref)s is overdue"), _("Was due %(due)s")),
    "moderation": (_("Report %(ref)s: moderation decision"), "%(message)s"),
}
KINDS = sorted(TEMPLATES)
MAX_BODY = 180


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def local_time(value: str) -> str:
    """An ISO timestamp as the reader's language writes a date and time, in the
    service area's time zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # a notification written before deadlines were stored as ISO
    # One form for the three languages: day/month/year and a 24-hour clock, as
    # Viet Nam and Cambodia write them (Django has no Khmer formats, and its
    # English ones would say "12/03/2026 10 a.m." to a reader in Trà Vinh).
    return formats.date_format(timezone.localtime(moment), "H:i d/m/Y")


def render(kind: str, params: dict, language: str) -> tuple[str, str]:
    reader = supported_language(language)
    with translation.override(reader):
        title, body = TEMPLATES[kind]
        values = _Params(params)
        status = params.get("status", "")
        values["status"] = str(STATUS_PHRASES.get(status, status))
        if "due" in params:
            values["due"] = local_time(params["due"])
        if "category_names" in params:
            names = params["category_names"]
            values["category"] = names.get(reader) or names.get(settings.LANGUAGE_CODE, "")
        body_text = (str(body) % values).strip() or str(title) % values
        if len(body_text) > MAX_BODY:
            body_text = body_text[: MAX_BODY - 1] + "…"
        return str(title) % values, body_text
