"""Loading administrative boundaries from GeoJSON, and retiring old editions.

A boundary file is one level (province, district or commune) of one edition
(e.g. "gso-2019", "gso-2025"). Loading a level of a new edition retires the
active areas of that level from other editions, with their descendants; they
stay in the database so old reports keep their history.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from django.utils import timezone

from backend.areas.models import Area, Level


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    retired: int


def _polygonal(geometry: dict) -> shapely.Geometry:
    shape = shapely.geometry.shape(geometry)
    if shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"expected a Polygon or MultiPolygon, got {shape.geom_type}")
    if not shape.is_valid:
        shape = shapely.make_valid(shape)
    return shape


def _parent_for(level: str, props: dict, edition: str, parent_code: str | None) -> Area | None:
    if level == Level.PROVINCE:
        return None
    code = parent_code or props.get("province_code" if level == Level.DISTRICT else "district_code")
    if not code:
        return None
    parent_level = Level.PROVINCE if level == Level.DISTRICT else Level.DISTRICT
    parent = Area.objects.active().filter(level=parent_level, code=str(code)).first()
    if parent is None and level == Level.DISTRICT:
        # District files name their province but hold no polygon for it: the
        # province is made from its districts' union below.
        parent = Area.objects.create(
            code=str(code),
            name=props.get("province_name", str(code)),
            level=Level.PROVINCE,
            edition=edition,
            geometry_wkb=shapely.to_wkb(shapely.Polygon()),
        )
    return parent


def retire(areas: "list[Area]", when=None) -> int:
    """Retire these areas and everything below them."""
    when = when or timezone.now()
    ids = [a.id for a in areas]
    count = 0
    while ids:
        count += Area.objects.filter(id__in=ids, retired_at__isnull=True).update(
            retired_at=when, updated_at=when
        )
        ids = list(
            Area.objects.filter(parent_id__in=ids, retired_at__isnull=True).values_list(
                "id", flat=True
            )
        )
    return count


@transaction.atomic
def load_areas(path: Path, level: str, edition: str, parent_code: str | None = None) -> LoadResult:
    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    features = collection.get("features", [])
    if not features:
        raise ValueError(f"{path} holds no features")
    now = timezone.now()
    stale = list(Area.objects.active().filter(level=level).exclude(edition=edition))
    retired = retire(stale, now)
    if level == Level.DISTRICT:
        # Provinces of other editions are retired too: the new districts bring theirs.
        retire(list(Area.objects.active().filter(level=Level.PROVINCE).exclude(edition=edition)))

    created = updated = 0
    touched_parents: set[int] = set()
    for feature in features:
        props = feature.get("properties") or {}
        geometry = _polygonal(feature["geometry"])
        code = str(props.get("code") or "")
        parent = _parent_for(level, props, edition, parent_code)
        lookup: dict[str, Any] = {"edition": edition, "level": level}
        lookup.update(
            {"code": code} if code else {"code": "", "name": props["name"], "parent": parent}
        )
        values = {
            "name": props["name"],
            "short_name": props.get("short_name", ""),
            "parent": parent,
            "geometry_wkb": shapely.to_wkb(geometry),
            "properties": props,
            "retired_at": None,
        }
        _, was_created = Area.objects.update_or_create(**lookup, defaults=values)
        created += was_created
        updated += not was_created
        if parent is not None:
            touched_parents.add(parent.id)

    if level == Level.DISTRICT:
        for province in Area.objects.filter(id__in=touched_parents, level=Level.PROVINCE):
            districts = Area.objects.active().filter(parent=province, level=Level.DISTRICT)
            province.geometry_wkb = shapely.to_wkb(
                shapely.union_all([d.geometry for d in districts])
            )
            province.save(update_fields=["geometry_wkb", "updated_at"])
    return LoadResult(created=created, updated=updated, retired=retired)
