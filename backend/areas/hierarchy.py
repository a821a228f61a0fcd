"""The area tree: every area's chain of ancestors, the levels' labels, and
"within an area" at any depth.

The tree is reference data (`backend.reference_data`): all areas of every
edition, without their boundaries, held in memory, so a report's chain
(province, commune; or province, district, commune) is shown without a query.
In the database the same tree is `AreaAncestry`, its closure, which filters
and groups reports by an area of any level in one join.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from backend.areas.models import Area, AreaAncestry, AreaLevel
from backend.errors import Unprocessable
from backend.reference_data import Snapshot

AREA_FIELDS = ("id", "code", "name", "short_name", "level", "parent_id", "edition", "retired_at")


@dataclass(frozen=True)
class AreaTree:
    areas: dict[int, Area]
    levels: dict[tuple[str, str], AreaLevel]
    # What is computed from this tree alone (the API's chain of an area, in a
    # language), kept as long as the tree is: a new tree starts it empty.
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def chain(self, area_id: int | None) -> list[Area]:
        """The area and its ancestors, largest first; empty for no area."""
        chain: list[Area] = []
        area = self.areas.get(area_id) if area_id is not None else None
        while area is not None:
            chain.append(area)
            area = self.areas.get(area.parent_id) if area.parent_id else None
        chain.reverse()
        return chain

    def level_of(self, area: Area) -> AreaLevel | None:
        return self.levels.get((area.edition, area.level))

    def active_edition(self) -> str | None:
        editions = {a.edition for a in self.areas.values() if a.retired_at is None}
        return min(editions) if editions else None

    def responsible_level(self, edition: str) -> AreaLevel | None:
        """The shallowest level of the edition with more than one area (the
        communes and wards of 2025, the districts before): where reports are
        routed and figures are compared by default."""
        counts: dict[str, int] = {}
        for area in self.areas.values():
            if area.edition == edition:
                counts[area.level] = counts.get(area.level, 0) + 1
        levels = sorted(
            (lv for (ed, code), lv in self.levels.items() if ed == edition and code in counts),
            key=lambda lv: lv.depth,
        )
        return next((lv for lv in levels if counts[lv.code] > 1), levels[-1] if levels else None)


def _build() -> AreaTree:
    areas = {area.id: area for area in Area.objects.only(*AREA_FIELDS)}
    levels = {(level.edition, level.code): level for level in AreaLevel.objects.all()}
    return AreaTree(areas=areas, levels=levels)


_tree = Snapshot("area-tree", _build, Area, AreaLevel)
area_tree = _tree.get


def area_by_code(code: str) -> Area | None:
    """The area with this code: the active one, else the latest retired one
    (codes repeat across editions)."""
    found = [area for area in area_tree().areas.values() if area.code == code]
    found.sort(key=lambda area: (area.retired_at is None, area.retired_at or 0, area.id))
    return found[-1] if found else None


def statistics_level(code: str | None, edition: str | None) -> AreaLevel:
    """The level figures are grouped by: the one named (of the active edition,
    unless another is named), else the responsible level."""
    tree = area_tree()
    edition = edition or tree.active_edition() or ""
    level = tree.levels.get((edition, code)) if code else tree.responsible_level(edition)
    if level is None:
        raise Unprocessable(
            _("No such level in this edition of areas."),
            code="unknown_level",
            details={"level": code, "edition": edition},
        )
    return level


def watch_reference_data() -> None:
    _tree.watch_saves()


def within(area: Area | int, field: str = "area") -> Q:
    """Reports (or any rows) whose `field` lies in the area, at any depth."""
    area_id = area if isinstance(area, int) else area.id
    return Q(**{f"{field}__in": AreaAncestry.objects.filter(ancestor_id=area_id).values("area_id")})


def ancestor_ids(area_id: int) -> QuerySet[AreaAncestry]:
    """The area's ancestors (itself included), nearest first, as ancestry rows."""
    return AreaAncestry.objects.filter(area_id=area_id).order_by("distance")


def link_ancestors(areas: Iterable[Area]) -> None:
    """Write the closure rows of these areas from their parents (after a load).
    Rows a reform added are kept."""
    by_id = {area.id: area for area in Area.objects.only("id", "level", "parent_id", "edition")}
    levels = {(level.edition, level.code): level for level in AreaLevel.objects.all()}
    ids = [area.id for area in areas]
    AreaAncestry.objects.filter(area_id__in=ids, via_reform=False).delete()
    rows = []
    for area_id in ids:
        distance, current = 0, by_id.get(area_id)
        while current is not None:
            rows.append(
                AreaAncestry(
                    area_id=area_id,
                    ancestor_id=current.id,
                    ancestor_level=_level(levels, current),
                    distance=distance,
                )
            )
            distance += 1
            current = by_id.get(current.parent_id) if current.parent_id else None
    AreaAncestry.objects.bulk_create(rows, ignore_conflicts=True)


def link_through_reform(old: Area, successor: Area) -> None:
    """A retired area counts within its successor's chain from now on: its old
    reports are figures of the new area, compared like with like."""
    rows = [
        AreaAncestry(
            area_id=old.id,
            ancestor_id=row.ancestor_id,
            ancestor_level_id=row.ancestor_level_id,
            distance=row.distance + 1,
            via_reform=True,
        )
        for row in ancestor_ids(successor.id)
    ]
    AreaAncestry.objects.bulk_create(rows, ignore_conflicts=True)


def _level(levels: dict[tuple[str, str], AreaLevel], area: Area) -> AreaLevel:
    """The area's level row; an area made by hand (the admin, a test) whose
    edition declares no such level gets one named by its code."""
    key = (area.edition, area.level)
    if key not in levels:
        depth = AreaLevel.objects.filter(edition=area.edition).count()
        levels[key], _ = AreaLevel.objects.get_or_create(
            edition=area.edition,
            code=area.level,
            defaults={"depth": depth, "label_vi": area.level, "label_en": area.level},
        )
    return levels[key]
