"""The console's pages send a Content-Security-Policy without inline script:
a description a resident wrote can never run in a member of staff's browser,
even if an escaping bug let it into the page."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def content_security_policy() -> str:
    images = "'self' data:"
    if settings.MAP_TILE_URL:
        from urllib.parse import urlsplit

        parts = urlsplit(settings.MAP_TILE_URL.replace("{s}", "a"))
        images += f" {parts.scheme}://{parts.netloc.split('{')[0] or parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def with_csp(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = content_security_policy()
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper
