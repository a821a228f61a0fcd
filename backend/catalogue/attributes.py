"""A category's extra questions (Open311 "attributes"), and checking the answers."""

from datetime import datetime

from backend.catalogue.models import Category
from backend.errors import Unprocessable

MAX_ANSWER = 500


def _bad(code: str, problem: str) -> Unprocessable:
    return Unprocessable(
        f"Attribute {code!r}: {problem}.", code="invalid_attributes", details={"attribute": code}
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
                raise _bad(code, "is required")
            continue
        datatype = question.get("datatype", "string")
        keys = {v["key"] for v in question.get("values", [])}
        if datatype == "multivaluelist":
            values = value if isinstance(value, list) else [value]
            if not set(map(str, values)) <= keys:
                raise _bad(code, f"must be among {sorted(keys)}")
            cleaned[code] = [str(v) for v in values]
            continue
        if isinstance(value, list):
            raise _bad(code, "takes one value")
        value = str(value)[:MAX_ANSWER]
        if datatype == "singlevaluelist" and value not in keys:
            raise _bad(code, f"must be one of {sorted(keys)}")
        if datatype == "number":
            try:
                float(value)
            except ValueError:
                raise _bad(code, "must be a number") from None
        if datatype == "datetime":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise _bad(code, "must be an ISO 8601 datetime") from None
        cleaned[code] = value  # type: ignore[assignment]  # text, or a list of choices
    return cleaned
