"""The queries the API runs on every request of a kind, compiled once: the
sign-in look-ups, a report's view, a resident's and a unit's pages, and a new
report's history and duplicate search.

Django builds and compiles a queryset's SQL anew each time it runs it: for a
one-row read here that is two thirds of the query's cost in Python (0.3 of
0.45 ms), more than the database takes to answer it. The SQL of such a query
depends only on its shape, not on the values it is asked for, so a Statement
builds its queryset once per database with stand-in values, compiles it, and
then runs that SQL with the real values; the rows become model instances the
way the queryset itself makes them (the compiler's converters, `from_db`,
select_related's populators), or tuples for a `values_list()`, named ones for
`named=True`. Only SQL text is kept: no row, so nothing that can go out of
date.

A stand-in is a value the query compares columns with (`id=report_id`,
`expires_at__gt=now`, also inside an aggregate's filter), prepared for the
database as that column's values are; a tuple of distinct values a column is
compared with in one `__in` (its length part of the shape); or a number the
SQL computes with (`F("lat") - lat`), sent as it is. Where each reaches the
SQL is found, and checked, when the statement is compiled.
"""

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Lookup, Model, QuerySet
from django.db.models.query import ModelIterable, NamedValuesListIterable, get_related_populators
from django.db.models.sql.query import Query
from django.db.models.sql.where import WhereNode
from django.db.models.utils import create_namedtuple_class

M = TypeVar("M", bound=Model)
# Stand-ins for the values a statement is run with, of the types its columns hold.
STAND_IN_UUID = uuid.UUID("5747a7e1-0000-4000-8000-000000000001")
STAND_IN_TEXT = "stand-in for a text the statement is run with"
STAND_IN_TIME = datetime(2000, 1, 1, 0, 0, 1, 234567, tzinfo=UTC)
STAND_IN_ID = -574_700_001
STAND_IN_NUMBER = 5747.000_001


def stand_ins_for(values: dict[str, Any]) -> dict[str, Any]:
    """Stand-ins for these values, each of its value's type and none equal to
    another (a query whose values a request chooses, the staff queue's)."""
    found: dict[str, Any] = {}
    for n, (name, value) in enumerate(sorted(values.items())):
        if isinstance(value, tuple):
            first = STAND_IN_ID - 100 * (n + 1) if isinstance(value[0], int) else None
            found[name] = tuple(
                first - i if first is not None else f"{STAND_IN_TEXT} {name} {i}"
                for i in range(len(value))
            )
        elif isinstance(value, datetime):
            found[name] = STAND_IN_TIME + timedelta(days=n + 1)
        elif isinstance(value, int):
            found[name] = STAND_IN_ID - n - 1
        else:
            found[name] = f"{STAND_IN_TEXT} {name}"
    return found


@dataclass(frozen=True)
class _Slot:
    """Where a stand-in reached the SQL: for each value it sends (one, or each
    of a tuple's), the parameters it is; and the lookup that prepares a value
    as its column's (none: a number sent as it is)."""

    positions: list[list[int]]
    lookup: Any  # a Lookup (django-stubs know no lookup of many values), or None

    def fill(self, params: list[Any], value: Any, connection: Any) -> None:
        if self.lookup is None:
            sent = [value]
        else:
            many = self.lookup.get_db_prep_lookup_value_is_iterable
            field = self.lookup.lhs.output_field
            if many and len(set(value)) != len(value):
                raise ValueError("the values of a tuple stand-in must be distinct")
            prepared = (
                [field.get_prep_value(v) for v in value] if many else field.get_prep_value(value)
            )
            sent = list(self.lookup.get_db_prep_lookup(prepared, connection)[1])
        if len(sent) != len(self.positions):
            raise ValueError(f"expected {len(self.positions)} values, got {len(sent)}")
        for positions, one in zip(self.positions, sent, strict=True):
            for position in positions:
                params[position] = one


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: dict[str, _Slot]  # by the stand-in's name
    rows_to_models: "_RowsToModels"


