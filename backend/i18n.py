"""Pick the text of a translated field in the language of the request."""

from django.conf import settings
from django.utils import translation


def current_language() -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    supported = {code for code, _ in settings.LANGUAGES}
    return language if language in supported else settings.LANGUAGE_CODE


def localized(obj: object, field: str, language: str | None = None) -> str:
    """`obj.<field>_<lang>`, falling back to Vietnamese when that one is empty."""
    language = language or current_language()
    text = getattr(obj, f"{field}_{language}", "")
    return text or getattr(obj, f"{field}_{settings.LANGUAGE_CODE}")
