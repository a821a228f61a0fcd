"""Refuse a request body that is too large before anything reads it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return JsonResponse(
                {
                    "error": {
                        "code": "request_too_large",
                        "message": "The upload is larger than the service accepts.",
                        "details": {"max_bytes": settings.PHOTO_MAX_BYTES},
                    }
                },
                status=413,
            )
        return self.get_response(request)
