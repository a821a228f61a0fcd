"""What a moderator reads of a held report's reasons, in their language.

A reason is stored as its rule's code, its score and the rule's details
(`moderation.rules.reason`); the codes stay stable identifiers for API
clients, and this says each in words.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _listed(values: object) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list) else str(values)


def describe(reason: dict) -> str:
    """One reason in the reader's language, with its score."""
    rule, details = reason.get("rule", ""), reason
    if rule == "offensive_language":
        said = _("Offensive words: %(terms)s") % {"terms": _listed(details.get("terms", []))}
    elif rule == "offensive_learned":
        said = _("Reads as offensive to the learned screen, mostly for: %(words)s") % {
            "words": _listed(details.get("words", []))
        }
    elif rule == "personal_data":
        said = _("Personal data, hidden from the public: %(kinds)s") % {
            "kinds": _listed(details.get("kinds", []))
        }
    elif rule == "many_reports":
        count = int(details.get("last_hour", 0))
        said = ngettext(
            "%(count)d report from this resident in the last hour",
            "%(count)d reports from this resident in the last hour",
            count,
        ) % {"count": count}
    elif rule == "new_account":
        said = _("A new account")
    elif rule == "earlier_rejections":
        count = int(details.get("rejected", 0))
        said = ngettext(
            "%(count)d earlier report of this resident was rejected",
            "%(count)d earlier reports of this resident were rejected",
            count,
        ) % {"count": count}
    elif rule == "photo_far_from_report":
        said = _("A photo taken %(metres)s m from the reported place") % {
            "metres": details.get("distance_m", "?")
        }
    elif rule == "old_photo":
        said = _("A photo taken %(days)s days before the report") % {
            "days": details.get("age_days", "?")
        }
    elif rule == "reused_photo":
        said = _("A photo another resident already sent")
    elif rule == "flagged":
        count = int(details.get("flags", 0))
        said = ngettext(
            "Flagged by %(count)d resident", "Flagged by %(count)d residents", count
        ) % {"count": count}
    else:
        said = rule
    return _("%(reason)s (score %(score)s)") % {"reason": said, "score": reason.get("score", 0)}
