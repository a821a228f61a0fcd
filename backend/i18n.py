"""Pick the text of a translated field in the language of the request."""

from django.conf import settings
from django.utils import translation


def supported_language(code: str | None) -> str:
    """One of the languages we serve: `code`'s ("km-KH" is "km"), else the default."""
    language = (code or settings.LANGUAGE_CODE).split("-")[0].lower()
    supported = {served for served, _ in settings.LANGUAGES}
    return language if language in supported else settings.LANGUAGE_CODE


def current_language() -> str:
    """The language of the request (or job) being answered."""
    return supported_language(translation.get_language())


def localized(obj: object, field: str, language: str | None = None) -> str:
    """`obj.<field>_<lang>`, falling back to Vietnamese when that one is empty."""
    language = language or current_language()
    text = getattr(obj, f"{field}_{language}", "")
    return text or getattr(obj, f"{field}_{settings.LANGUAGE_CODE}")
