"""Loading an edition of administrative boundaries from GeoJSON.

An edition (`backend/areas/editions/*.json`) names its levels, largest first,
with their labels in every language, and for each level the shared data file
that holds its areas (`../shared/data/geo/...`, read in place). A level with no
file (the pre-2025 province, which only its districts name) is made from the
codes and names its children carry. A level whose own outline is coarse (the
2025 province file) takes the union of its children instead.

Loading an edition retires the areas of every other edition; they stay in the
database so old reports keep the areas they were routed to.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
import shapely.geometry
from django.db import transaction
from django.utils import timezone

from backend.areas.hierarchy import link_ancestors
from backend.areas.models import Area, AreaLevel
from backend.reference_data import invalidate_all
from backend.shared_data import shared_file

EDITIONS_DIR = Path(__file__).resolve().parent / "editions"


@dataclass(frozen=True)
class LevelSpec:
    code: str
    labels: dict[str, str]
    file: str | None = None  # relative to SHARED_DATA_DIR, or an absolute path
    parent_code_property: str | None = None  # the property naming the parent's code
    parent_name_property: str | None = None  # read from the children of a level with no file
    geometry_from_children: bool = False


@dataclass(frozen=True)
class EditionSpec:
    edition: str
    name: str
    origin: str  # where the files come from, for the message when one is missing
    levels: list[LevelSpec] = field(default_factory=list)


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    retired: int


def read_edition(name_or_path: str | Path) -> EditionSpec:
    """An edition by name (a file of `editions/`) or by the path of its file."""
    path = Path(name_or_path)
    if not path.suffix:
        path = EDITIONS_DIR / f"{name_or_path}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    levels = [LevelSpec(**level) for level in data.pop("levels")]
    return EditionSpec(**data, levels=levels)


def _polygonal(geometry: dict) -> shapely.Geometry:
    shape = shapely.geometry.shape(geometry)
    if shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"expected a Polygon or MultiPolygon, got {shape.geom_type}")
    if not shape.is_valid:
        shape = shapely.make_valid(shape)
    return shape


def _features(spec: EditionSpec, level: LevelSpec) -> list[dict]:
    if level.file is None:
        return []
    collection = json.loads(shared_file(level.file, spec.origin).read_text(encoding="utf-8"))
    features = collection.get("features", [])
    if not features:
        raise ValueError(f"{level.file} holds no features")
    return features


def retire(areas: list[Area], when=None) -> int:
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
def load_edition(spec: EditionSpec) -> LoadResult:
    """Load every level of the edition (idempotent), retiring the other editions."""
    retired = retire(list(Area.objects.active().exclude(edition=spec.edition)))
    features = [_features(spec, level) for level in spec.levels]
    for depth, level in enumerate(spec.levels):
        AreaLevel.objects.update_or_create(
            edition=spec.edition,
            code=level.code,
            defaults={
                "depth": depth,
                "label_vi": level.labels.get("vi", level.code),
                "label_en": level.labels.get("en", level.code),
                "label_km": level.labels.get("km", ""),
            },
        )
    created = updated = 0
    loaded: list[list[Area]] = []
    for depth, level in enumerate(spec.levels):
        parents = {area.code: area for area in loaded[-1]} if loaded else {}
        rows = [
            (feature.get("properties") or {}, _polygonal(feature["geometry"]))
            for feature in features[depth]
        ] or _named_by_children(spec, depth, features)
        known = list(
            Area.objects.filter(edition=spec.edition, level=level.code).defer("geometry_wkb")
        )
        by_code = {area.code: area for area in known if area.code}
        # A few old communes have no official code: known by name and parent.
        by_name = {(area.name, area.parent_id): area for area in known if not area.code}
        areas, new, changed = [], [], []
        now = timezone.now()
        for props, geometry in rows:
            parent = parents.get(str(props.get(level.parent_code_property or "") or ""))
            code = str(props.get("code") or "")
            area = (
                by_code.get(code)
                if code
                else by_name.get((props["name"], parent.id if parent else None))
            )
            if area is None:
                area = Area(edition=spec.edition, level=level.code, code=code)
                new.append(area)
            else:
                changed.append(area)
            area.name = props["name"]
            area.short_name = props.get("short_name", "")
            area.parent = parent
            area.geometry_wkb = shapely.to_wkb(geometry)
            area.properties = props
            area.retired_at = None
            area.updated_at = now
            areas.append(area)
        # In bulk: an edition is a few hundred areas of some 30 KB each.
        Area.objects.bulk_create(new)
        Area.objects.bulk_update(
            changed,
            [
                "name",
                "short_name",
                "parent",
                "geometry_wkb",
                "properties",
                "retired_at",
                "updated_at",
            ],
            batch_size=50,
        )
        created += len(new)
        updated += len(changed)
        loaded.append(areas)
    # Bottom up: a parent's outline is its children's union where it has none of
    # its own, or a coarser one than theirs.
    for depth in range(len(spec.levels) - 2, -1, -1):
        if spec.levels[depth].geometry_from_children:
            _outline_from_children(loaded[depth])
    link_ancestors([area for areas in loaded for area in areas])
    # Bulk writes send no signals: this process's snapshots look again now,
    # the others within REFERENCE_RECHECK_SECONDS (the rows' updated_at).
    invalidate_all()
    return LoadResult(created=created, updated=updated, retired=retired)


def _named_by_children(
    spec: EditionSpec, depth: int, features: list[list[dict]]
) -> list[tuple[dict[str, Any], shapely.Geometry]]:
    """A level without a file: one area per parent code its children name."""
    child = spec.levels[depth + 1]
    level = spec.levels[depth]
    found: dict[str, dict[str, Any]] = {}
    for feature in features[depth + 1]:
        props = feature.get("properties") or {}
        code = str(props.get(child.parent_code_property or "") or "")
        if code and code not in found:
            found[code] = {"code": code, "name": props.get(child.parent_name_property or "", code)}
            if level.parent_code_property and level.parent_code_property in props:
                found[code][level.parent_code_property] = props[level.parent_code_property]
    return [(props, shapely.Polygon()) for props in found.values()]


def _outline_from_children(areas: list[Area]) -> None:
    for area in areas:
        children = list(Area.objects.active().filter(parent=area))
        if children:
            area.geometry_wkb = shapely.to_wkb(shapely.union_all([c.geometry for c in children]))
            area.save(update_fields=["geometry_wkb", "updated_at"])
