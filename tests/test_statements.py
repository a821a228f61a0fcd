"""A Statement gives what its queryset gives, in one query, compiling it once."""

import uuid

import pytest
from django.db import connection
from django.db.models import Count, F, Q, UUIDField, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts.models import User
from backend.reports.models import Report, ReportEvent
from backend.statements import (
    STAND_IN_ID,
    STAND_IN_NUMBER,
    STAND_IN_TEXT,
    STAND_IN_TIME,
    STAND_IN_UUID,
    Statement,
)
from tests.reports.helpers import TRA_VINH_MARKET, offset, report_payload

pytestmark = pytest.mark.django_db


def _events(report_id):
    return (
        ReportEvent.objects.filter(report_id=report_id, is_public=True)
        .select_related("actor")
        .only("kind", "created_at", "message", "data", "actor__role")
    )


@pytest.fixture
def two_reports(resident):
    ids = []
    for n in range(2):
        point = offset(TRA_VINH_MARKET, north_m=300 * n)
        ids.append(resident.post_json("/api/v1/reports", report_payload(point=point)).json()["id"])
    return [uuid.UUID(i) for i in ids]


def test_rows_are_the_querysets_own(two_reports):
    reports = Statement(
        lambda report_id: Report.objects.filter(id=report_id), report_id=STAND_IN_UUID
    )
    events = Statement(_events, report_id=STAND_IN_UUID)
    for report_id in two_reports:
        expected = Report.objects.get(id=report_id)
        got = reports.first(report_id=report_id)
        assert got is not None and got.pk == expected.pk
        for field in Report._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(expected, field.attname), field.name
        assert got.created_at.tzinfo is not None  # through the compiler's converters
        assert got._state.adding is False and got._state.db == "default"

        expected_events = list(_events(report_id))
        got_events = events.all(report_id=report_id)
        assert expected_events, "a new report has public events"
        assert [(e.pk, e.kind, e.created_at, e.message, e.data) for e in got_events] == [
            (e.pk, e.kind, e.created_at, e.message, e.data) for e in expected_events
        ]
        # select_related filled in, only() deferred the rest: no further query.
        with CaptureQueriesContext(connection) as captured:
            roles = [e.actor.role if e.actor else None for e in got_events]
        assert len(captured) == 0
        assert roles == [e.actor.role if e.actor else None for e in expected_events]
        deferred = expected_events[0].get_deferred_fields()
        assert deferred and got_events[0].get_deferred_fields() == deferred


def test_a_missing_row_is_none_and_each_run_is_one_query(two_reports):
    reports = Statement(
        lambda report_id: Report.objects.filter(id=report_id), report_id=STAND_IN_UUID
    )
    with CaptureQueriesContext(connection) as captured:
        assert reports.first(report_id=uuid.uuid4()) is None
        assert reports.first(report_id=two_reports[0]) is not None
    assert len(captured) == 2


def test_the_queryset_is_built_and_compiled_once(two_reports, resident):
    built = []

    def build(uid, now):
        built.append(uid)
        return User.objects.filter(firebase_uid=uid, date_joined__lt=now)

    residents = Statement(build, uid=STAND_IN_TEXT, now=STAND_IN_TIME)
    me = Report.objects.get(id=two_reports[0]).reporter
    for _ in range(3):
        assert residents.first(uid=me.firebase_uid, now=timezone.now()) == me
    assert residents.first(uid=me.firebase_uid, now=me.date_joined) is None  # the real value counts
    assert built == [STAND_IN_TEXT]


def test_a_stand_in_that_does_not_reach_the_sql_as_itself_is_refused(db):
    unused = Statement(lambda report_id: Report.objects.all(), report_id=STAND_IN_UUID)
    with pytest.raises(ValueError, match="compared with a column"):
        unused.first(report_id=uuid.uuid4())
    # Also a value of the SQL that no comparison made: it could not be told apart.
    also_selected = Statement(
        lambda report_id: Report.objects.filter(id=report_id).annotate(
            same=Value(report_id, output_field=UUIDField())
        ),
        report_id=STAND_IN_UUID,
    )
    with pytest.raises(ValueError, match="as itself"):
        also_selected.first(report_id=uuid.uuid4())


def test_a_stand_in_compared_twice_and_a_shape(two_reports):
    """A cursor's time is compared twice; a page's size is part of its SQL."""
    built = []

    def page(limit, since):
        built.append(limit)
        newer = Report.objects.filter(created_at__gt=since) | Report.objects.filter(
            created_at=since
        )
        return newer.order_by("-created_at")[:limit]

    pages = Statement(page, since=STAND_IN_TIME)
    oldest = Report.objects.get(id=two_reports[0]).created_at
    assert [r.id for r in pages.all(shape=(5,), since=oldest)] == two_reports[::-1]
    assert [r.id for r in pages.all(shape=(1,), since=oldest)] == two_reports[1:]
    assert pages.all(shape=(5,), since=timezone.now()) == []
    assert built == [5, 1]


def test_values_must_be_those_it_was_compiled_with(db):
    reports = Statement(
        lambda report_id: Report.objects.filter(id=report_id), report_id=STAND_IN_UUID
    )
    with pytest.raises(TypeError, match="report_id"):
        reports.first(id=uuid.uuid4())


def test_a_tuple_in_an_in_and_a_number_in_an_expression(two_reports):
    """The duplicate search's shape: ids compared in one `__in`, a point's
    coordinates computed with; the rows are the queryset's, nearest first."""

    def nearest(ids, lat):
        return (
            Report.objects.filter(id__in=ids)
            .annotate(off=(F("lat") - lat) * (F("lat") - lat))
            .order_by("off")
        )

    stand_ins = (STAND_IN_UUID, uuid.UUID(int=STAND_IN_UUID.int + 1))
    statement = Statement(nearest, ids=stand_ins, lat=STAND_IN_NUMBER)
    first, second = (Report.objects.get(id=i) for i in two_reports)
    for lat in (first.lat, second.lat):
        expected = list(nearest(two_reports, lat))
        got = statement.all(ids=tuple(two_reports), lat=lat)
        assert [r.id for r in got] == [r.id for r in expected]
        assert [r.off for r in got] == pytest.approx([r.off for r in expected])
    assert [r.id for r in statement.all(ids=(two_reports[1], uuid.uuid4()), lat=0.0)] == [
        two_reports[1]
    ]
    with pytest.raises(ValueError, match="distinct"):
        statement.all(ids=(two_reports[0], two_reports[0]), lat=0.0)
    with pytest.raises(ValueError, match="expected 2 values"):
        statement.all(ids=(two_reports[0],), lat=0.0)


def test_rows_of_values_with_a_stand_in_in_an_aggregates_filter(two_reports):
    """A resident's history: counts whose filters compare the stand-ins, as tuples."""

    def history(reporter_id, since):
        return (
            Report.objects.filter(reporter_id=reporter_id)
            .values_list("reporter")
            .annotate(recent=Count("id", filter=Q(created_at__gte=since)), total=Count("id"))
        )

    statement = Statement(history, reporter_id=STAND_IN_ID, since=STAND_IN_TIME)
    first = Report.objects.get(id=two_reports[0])
    second = Report.objects.get(id=two_reports[1])
    for since in (first.created_at, second.created_at, timezone.now()):
        expected = history(first.reporter_id, since).get()
        assert statement.first(reporter_id=first.reporter_id, since=since) == expected
    assert statement.first(reporter_id=-1, since=timezone.now()) is None
