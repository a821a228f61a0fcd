"""An administrative reform: a new edition of boundaries, and everything that
hangs on areas carried over to it.

`plan` and `apply` run the same code in one transaction; a plan rolls it back,
so what a person reads is exactly what applying does. The mapping between the
editions is computed from overlaps and written to a file the person reviews
and edits before applying:

- `successors`: old area -> the smallest new area holding at least half of
  it (an old commune merged into a new one; an old district split among
  communes has the province). Units serving the old area, staff scoped to it
  and its old reports' figures move there.
- `predecessors`: new area of the smallest level -> the old area of the
  smallest level holding at least half of it. The new area inherits the
  routing the old one had (for every category, the unit the old rules gave).

Applying: open tickets are re-routed in bulk under the new edition, with a
timeline event each (residents are not pushed anything; each receiving unit's
staff are told once per batch); what no rule covers goes to a triage unit;
closed tickets keep the areas they had, and count within the new areas
through the mapping.
"""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import transaction

from backend.accounts.models import User
from backend.areas import routing
from backend.areas.hierarchy import area_tree, link_through_reform
from backend.areas.loading import EditionSpec, load_edition
from backend.areas.models import Area, AreaLevel, RoutingRule, Unit
from backend.catalogue.models import Category
from backend.reference_data import invalidate_all
from backend.reports.access import managing_area_id
from backend.reports.models import OPEN_STATUSES, EventKind, Report
from backend.reports.timeline import NewEvent, record_events

MAJORITY = 0.5
BATCH_SIZE = 2000


def _key(area: Area) -> str:
    return f"{area.level}/{area.code}"


@dataclass
class Mapping:
    from_edition: str
    to_edition: str
    successors: dict[str, str] = field(default_factory=dict)
    predecessors: dict[str, str] = field(default_factory=dict)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, ensure_ascii=False, indent=2) + "\n", "utf-8")

    @classmethod
    def read(cls, path: Path) -> "Mapping":
        return cls(**json.loads(path.read_text("utf-8")))


@dataclass
class Move:
    reference: str
    from_area: str
    from_unit: str | None
    to_area: str
    to_unit: str | None


@dataclass
class ReformPlan:
    mapping: Mapping
    moves: list[Move] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # open tickets no new area holds
    without_unit: list[str] = field(default_factory=list)
    rules_carried: int = 0
    units_moved: list[tuple[str, str, str]] = field(default_factory=list)  # unit, from, to
    scopes_moved: list[tuple[str, str, str, bool]] = field(default_factory=list)  # + widened
    unmapped_scopes: list[tuple[str, str]] = field(default_factory=list)
    uncovered: dict[str, list[str]] = field(default_factory=dict)  # new area -> categories
    units_told: Counter = field(default_factory=Counter)


def _areas(edition: str) -> list[Area]:
    return list(Area.objects.filter(edition=edition))


def _depths(edition: str) -> dict[str, int]:
    return dict(AreaLevel.objects.filter(edition=edition).values_list("code", "depth"))


def compute_mapping(from_edition: str, to_edition: str) -> Mapping:
    """Successors and predecessors from the overlaps of the two editions.

    Only the smallest areas of each side are intersected (polygons of a few
    thousand vertices, not the province's hundred thousand); an area's overlap
    with another is the sum of its smallest areas' overlaps."""
    old, new = _areas(from_edition), _areas(to_edition)
    old_depth, new_depth = _depths(from_edition), _depths(to_edition)
    old_up, new_up = _ancestors_or_self(old), _ancestors_or_self(new)
    old_leaves = [a for a in old if not any(o.parent_id == a.id for o in old)]
    new_leaves = [a for a in new if not any(n.parent_id == a.id for n in new)]
    new_geoms = [a.geometry for a in new_leaves]
    tree = shapely.STRtree(new_geoms)
    overlap: Counter = Counter()  # (old area id, new area id) -> shared area, any level
    for leaf in old_leaves:
        geometry = leaf.geometry
        if geometry.is_empty:
            continue
        for j in tree.query(geometry, predicate="intersects"):
            shared = shapely.intersection(geometry, new_geoms[j]).area
            for o in old_up[leaf.id]:
                for n in new_up[new_leaves[j].id]:
                    overlap[o.id, n.id] += shared
    size = {a.id: a.geometry.area for a in old + new}
    by_id = {a.id: a for a in old + new}
    mapping = Mapping(from_edition=from_edition, to_edition=to_edition)
    for area in old:
        holding = [
            (new_depth.get(by_id[n].level, 0), shared, n)
            for (o, n), shared in overlap.items()
            if o == area.id and size[o] and shared / size[o] >= MAJORITY
        ]
        if holding:
            mapping.successors[_key(area)] = _key(by_id[max(holding)[2]])
    for area in new_leaves:
        held = [
            (old_depth.get(by_id[o].level, 0), shared, o)
            for (o, n), shared in overlap.items()
            if n == area.id and size[n] and shared / size[n] >= MAJORITY
        ]
        if held:
            mapping.predecessors[_key(area)] = _key(by_id[max(held)[2]])
    return mapping


