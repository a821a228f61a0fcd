"""The public scorecard of an area: the same figures as `/public/performance`,
as a page anyone can open without signing in, in their language."""

from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from backend.areas.hierarchy import area_by_code, area_tree, within
from backend.i18n import current_language
from backend.public_cache import cached_for_anonymous
from backend.reports.models import Report, Visibility
from backend.statistics import figures
from console.security import with_csp

DAYS = 90


@with_csp
@cached_for_anonymous
def scorecard(request: HttpRequest, code: str) -> HttpResponse:
    area = area_by_code(code)
    tree = area_tree()
    level = tree.level_of(area) if area else None
    if area is None or level is None:
        raise Http404
    since = timezone.now() - timedelta(days=DAYS)
    reports = Report.objects.filter(created_at__gte=since, visibility=Visibility.PUBLIC)
    mine = reports.filter(within(area))
    overall = next(
        (row for row in figures.performance(mine, "area", level) if row["area"] == area.code),
        None,
    )
    # The areas one level down (the communes of a province), where there are any.
    below = next(
        (
            lv
            for (edition, _), lv in tree.levels.items()
            if edition == area.edition and lv.depth == level.depth + 1
        ),
        None,
    )
    rows = figures.performance(mine, "area", below) if below else []
    return render(
        request,
        "console/scorecard.html",
        {
            "area": area,
            "chain": tree.chain(area.id)[:-1],
            "level": level,
            "overall": overall,
            "rows": rows,
            "below_label": below.label(current_language()) if below else "",
            "days": DAYS,
        },
    )
