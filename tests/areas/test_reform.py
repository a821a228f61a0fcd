"""Viet Nam's 2025 reform rehearsed on PostgreSQL: the pre-2025 Trà Vinh layout
(province, district, commune) with open and closed tickets becomes Tỉnh Vĩnh
Long's (province, commune), planned, reviewed and applied as one operation."""

import io
import json

import pytest
from django.core.management import call_command

from backend.accounts.models import User
from backend.areas.models import Area, RoutingRule
from backend.reports.models import OPEN_STATUSES, EventKind, Report, ReportEvent, Status
from notifications.models import Notification
from tests.reports.helpers import TRA_CU_TOWN, TRA_VINH_MARKET, offset, report_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(resident, staff, settings):
    """Three open tickets (two in Thành phố Trà Vinh, one in Trà Cú) and a closed one."""
    settings.REPORTS_PER_HOUR = 100
    for username in ("staff842", "manager842", "official", "admin"):
        staff[username]  # accounts scoped to old areas, signed in before the reform
    made = [
        resident.post_json("/api/v1/reports", report_payload(point=point)).json()
        for point in (TRA_VINH_MARKET, offset(TRA_VINH_MARKET, north_m=150), TRA_CU_TOWN)
    ]
    closed = resident.post_json(
        "/api/v1/reports", report_payload(point=offset(TRA_CU_TOWN, east_m=200))
    ).json()
    Report.objects.filter(id=closed["id"]).update(status=Status.CLOSED)
    return [m["id"] for m in made], closed["id"]


def reform(action: str, mapping) -> str:
    out = io.StringIO()
    call_command("reform", action, "vn-2025", mapping=mapping, stdout=out)
    return out.getvalue()


def test_a_plan_changes_nothing_and_writes_the_mapping_to_review(tickets, tmp_path):
    mapping = tmp_path / "reform.json"
    events_before = ReportEvent.objects.count()
    text = reform("plan", mapping)

    assert (
        "Open tickets: 3 would move, 0 outside every new area (kept as they are), 0 without a unit"
        in text
    )
    assert "commune/" in text and "urban-842" in text
    # Nothing changed: the old layout is still the active one, no ticket moved.
    assert set(Area.objects.active().values_list("edition", flat=True)) == {"pre-2025"}
    assert not Area.objects.filter(edition="vn-2025").exists()
    assert ReportEvent.objects.count() == events_before
    assert set(Report.objects.values_list("area__edition", flat=True)) == {"pre-2025"}

    written = json.loads(mapping.read_text())
    assert written["from_edition"] == "pre-2025" and written["to_edition"] == "vn-2025"
    # Phường 1 of the old city lies in today's Phường Trà Vinh; the old province
    # lies wholly in today's Tỉnh Vĩnh Long; Trà Cú, split among several
    # communes none of which holds half of it, has the province as its successor.
    assert written["successors"]["commune/29239"] == "commune/29242"
    assert written["successors"]["province/84"] == "province/86"
    assert written["successors"]["district/849"] == "province/86"
    assert written["predecessors"]["commune/29242"].startswith("commune/")
    # The 41 communes and wards of the former Trà Vinh inherit its routing; Bến
    # Tre's and the old Vĩnh Long's were never Trà Vinh's.
    assert len(written["predecessors"]) == 41
    assert "commune/29242" in text.split("would move")[1]


def test_applying_moves_every_open_ticket_and_keeps_closed_ones(
    tickets, tmp_path, django_capture_on_commit_callbacks, run_jobs
):
    open_ids, closed_id = tickets
    mapping = tmp_path / "reform.json"
    reform("plan", mapping)
    # A person reviews the file: the city's manager gets today's Phường Trà Vinh
    # rather than the whole province the overlap gave.
    reviewed = json.loads(mapping.read_text())
    reviewed["successors"]["district/842"] = "commune/29242"
    mapping.write_text(json.dumps(reviewed))
    closed_before = Report.objects.values("area_id", "unit_id").get(id=closed_id)
    timeline_before = {
        rid: list(ReportEvent.objects.filter(report_id=rid).values_list("id", flat=True))
        for rid in open_ids
    }

    with django_capture_on_commit_callbacks(execute=True):
        text = reform("apply", mapping)
    run_jobs()

    assert "Open tickets: 3 moved" in text
    for rid in open_ids:
        report = Report.objects.select_related("area", "unit").get(id=rid)
        assert report.area.edition == "vn-2025" and report.area.level == "commune"
        assert report.unit is not None
        events = list(ReportEvent.objects.filter(report_id=rid).order_by("id"))
        # The timeline is intact, one re-routing event added.
        assert [e.id for e in events[:-1]] == timeline_before[rid]
        assert events[-1].kind == EventKind.REROUTED
        assert events[-1].data["from"]["areas"][:2] == ["84", report_district(events[-1])]
        assert events[-1].data["to"]["areas"][0] == "86"
    assert not Report.objects.filter(status__in=OPEN_STATUSES, unit__isnull=True).exists()
    assert Report.objects.values("area_id", "unit_id").get(id=closed_id) == closed_before

    market = Report.objects.get(id=open_ids[0])
    assert market.area.code == "29242"  # Phường Trà Vinh
    # Routing carried over: the old city's unit keeps the city's tickets.
    assert market.unit.code == "urban-842"
    assert RoutingRule.objects.filter(area=market.area, category=None).exists()
    # Scopes carried by the reviewed mapping.
    assert User.objects.get(username="manager842").scope_area == market.area
    assert User.objects.get(username="official").scope_area.code == "86"
    # The unit's staff were told once for the batch; the resident not at all.
    staff842 = User.objects.get(username="staff842")
    told = Notification.objects.filter(user=staff842, kind="tickets_rerouted")
    assert told.count() == 1 and told.get().params["count"] == 2
    assert (
        not Notification.objects.filter(kind="tickets_rerouted")
        .exclude(user__role__in=["staff", "unit_lead"])
        .exists()
    )


def report_district(event) -> str:
    return event.data["from"]["areas"][1]


def test_after_the_reform_new_reports_route_by_the_2025_layout(tickets, tmp_path, resident, staff):
    mapping = tmp_path / "reform.json"
    reform("plan", mapping)
    reform("apply", mapping)
    body = resident.post_json("/api/v1/reports", report_payload()).json()
    assert [(a["code"], a["level"]) for a in body["areas"]] == [
        ("86", "province"),
        ("29242", "commune"),
    ]
    assert body["unit"]["code"] == "urban-842"
    # Old reports count within the new areas: the official's figures per commune
    # of 2025 hold the tickets made before the reform, closed ones included.
    rows = staff["official"].get("/api/v1/stats/performance?by=area&level=commune").json()
    assert sum(r["received"] for r in rows) == 5
    by_old = (
        staff["admin"]
        .get("/api/v1/stats/performance?by=area&level=district&edition=pre-2025")
        .json()
    )
    # Per district of the years before: what still lies under the old layout (the
    # closed ticket; the open ones moved).
    assert {r["area"]: r["received"] for r in by_old} == {"849": 1}
