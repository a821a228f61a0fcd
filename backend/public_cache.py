"""The one cache of answers: public reads, for callers who are not signed in.

The feed of an area, the categories, the area outlines, a public report and
the public figures are the same answer for every anonymous caller in one
language, and most reads of a province's feed are those. Such an answer is
kept in the shared cache for PUBLIC_CACHE_SECONDS and served from there
without a database query; a change shows within that time, and the response
says so (`Cache-Control: public, max-age`), so phones and proxies may keep it
as long. Nothing a signed-in caller is shown, and no decision about who may do
what, is ever kept: a request with an `Authorization` header is answered fresh.
When the cache is down every request is answered fresh.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


def _key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public:{request.method}:{request.LANGUAGE_CODE}:{path}"


def cached_for_anonymous(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For `@decorate_view` on a public read."""

    @wraps(run)
    def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        seconds = settings.PUBLIC_CACHE_SECONDS
        if seconds <= 0 or "HTTP_AUTHORIZATION" in request.META:
            response = run(request, **kwargs)
            patch_vary_headers(response, ["Accept-Language", "Authorization"])
            return response
        key = _key(request)
        kept = cache.get(key)  # None when the cache does not answer (django-redis logs it)
        if kept is not None:
            content_type, content = kept
            response = HttpResponse(content, content_type=content_type)
        else:
            response = run(request, **kwargs)
            if response.status_code != 200:
                return response
            cache.set(key, (response["Content-Type"], response.content), seconds)
        patch_vary_headers(response, ["Accept-Language", "Authorization"])
        patch_cache_control(response, public=True, max_age=seconds)
        return response

    return wrapper
