"""A category's extra questions (Open311 "attributes"), and checking the answers."""

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from backend.catalogue.models import Category
from backend.errors import Unprocessable
from backend.i18n import current_language

MAX_ANSWER = 500


def _bad(code: str, problem: str) -> Unprocessable:
    return Unprocessable(
        _("The answer to %(question)s %(problem)s.") % {"question": code, "problem": problem},
        code="invalid_attributes",
        details={"attribute": code},
    )


def clean_attributes(category: Category, answers: dict) -> dict:
    """The answers to the category's questions, checked against their datatypes.

    Answers to questions the category does not ask are dropped (some clients
    send their own bookkeeping as attributes); a required one missing is an error.
    """
    cleaned = {}
    for question in category.attributes:
        code = question["code"]
        value = answers.get(code)
        if value in (None, "", []):
            if question.get("required"):
                raise _bad(code, _("is required"))
            continue
        datatype = question.get("datatype", "string")
        keys = {v["key"] for v in question.get("values", [])}
        if datatype == "multivaluelist":
            values = value if isinstance(value, list) else [value]
            if not set(map(str, values)) <= keys:
                raise _bad(
                    code, _("must be among %(choices)s") % {"choices": ", ".join(sorted(keys))}
                )
            cleaned[code] = [str(v) for v in values]
            continue
        if isinstance(value, list):
            raise _bad(code, _("takes one value"))
        value = str(value)[:MAX_ANSWER]
        if datatype == "singlevaluelist" and value not in keys:
            raise _bad(code, _("must be one of %(choices)s") % {"choices": ", ".join(sorted(keys))})
        if datatype == "number":
            try:
                float(value)
            except ValueError:
                raise _bad(code, _("must be a number")) from None
        if datatype == "datetime":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise _bad(code, _("must be an ISO 8601 date and time")) from None
        cleaned[code] = value  # type: ignore[assignment]  # text, or a list of choices
    return cleaned


def translated(text: object, language: str | None = None) -> str:
    """A question's or a choice's text: a {language: text} mapping, as the
    catalogue and the admin write them, in the reader's language (Vietnamese
    when that one is missing); a plain string as it is."""
    if not isinstance(text, dict):
        return str(text or "")
    language = language or current_language()
    return text.get(language) or text.get(settings.LANGUAGE_CODE) or next(iter(text.values()), "")


def localized_questions(category: Category, language: str | None = None) -> list[dict]:
    """The category's extra questions with their texts in one language."""
    return [
        {
            **question,
            "description": translated(question.get("description"), language),
            "values": [
                {**value, "name": translated(value.get("name"), language)}
                for value in question.get("values", [])
            ],
        }
        for question in category.attributes
    ]