def _ancestors_or_self(areas: list[Area]) -> dict[int, list[Area]]:
    by_id = {a.id: a for a in areas}
    chains: dict[int, list[Area]] = {}
    for area in areas:
        chain: list[Area] = []
        current: Area | None = area
        while current is not None:
            chain.append(current)
            current = by_id.get(current.parent_id) if current.parent_id else None
        chains[area.id] = chain
    return chains


def plan(spec: EditionSpec, mapping_path: Path) -> ReformPlan:
    """What applying would do, changing nothing. Writes the computed mapping to
    `mapping_path` when that file does not exist yet."""
    with transaction.atomic():
        result = _run(spec, mapping_path)
        transaction.set_rollback(True)
    invalidate_all()
    return result


def apply(spec: EditionSpec, mapping_path: Path) -> ReformPlan:
    with transaction.atomic():
        result = _run(spec, mapping_path)
    invalidate_all()
    return result


def _run(spec: EditionSpec, mapping_path: Path) -> ReformPlan:
    from_edition = _active_edition()
    load_edition(spec)  # it makes this process's reference data look again
    if mapping_path.exists():
        mapping = Mapping.read(mapping_path)
    else:
        mapping = compute_mapping(from_edition, spec.edition)
        mapping.write(mapping_path)
    result = ReformPlan(mapping=mapping)
    old = {_key(a): a for a in _areas(mapping.from_edition)}
    new = {_key(a): a for a in _areas(mapping.to_edition)}
    successors = {old[o].id: new[n] for o, n in mapping.successors.items() if o in old and n in new}
    _carry_units_and_scopes(result, successors)
    result.rules_carried = _carry_rules(mapping, old, new)
    for area_id, successor in successors.items():
        link_through_reform(Area(id=area_id), successor)
    invalidate_all()
    _reroute_open_tickets(result)
    result.uncovered = _uncovered()
    return result


def _active_edition() -> str:
    editions = set(Area.objects.active().values_list("edition", flat=True))
    if len(editions) != 1:
        raise ValueError(f"a reform starts from one active edition, found {sorted(editions)}")
    return editions.pop()


def _carry_units_and_scopes(result: ReformPlan, successors: dict[int, Area]) -> None:
    depth = {(lv.edition, lv.code): lv.depth for lv in AreaLevel.objects.all()}
    for unit in Unit.objects.filter(area_id__in=successors).select_related("area"):
        target = successors[unit.area_id]
        result.units_moved.append((unit.code, _key(unit.area), _key(target)))
        unit.area = target
        unit.save(update_fields=["area", "updated_at"])
    scoped = User.objects.filter(scope_area__isnull=False, scope_area__retired_at__isnull=False)
    for user in scoped.select_related("scope_area"):
        before = user.scope_area
        assert before is not None  # the filter's
        new_scope = successors.get(before.id)
        if new_scope is None:
            result.unmapped_scopes.append((user.username, _key(before)))
            continue
        widened = depth.get((new_scope.edition, new_scope.level), 0) < depth.get(
            (before.edition, before.level), 0
        )
        result.scopes_moved.append((user.username, _key(before), _key(new_scope), widened))
        user.scope_area = new_scope
        user.save(update_fields=["scope_area"])


