"""Where a point is, and which unit a report there would reach."""

import shapely
import shapely.geometry
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from pydantic import Field

from backend.areas import routing
from backend.areas.models import Area
from backend.areas.schemas import AreaOut, Coordinates, UnitOut
from backend.catalogue.active import active_categories
from backend.catalogue.schemas import CategoryRef
from backend.public_cache import cached_for_anonymous
from backend.schema_types import errors

router = Router(tags=["areas"])


class RoutingOut(Schema):
    category: CategoryRef
    unit: UnitOut | None


class LocateOut(Schema):
    lat: float
    lon: float
    areas: list[AreaOut] = Field(
        description="The areas containing the point, largest first (province, then commune "
        "or ward since 2025; province, district, commune before)"
    )
    distance_outside_m: float
    routing: list[RoutingOut]


@router.get("/areas/locate", response={200: LocateOut, **errors(422, 429)}, auth=None)
def locate(request: HttpRequest, point: Query[Coordinates]):
    """Which areas contain the point, and which unit would get a report of each category there.

    A point just outside every area (a river bank, the coast, GPS error) within the
    configured distance belongs to the nearest one; farther out it is
    `outside_service_area`.
    """
    placement = routing.place_in_service_area(point.lat, point.lon)
    categories = active_categories()
    units = routing.units_by_category(placement, [c.id for c in categories])
    return LocateOut(
        lat=point.lat,
        lon=point.lon,
        areas=[AreaOut.of(area) for area in placement.chain],
        distance_outside_m=placement.distance_outside_m,
        routing=[
            RoutingOut(category=CategoryRef.of(c), unit=UnitOut.of(units[c.id])) for c in categories
        ],
    )


@router.get("/areas/boundaries", response={200: dict, **errors(429)}, auth=None)
@decorate_view(cached_for_anonymous)
def boundaries(request: HttpRequest):
    """The outlines of the active areas reports are routed by (the communes and
    wards since 2025) as GeoJSON, simplified to ~20 m with shared borders kept
    shared, for maps."""
    refs = routing.area_index().layer.refs
    areas = list(Area.objects.filter(id__in=[a.id for a in refs]).order_by("code"))
    outlines = shapely.coverage_simplify([a.geometry for a in areas], 0.0002)
    features = [
        {
            "type": "Feature",
            "properties": {"code": area.code, "name": area.name, "level": area.level},
            "geometry": shapely.geometry.mapping(outline),
        }
        for area, outline in zip(areas, outlines, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}
