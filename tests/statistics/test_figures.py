import csv
import io
from datetime import timedelta

import h3
import numpy as np
import pytest
from django.utils import timezone

from backend.reports.models import Report, Status
from backend.statistics import hotspots
from tests.reports.helpers import TRA_CU_TOWN, TRA_VINH_MARKET, offset, report_payload

pytestmark = pytest.mark.django_db


def make(resident, point=TRA_VINH_MARKET, category="pothole", **fields) -> Report:
    body = resident.post_json(
        "/api/v1/reports", report_payload(point=point, category=category)
    ).json()
    Report.objects.filter(id=body["id"]).update(**fields)
    return Report.objects.get(id=body["id"])


@pytest.fixture
def dataset(resident, settings):
    """Four reports in Thành phố Trà Vinh, one in Trà Cú, with known timings.

    842: acknowledged after 1 h and 3 h (median 2 h, p90 2.8 h); resolved after
    10 h (in time) and 100 h (late: due 72 h); one rejected; one still open.
    """
    settings.REPORTS_PER_HOUR = 100
    now = timezone.now()
    t0 = now - timedelta(days=10)
    h = timedelta(hours=1)
    make(
        resident,
        created_at=t0,
        acknowledged_at=t0 + h,
        resolved_at=t0 + 10 * h,
        due_at=t0 + 72 * h,
        status=Status.RESOLVED,
        rating=4,
    )
    make(
        resident,
        created_at=t0,
        acknowledged_at=t0 + 3 * h,
        resolved_at=t0 + 100 * h,
        due_at=t0 + 72 * h,
        status=Status.CLOSED,
        rating=2,
        reopened_count=1,
    )
    make(resident, created_at=t0, status=Status.REJECTED, due_at=t0 + 72 * h)
    make(resident, created_at=t0, due_at=t0 + 72 * h)  # open, overdue now
    make(resident, point=TRA_CU_TOWN, category="street-light", created_at=t0 - timedelta(days=7))


def row_for(rows, key, value):
    return next(r for r in rows if r[key] == value)


def test_performance_per_district_is_worked_out_exactly(staff, dataset):
    rows = staff["official"].get("/api/v1/stats/performance?by=area").json()
    tv = row_for(rows, "area", "842")
    assert tv["received"] == 4
    assert tv["acknowledged"] == 2
    assert tv["resolved"] == 2
    assert tv["rejected"] == 1
    assert tv["open"] == 1
    assert tv["overdue_now"] == 1
    assert tv["hours_to_acknowledge_median"] == 2.0
    assert tv["hours_to_acknowledge_p90"] == 2.8
    assert tv["hours_to_resolve_median"] == 55.0
    assert tv["hours_to_resolve_p90"] == 91.0
    assert tv["resolved_within_deadline"] == 0.5
    assert tv["average_rating"] == 3.0
    assert tv["reopen_rate"] == 0.5
    assert row_for(rows, "area", "849")["received"] == 1


def test_performance_by_unit_and_category(staff, dataset):
    by_unit = staff["official"].get("/api/v1/stats/performance?by=unit").json()
    assert row_for(by_unit, "unit", "urban-842")["received"] == 4
    by_category = staff["official"].get("/api/v1/stats/performance?by=category").json()
    assert row_for(by_category, "category", "street-light")["received"] == 1
    only_lights = staff["official"].get("/api/v1/stats/performance?category=street-light").json()
    assert [r["area"] for r in only_lights] == ["849"]


def test_an_area_manager_sees_their_area_only(staff, dataset):
    rows = staff["manager842"].get("/api/v1/stats/performance").json()
    assert [r["area"] for r in rows] == ["842"]
    assert staff["manager849"].get("/api/v1/stats/performance").json()[0]["received"] == 1


@pytest.mark.parametrize("username", ["staff842", "lead842", "moderator"])
def test_other_roles_see_no_statistics(staff, username):
    response = staff[username].get("/api/v1/stats/performance")
    assert response.status_code == 403


def test_residents_need_the_public_page(resident, anonymous, dataset):
    assert resident.get("/api/v1/stats/performance").status_code == 401
    public = anonymous.get("/api/v1/public/performance").json()
    tv = row_for(public, "area", "842")
    assert tv["name"] == "Thành phố Trà Vinh"
    assert tv["received"] == 4 and tv["resolved"] == 2
    assert "reporter" not in str(public)


def test_weekly_and_daily_series(staff, dataset):
    weekly = staff["official"].get("/api/v1/stats/series?interval=week").json()
    assert sum(r["received"] for r in weekly) == 5
    assert len(weekly) == 2
    by_area = staff["official"].get("/api/v1/stats/series?interval=day&by=area").json()
    assert {(r["area"], r["received"]) for r in by_area} == {("842", 4), ("849", 1)}