def _carry_rules(mapping: Mapping, old: dict[str, Area], new: dict[str, Area]) -> int:
    """Each new area with a predecessor gets, for every category, the unit the old
    rules gave there: a default rule, and a rule per category that differs."""
    rules: dict[int, dict[int | None, int]] = defaultdict(dict)
    for rule in RoutingRule.objects.filter(area__edition=mapping.from_edition, unit__active=True):
        rules[rule.area_id][rule.category_id] = rule.unit_id
    categories = list(Category.objects.values_list("id", flat=True))
    by_id = {a.id: a for a in old.values()}
    created = 0
    for new_key, old_key in mapping.predecessors.items():
        if new_key not in new or old_key not in old:
            continue
        chain: list[int] = []
        step: Area | None = old[old_key]
        while step is not None:
            chain.append(step.id)
            step = by_id.get(step.parent_id) if step.parent_id else None

        def resolved(category_id: int | None, chain: list[int] = chain) -> int | None:
            specific = (rules[a].get(category_id) for a in chain if category_id is not None)
            default = (rules[a].get(None) for a in chain)
            return next((u for u in specific if u), None) or next((u for u in default if u), None)

        target = new[new_key]
        existing = set(
            RoutingRule.objects.filter(area=target).values_list("category_id", flat=True)
        )
        default_unit = resolved(None)
        wanted: dict[int | None, int] = {}
        if default_unit:
            wanted[None] = default_unit
        for category_id in categories:
            found = resolved(category_id)
            if found and found != default_unit:
                wanted[category_id] = found
        for rule_category, unit_id in wanted.items():
            if rule_category not in existing:
                RoutingRule.objects.create(area=target, category_id=rule_category, unit_id=unit_id)
                created += 1
    return created


def _reroute_open_tickets(result: ReformPlan) -> None:
    index = routing.area_index()
    last_id = None
    while True:
        batch_qs = Report.objects.filter(status__in=OPEN_STATUSES).order_by("id")
        if last_id is not None:
            batch_qs = batch_qs.filter(id__gt=last_id)
        # with_related: the areas without their boundaries (some 30 KB each).
        batch = list(batch_qs.with_related("area", "unit")[:BATCH_SIZE])
        if not batch:
            return
        last_id = batch[-1].id
        placements = index.place_many(
            np.array([r.lat for r in batch]), np.array([r.lon for r in batch])
        )
        moved: list[tuple[Report, NewEvent]] = []
        for report, placement in zip(batch, placements, strict=True):
            if placement is None:
                result.outside.append(report.reference)
                continue
            event = _move(report, placement, result)
            if event is not None:
                moved.append((report, event))
        _tell_units_once(moved, result)
        for report, event in moved:
            record_events(report, [event])


def _move(report: Report, placement: routing.Placement, result: ReformPlan) -> NewEvent | None:
    # No rule and no triage unit for the new area: the unit keeps the ticket
    # rather than drop it, and the plan lists it.
    unit = routing.unit_for(placement, report.category_id) or report.unit
    if unit is None:
        result.without_unit.append(report.reference)
    if (report.area_id, report.unit_id) == (placement.area.id, unit.id if unit else None):
        return None
    old_chain = area_tree().chain(report.area_id)
    before = {"areas": [a.code for a in old_chain], "unit": _code(report.unit)}
    after = {"areas": [a.code for a in placement.chain], "unit": _code(unit)}
    result.moves.append(
        Move(
            report.reference,
            _key(report.area),
            _code(report.unit),
            _key(placement.area),
            _code(unit),
        )
    )
    report.area = placement.area
    report.unit = unit
    report.managing_area_id = managing_area_id(unit, placement.area.id)
    report.save(update_fields=["area", "unit", "managing_area", "updated_at"])
    return NewEvent(EventKind.REROUTED, is_public=True, data={"from": before, "to": after})


def _tell_units_once(moved: list[tuple[Report, NewEvent]], result: ReformPlan) -> None:
    """The first event of each receiving unit in the batch carries the batch's
    count for that unit: its staff get one message, not one per ticket."""
    counts = Counter(report.unit_id for report, _ in moved if report.unit_id)
    told: set[int] = set()
    for report, event in moved:
        if report.unit_id and report.unit_id not in told:
            told.add(report.unit_id)
            event.data["batch_count"] = counts[report.unit_id]
            result.units_told[_code(report.unit)] += counts[report.unit_id]


def _uncovered() -> dict[str, list[str]]:
    """New areas of the deciding layer where some category reaches no unit."""
    index = routing.area_index()
    tree = area_tree()
    categories = list(Category.objects.filter(active=True))
    found: dict[str, list[str]] = {}
    for area in index.layer.refs:
        placement = routing.Placement(chain=tuple(tree.chain(area.id)), distance_outside_m=0.0)
        units = routing.units_by_category(placement, [c.id for c in categories])
        missing = [c.code for c in categories if units[c.id] is None]
        if missing:
            found[_key(area)] = missing
    return found


def _code(unit: Unit | None) -> str | None:
    return unit.code if unit else None
