from datetime import timedelta

import pytest
from django.utils import timezone

from backend.reports.models import Report, Status, Visibility
from tests.reports.helpers import TRA_VINH_MARKET, offset, report_payload

pytestmark = pytest.mark.django_db


def send(client, point, **overrides):
    response = client.post_json("/api/v1/reports", report_payload(point=point, **overrides))
    assert response.status_code == 201, response.content
    return response.json()


def test_open_reports_nearby_of_the_same_category_are_offered_nearest_first(
    resident, other_resident
):
    farther = send(resident, offset(TRA_VINH_MARKET, north_m=40))
    nearer = send(resident, offset(TRA_VINH_MARKET, east_m=15))
    send(resident, offset(TRA_VINH_MARKET, north_m=80))  # beyond 50 m
    send(resident, offset(TRA_VINH_MARKET, east_m=10), category="street-light")  # other category
    body = send(other_resident, TRA_VINH_MARKET)
    candidates = body["duplicate_candidates"]
    assert [c["id"] for c in candidates] == [nearer["id"], farther["id"]]
    assert candidates[0]["distance_m"] == pytest.approx(15, abs=1)
    assert candidates[1]["distance_m"] == pytest.approx(40, abs=1)


def test_closed_hidden_and_old_reports_are_not_offered(resident, other_resident):
    old = send(resident, offset(TRA_VINH_MARKET, north_m=5))
    closed = send(resident, offset(TRA_VINH_MARKET, north_m=10))
    hidden = send(resident, offset(TRA_VINH_MARKET, north_m=20))
    recent_enough = send(resident, offset(TRA_VINH_MARKET, north_m=25))
    Report.objects.filter(id=old["id"]).update(created_at=timezone.now() - timedelta(days=31))
    Report.objects.filter(id=recent_enough["id"]).update(
        created_at=timezone.now() - timedelta(days=29)
    )
    Report.objects.filter(id=closed["id"]).update(status=Status.RESOLVED)
    Report.objects.filter(id=hidden["id"]).update(visibility=Visibility.HIDDEN)
    body = send(other_resident, TRA_VINH_MARKET)
    assert [c["id"] for c in body["duplicate_candidates"]] == [recent_enough["id"]]


def test_duplicates_across_an_h3_cell_edge_are_found(resident, other_resident):
    """Points 45 m apart in every direction: whichever res-10 cells they fall in, found."""
    for north, east in [(45, 0), (0, 45), (-45, 0), (0, -45), (32, 32), (-32, -32)]:
        Report.objects.all().delete()
        send(resident, offset(TRA_VINH_MARKET, north_m=north, east_m=east))
        body = send(other_resident, TRA_VINH_MARKET)
        assert len(body["duplicate_candidates"]) == 1, (north, east)
