"""Django-level errors (no route matched, a crash outside the API) in the API's error shape."""

from django.http import HttpRequest, JsonResponse


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "details": {}}}, status=status)


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _error(404, "not_found", "Not found.")


def json_server_error(request: HttpRequest) -> JsonResponse:
    return _error(500, "internal_error", "Something went wrong on our side.")
