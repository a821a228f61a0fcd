"""Re-route open reports after the boundaries changed (an administrative reform)."""

from dataclasses import dataclass

import numpy as np
from django.db import transaction

from backend.areas import routing
from backend.reports.access import managing_district_id
from backend.reports.models import OPEN_STATUSES, EventKind, Report
from backend.reports.timeline import record_event

BATCH_SIZE = 2000


@dataclass
class RerouteResult:
    checked: int = 0
    moved: int = 0
    outside: int = 0


def reroute_open_reports() -> RerouteResult:
    """Give every open report the district, commune and unit of the current areas.

    Points are placed in bulk, a batch at a time; each report that moves gets a
    `rerouted` event saying from where to where. A report that now falls outside
    every area keeps its old routing and is counted, for a person to look at.
    Safe to run again: a report already in the right place is left alone.
    """
    index = routing.area_index()
    result = RerouteResult()
    last_id = None
    while True:
        batch_qs = Report.objects.filter(status__in=OPEN_STATUSES).order_by("id")
        if last_id is not None:
            batch_qs = batch_qs.filter(id__gt=last_id)
        batch = list(
            batch_qs.select_related("district", "commune", "unit", "category")[:BATCH_SIZE]
        )
        if not batch:
            return result
        last_id = batch[-1].id
        lats = np.array([r.lat for r in batch])
        lons = np.array([r.lon for r in batch])
        districts = index.district_positions(lats, lons)
        communes = index.commune_positions(lats, lons, districts)
        for report, district_pos, commune in zip(batch, districts, communes, strict=True):
            result.checked += 1
            if district_pos == -1:
                result.outside += 1
                continue
            district = index.districts.refs[district_pos]
            placement = routing.Placement(
                district=district,
                commune=commune,
                province=index.provinces.get(district.parent_id or -1),
                distance_outside_m=0.0,
            )
            if _move(report, placement):
                result.moved += 1


@transaction.atomic
def _move(report: Report, placement: routing.Placement) -> bool:
    commune_id = placement.commune.id if placement.commune else None
    # No rule for the new areas yet: the unit keeps the ticket rather than drop it.
    unit = routing.unit_for(placement, report.category_id) or report.unit
    if (report.district_id, report.commune_id, report.unit_id) == (
        placement.district.id,
        commune_id,
        unit.id if unit else None,
    ):
        return False
    before = {
        "district": report.district.code,
        "commune": report.commune.code if report.commune else None,
        "unit": report.unit.code if report.unit else None,
    }
    report.district_id = placement.district.id
    report.commune_id = commune_id
    report.unit = unit
    report.managing_district_id = managing_district_id(unit, placement.district.id)
    report.save(update_fields=["district", "commune", "unit", "managing_district", "updated_at"])
    record_event(
        report,
        EventKind.REROUTED,
        is_public=True,
        data={
            "from": before,
            "to": {
                "district": placement.district.code,
                "commune": placement.commune.code if placement.commune else None,
                "unit": unit.code if unit else None,
            },
        },
    )
    return True
