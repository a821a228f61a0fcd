"""What a moderator reads of a held report's reasons, in their language.

A reason is stored as its rule's code, its score and the rule's details
(`moderation.rules.reason`); the codes stay stable identifiers for API
clients, and this says each in words: a rule's sentence, with the detail it
names (a list, a number of things, or a measure) put in.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

# rule: (its sentence, the detail that fills %(value)s, or None)
_SAID = {
    "offensive_language": (gettext_lazy("Offensive words: %(value)s"), "terms"),
    "offensive_learned": (
        gettext_lazy("Reads as offensive to the learned screen, mostly for: %(value)s"),
        "words",
    ),
    "personal_data": (gettext_lazy("Personal data, hidden from the public: %(value)s"), "kinds"),
    "many_reports": (
        ngettext_lazy(
            "%(value)d report from this resident in the last hour",
            "%(value)d reports from this resident in the last hour",
            "value",
        ),
        "last_hour",
    ),
    "new_account": (gettext_lazy("A new account"), None),
    "earlier_rejections": (
        ngettext_lazy(
            "%(value)d earlier report of this resident was rejected",
            "%(value)d earlier reports of this resident were rejected",
            "value",
        ),
        "rejected",
    ),
    "photo_far_from_report": (
        gettext_lazy("A photo taken %(value)s m from the reported place"),
        "distance_m",
    ),
    "old_photo": (gettext_lazy("A photo taken %(value)s days before the report"), "age_days"),
    "reused_photo": (gettext_lazy("A photo another resident already sent"), None),
    "flagged": (
        ngettext_lazy("Flagged by %(value)d resident", "Flagged by %(value)d residents", "value"),
        "flags",
    ),
}


def describe(reason: dict) -> str:
    """One reason in the reader's language, with its score."""
    rule = reason.get("rule", "")
    sentence, detail = _SAID.get(rule, (None, None))
    if sentence is None:
        said = rule
    elif detail is None:
        said = str(sentence)
    else:
        value = reason.get(detail, 0)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        said = sentence % {"value": value}
    if reason.get("in") == "address":
        said = _("%(reason)s, in the address") % {"reason": said}
    return _("%(reason)s (score %(score)s)") % {"reason": said, "score": reason.get("score", 0)}
