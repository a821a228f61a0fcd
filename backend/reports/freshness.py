"""Which kept answers a change to a report makes out of date.

Reads that many callers repeat (a public report, a resident's own reports, a
unit's ticket queue) are kept in the answer cache (`backend.answer_cache`)
under the scopes they depend on. Every write to a report goes through
`Report.save()` or the report queryset's `update()`, which call
`reports_changed`; a timeline event or a photo calls `report_view_changed`.
So a resident sees their new report, and staff their change, on the next read.

Each change bumps its scopes at once and again when its transaction commits:
a read between the two, which still sees the old rows, may keep its answer
under the first bump; the second puts it out of date.
"""

from collections.abc import Iterable
from uuid import UUID

from django.db import transaction

from backend import answer_cache

# A report row's columns that decide whose lists show it.
SCOPE_FIELDS = ("reporter_id", "unit_id", "managing_district_id", "commune_id")
SCOPE_FIELD_NAMES = frozenset([*SCOPE_FIELDS, *(name.removesuffix("_id") for name in SCOPE_FIELDS)])
EVERY_REPORT = "reports"  # in every answer's scopes: a bulk change bumps it alone
ALL_TICKETS = "tickets:all"  # the queue of a province official or an admin
NO_TICKETS = "tickets:none"  # the (empty) queue of a staff account without a scope
MOST_ROWS_ONE_BY_ONE = 1000  # beyond this, a change bumps EVERY_REPORT instead


def report_view(report_id: UUID | str) -> list[str]:
    """The scopes of one report's own view (its row, timeline and photos)."""
    return [EVERY_REPORT, f"report:{report_id}"]


def reporter_lists(reporter_id: int) -> list[str]:
    return [EVERY_REPORT, f"reporter:{reporter_id}"]


def _scopes_of_row(
    report_id: UUID,
    reporter_id: int | None,
    unit_id: int | None,
    managing_district_id: int | None,
    commune_id: int | None,
) -> list[str]:
    scopes = [f"report:{report_id}", ALL_TICKETS]
    if reporter_id is not None:
        scopes.append(f"reporter:{reporter_id}")
    if unit_id is not None:
        scopes.append(f"unit:{unit_id}")
    if managing_district_id is not None:
        scopes.append(f"district:{managing_district_id}")
    if commune_id is not None:
        scopes.append(f"commune:{commune_id}")
    return scopes


def reports_changed(rows: Iterable[tuple]) -> None:
    """Reports changed: each row is (id, *SCOPE_FIELDS), as they were or are now
    (a ticket moved to another unit leaves both units' queues out of date)."""
    rows = list(rows)
    if len(rows) > MOST_ROWS_ONE_BY_ONE:
        _bump_now_and_at_commit({EVERY_REPORT})
        return
    scopes: set[str] = set()
    for row in rows:
        scopes.update(_scopes_of_row(*row))
    if scopes:
        _bump_now_and_at_commit(scopes)


def every_report_changed() -> None:
    """For bulk writes: every kept answer about reports is out of date."""
    _bump_now_and_at_commit({EVERY_REPORT})


def report_view_changed(report_ids: Iterable[UUID | str | None]) -> None:
    """The timeline or the photos of these reports changed, not their rows."""
    scopes = {f"report:{report_id}" for report_id in report_ids if report_id is not None}
    if scopes:
        _bump_now_and_at_commit(scopes)


PENDING = "_answer_cache_scopes_to_bump"  # on the database connection


def _bump_now_and_at_commit(scopes: set[str]) -> None:
    answer_cache.bump(scopes)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # The scopes of the whole transaction go in one bump after it commits.
        # Each change registers the bump (so a savepoint rolled back cannot take
        # another change's with it); the first to run takes them all. After a
        # rollback the set stays for the next commit: a spare bump costs a miss.
        connection.__dict__.setdefault(PENDING, set()).update(scopes)
        transaction.on_commit(_bump_pending)


def _bump_pending() -> None:
    scopes = transaction.get_connection().__dict__.pop(PENDING, None)
    if scopes:
        answer_cache.bump(scopes)
