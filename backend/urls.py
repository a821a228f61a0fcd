from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from backend.statistics.views import dashboard
from console.public import scorecard
from mobile_api.api import api
from mobile_api.fallback import (
    json_bad_request,
    json_forbidden,
    json_not_found,
    json_server_error,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("open311/v2/", include("open311.urls")),
    path("dashboard/", dashboard, name="dashboard"),
    path("console/", include("console.urls")),
    path("public/areas/<str:code>/", scorecard, name="scorecard"),
    path("", api.urls),
]

if settings.DEBUG:
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/public/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT / "public"},
        )
    )

handler400 = json_bad_request
handler403 = json_forbidden
handler404 = json_not_found
handler500 = json_server_error