class Statement(Generic[M]):
    """`build(*shape, **values)` is a queryset; `stand_ins` are values to
    compile it with. `shape` is what changes its SQL (a page's size, whether
    it follows a cursor): it is compiled once for each shape it is run with,
    so a shape must take few values."""

    def __init__(self, build: Callable[..., QuerySet[M]], **stand_ins: Any) -> None:
        self._build = build
        self._stand_ins = stand_ins
        self._compiled: dict[tuple[str, tuple], _Compiled] = {}
        self._lock = threading.Lock()

    def all(self, using: str = DEFAULT_DB_ALIAS, shape: tuple = (), **values: Any) -> list[M]:
        return list(self._run(using, shape, values))

    def first(self, using: str = DEFAULT_DB_ALIAS, shape: tuple = (), **values: Any) -> M | None:
        return next(self._run(using, shape, values), None)

    def _run(self, using: str, shape: tuple, values: dict[str, Any]) -> Iterator[M]:
        compiled = self._compiled.get((using, shape)) or self._compile(using, shape)
        if values.keys() != compiled.slots.keys():
            raise TypeError(f"expected the values {sorted(compiled.slots)}, got {sorted(values)}")
        connection = connections[using]
        params = list(compiled.params)
        for name, slot in compiled.slots.items():
            slot.fill(params, values[name], connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        yield from compiled.rows_to_models(rows, connection)

    def _compile(self, using: str, shape: tuple) -> _Compiled:
        with self._lock:
            if (using, shape) in self._compiled:
                return self._compiled[using, shape]
            queryset = self._build(*shape, **self._stand_ins).using(using)
            query = queryset.query
            compiler = query.get_compiler(using)
            sql, params = compiler.as_sql()
            connection = connections[using]
            slots = {
                name: _slot(name, stand_in, query, params, connection)
                for name, stand_in in self._stand_ins.items()
            }
            rows = _RowsToModels(compiler, using, queryset)
            compiled = _Compiled(sql, tuple(params), slots, rows)
            self._compiled[using, shape] = compiled
            return compiled


def _slot(name: str, stand_in: Any, query: Any, params: list[Any], connection: Any) -> _Slot:
    """Where a stand-in reached the compiled SQL's parameters."""
    wheres = [query.where] + [
        a.filter
        for a in query.annotations.values()
        if isinstance(getattr(a, "filter", None), WhereNode)
    ]
    lookups: list[Any] = [lk for w in wheres for lk in _lookups(w) if _same(lk.rhs, stand_in)]
    sent: list[list[Any]]
    if lookups:
        sent = [list(lk.get_db_prep_lookup(lk.rhs, connection)[1]) for lk in lookups]
        if len({repr(one) for one in sent}) != 1:
            raise ValueError(f"the stand-in for {name!r} is compared with columns of other types")
        expected, lookup = len(lookups), lookups[0]
    elif isinstance(stand_in, float):
        sent, expected, lookup = [[stand_in]], 0, None
    else:
        raise ValueError(f"the stand-in for {name!r} must be compared with a column")
    positions = [
        [i for i, param in enumerate(params) if type(param) is type(one) and param == one]
        for one in sent[0]
    ]
    if not all(positions) or (expected and any(len(p) != expected for p in positions)):
        raise ValueError(f"the stand-in for {name!r} must reach the SQL as itself")
    return _Slot(positions, lookup)


def _same(rhs: Any, stand_in: Any) -> bool:
    if isinstance(stand_in, tuple):
        return isinstance(rhs, list | tuple) and tuple(rhs) == stand_in
    return not isinstance(rhs, list | tuple) and rhs == stand_in


def _lookups(node: WhereNode) -> Iterator[Lookup]:
    """The comparisons of a WHERE, those of its subqueries (`area__in=<ids of
    an area's descendants>`) included."""
    for child in node.children:
        if isinstance(child, WhereNode):
            yield from _lookups(child)
        elif isinstance(child, Lookup):
            yield child
            if isinstance(child.rhs, Query):
                yield from _lookups(child.rhs.where)


class _RowsToModels:
    """What Django's ModelIterable does with a compiled query's rows, its
    setting-up done once; a `values_list()` query's rows stay tuples, named
    ones (`named=True`) of one namedtuple class."""

    def __init__(self, compiler: Any, using: str, queryset: QuerySet) -> None:
        select, klass_info = compiler.select, compiler.klass_info
        columns = [column[0] for column in select[: compiler.col_count]]
        self.converters = list(compiler.get_converters(columns).items())
        self.model = None
        self.tuple_class: Callable[..., tuple] = lambda *values: values
        if queryset._iterable_class is NamedValuesListIterable:
            self.tuple_class = create_namedtuple_class(*queryset._fields)  # type: ignore[attr-defined]
        if queryset._iterable_class is not ModelIterable:
            return
        self.using = using
        self.model = klass_info["model"]
        self.start, self.end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        # django-stubs describe Django 6's signature (a fetch_mode); this is 5.2's.
        self.populators = get_related_populators(klass_info, select, using)  # type: ignore[call-arg]
        self.annotations = compiler.annotation_col_map

    def __call__(self, rows: list[tuple], connection: Any) -> Iterator[Any]:
        for fetched in rows:
            row = list(fetched)
            for position, (functions, expression) in self.converters:
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
            if self.model is None:
                yield self.tuple_class(*row)
                continue
            obj = self.model.from_db(self.using, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for attribute, position in self.annotations.items():
                setattr(obj, attribute, row[position])
            yield obj