def test_period_is_checked(staff):
    assert (
        staff["official"]
        .get("/api/v1/stats/performance?start=2026-05-01&end=2026-01-01")
        .status_code
        == 422
    )
    assert (
        staff["official"]
        .get("/api/v1/stats/performance?start=2020-01-01&end=2026-01-01")
        .status_code
        == 422
    )


def test_csv_export_streams_the_reports_without_personal_data(staff, dataset):
    response = staff["official"].get("/api/v1/stats/export.csv")
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    assert "reporter" not in rows[0] and "phone" not in text
    # The smallest area each lies in (Phường 1 of Thành phố Trà Vinh; Trà Cú's
    # township), of the edition it was routed under.
    assert {r["edition"] for r in rows} == {"pre-2025"}
    assert {r["area"] for r in rows} == {"29239", "29461"}


@pytest.mark.slow
def test_gi_star_equals_pysal_esda_on_real_h3_neighbourhoods():
    from esda.getisord import G_Local
    from libpysal.weights import W

    cells = hotspots.service_area_cells(8)
    neighbours, mask = hotspots.neighbour_matrix(cells, 1)
    rng = np.random.default_rng(3)
    counts = rng.poisson(2.0, len(cells)).astype(float)
    ours = hotspots.gi_star(counts, neighbours, mask)
    adjacency = {
        i: [int(j) for j, real in zip(neighbours[i], mask[i], strict=True) if real and j != i]
        for i in range(len(cells))
    }
    weights = W(adjacency, silence_warnings=True)
    theirs = G_Local(counts, weights, transform="B", star=True, permutations=0)
    assert len(cells) > 2000
    np.testing.assert_allclose(ours, theirs.Zs, atol=1e-6)


def test_a_cluster_of_reports_is_a_hot_spot(staff, resident, settings):
    settings.REPORTS_PER_HOUR = 100
    for north in range(0, 300, 20):
        make(resident, point=offset(TRA_VINH_MARKET, north_m=north))
    geojson = staff["official"].get("/api/v1/stats/hotspots?resolution=8").json()
    hottest = max(geojson["features"], key=lambda f: f["properties"]["z"])
    assert hottest["properties"]["bin"] == 3
    assert hottest["properties"]["p"] < 0.01
    cell = h3.latlng_to_cell(*TRA_VINH_MARKET, 8)
    near = {f["properties"]["cell"] for f in geojson["features"] if f["properties"]["bin"] == 3}
    assert cell in near or h3.grid_distance(cell, hottest["properties"]["cell"]) <= 2
    assert hottest["geometry"]["type"] == "Polygon"


def test_fdr_correction_is_never_less_strict():
    p = np.array([0.001, 0.01, 0.03, 0.04, 0.2])
    adjusted = hotspots.benjamini_hochberg(p)
    assert np.all(adjusted >= p)
    np.testing.assert_allclose(adjusted, [0.005, 0.025, 0.05, 0.05, 0.2])


def test_confidence_bins_follow_arcgis():
    z = np.array([3.0, -2.2, 1.7, 0.5])
    p = np.array([0.0027, 0.028, 0.089, 0.6])
    assert hotspots.confidence_bins(z, p).tolist() == [3, -2, 1, 0]


def _exported(staff) -> list[dict]:
    response = staff["official"].get("/api/v1/stats/export.csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_carries_only_text_the_public_may_read(staff, dataset):
    from backend.reports.models import Visibility

    held, hidden, public, *_ = Report.objects.order_by("created_at", "id")
    Report.objects.filter(id=held.id).update(
        visibility=Visibility.HELD, description="Gọi 0912345678, đồ ngu", public_description="x"
    )
    Report.objects.filter(id=hidden.id).update(visibility=Visibility.HIDDEN)
    Report.objects.filter(id=public.id).update(
        description="Gọi anh Tư 0912345678", public_description="Gọi anh Tư [***]"
    )
    rows = {r["reference"]: r for r in _exported(staff)}
    assert len(rows) == 5  # every report is still counted
    assert rows[held.reference]["description"] == ""
    assert rows[hidden.reference]["description"] == ""
    assert rows[public.reference]["description"] == "Gọi anh Tư [***]"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_the_export_neutralises_spreadsheet_formulas(staff, dataset, text):
    report = Report.objects.order_by("created_at", "id").first()
    Report.objects.filter(id=report.id).update(public_description=text)
    row = next(r for r in _exported(staff) if r["reference"] == report.reference)
    assert row["description"] == "'" + text
    assert not any(v.startswith(("=", "+", "@")) for r in _exported(staff) for v in r.values())
