"""The officials' dashboard: one page, drawing from the statistics API."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from backend.areas.hierarchy import area_tree
from backend.catalogue.active import active_categories
from backend.i18n import current_language, localized
from backend.statistics.access import may_see_statistics


def dashboard(request: HttpRequest) -> HttpResponse:
    """Signed in with the staff account (the admin's sign-in page), officials and
    area managers see hotspots, the performance table and trends."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "/console/login/")
    if not may_see_statistics(request.user):
        return HttpResponse(_("Officials and area managers only."), status=403)
    categories = [(c.code, localized(c, "name")) for c in active_categories()]
    # The table groups by any level of the active edition, the routed one first.
    tree = area_tree()
    edition = tree.active_edition() or ""
    language = current_language()
    levels = sorted(
        (level for (ed, _), level in tree.levels.items() if ed == edition),
        key=lambda level: level.depth,
    )
    responsible = tree.responsible_level(edition)
    return render(
        request,
        "dashboard/index.html",
        {
            "categories": categories,
            "levels": [(level.code, level.label(language)) for level in levels],
            "default_level": responsible.code if responsible else "",
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )
