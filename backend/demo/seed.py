"""Demo data for the embedded default: Trà Vinh's areas, the catalogue, a unit per
district, and one account of each role."""

import uuid

from django.db import transaction

from backend.accounts.models import Role, User
from backend.areas.loading import load_areas
from backend.areas.models import Area, Level, RoutingRule, Unit
from backend.catalogue.models import Category
from backend.catalogue.seed import seed_catalogue
from backend.shared_data import shared_file

GEO_ORIGIN = "the pre-2025 Trà Vinh district and commune boundaries (geo/SOURCES.md there)"
EDITION = "pre-2025"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed by `manage.py demo`, DEBUG only


def unit_name(district: Area) -> str:
    """District urban offices: cities and towns have a Phòng Quản lý đô thị, rural
    districts a Phòng Kinh tế và Hạ tầng."""
    if district.properties.get("unit_type") == "Huyện":
        return f"Phòng Kinh tế và Hạ tầng {district.name}"
    return f"Phòng Quản lý đô thị {district.name}"


@transaction.atomic
def load_tra_vinh() -> None:
    """Areas, catalogue, units and routing rules for Trà Vinh (idempotent)."""
    load_areas(shared_file("geo/tra_vinh_districts.geojson", GEO_ORIGIN), Level.DISTRICT, EDITION)
    load_areas(shared_file("geo/tra_vinh_communes.geojson", GEO_ORIGIN), Level.COMMUNE, EDITION)
    seed_catalogue()
    province = Area.objects.active().get(level=Level.PROVINCE, code="84")
    for district in Area.objects.active().filter(level=Level.DISTRICT):
        unit, _ = Unit.objects.update_or_create(
            code=f"urban-{district.code}", defaults={"name": unit_name(district), "area": district}
        )
        RoutingRule.objects.update_or_create(area=district, category=None, defaults={"unit": unit})
    # Water mains are the water company's, province-wide.
    water, _ = Unit.objects.update_or_create(
        code="water-84",
        defaults={"name": "Công ty Cổ phần Cấp thoát nước Trà Vinh", "area": province},
    )
    RoutingRule.objects.update_or_create(
        area=province, category=Category.objects.get(code="water-supply"), defaults={"unit": water}
    )


DEMO_STAFF = [
    ("staff842", Role.STAFF, "urban-842", "842"),
    ("lead842", Role.UNIT_LEAD, "urban-842", "842"),
    ("manager842", Role.DISTRICT_MANAGER, None, "842"),
    ("staff849", Role.STAFF, "urban-849", "849"),
    ("moderator", Role.MODERATOR, None, "84"),
    ("official", Role.OFFICIAL, None, "84"),
]


@transaction.atomic
def create_demo_accounts() -> None:
    for username, role, unit_code, area_code in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "unit": Unit.objects.filter(code=unit_code).first(),
                "scope_area": Area.objects.active().filter(code=area_code).first(),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", "admin@example.invalid", DEMO_PASSWORD, role=Role.ADMIN
        )


# (category, description, lat, lon, what staff have done so far)
DEMO_REPORTS = [
    ("pothole", "Ổ gà lớn trước cổng chợ Trà Vinh, xe máy dễ té khi trời mưa.",
     9.9472, 106.3372, ["acknowledged", "in_progress"]),
    ("street-light", "Đèn đường hỏng cả dãy trên đường Nguyễn Đáng, tối om.",
     9.9401, 106.3450, ["acknowledged"]),
    ("flooding", "Ngập sâu sau mưa, nước không thoát được, tràn vào nhà dân.",
     9.9520, 106.3301, []),
    ("rubbish", "Rác thải đổ bừa bãi cạnh kênh, bốc mùi hôi.",
     9.9355, 106.3392, ["in_progress", "resolved"]),
    ("fallen-tree", "Cây đổ chắn ngang đường sau cơn giông tối qua.",
     9.9290, 106.3520, ["acknowledged", "resolved"]),
    ("pothole", "Mặt đường lún sụt, đã có người bị ngã.",
     9.6855, 106.2614, []),
    ("street-light", "Đèn đường chập chờn cả tuần nay.",
     9.6880, 106.2650, ["acknowledged"]),
    ("rubbish", "Điểm tập kết rác tràn ra lòng đường.",
     9.8082, 106.1981, []),
]  # fmt: skip


@transaction.atomic
def create_demo_reports() -> int:
    """A few reports made through the real services (routed, screened, on their
    timelines), some moved on by the district's staff; none if any exist."""
    from backend.reports.models import Report
    from backend.reports.services import NewReport, create_report
    from backend.reports.workflow import change_status

    if Report.objects.exists():
        return 0
    # The resident of the demo's sign-in token (as resident_for_claims names them).
    resident, _ = User.objects.get_or_create(
        firebase_uid="demo-resident",
        defaults={
            "username": "firebase:demo-resident",
            "role": Role.RESIDENT,
            "phone_number": "+84901234567",
        },
    )
    for n, (category, description, lat, lon, steps) in enumerate(DEMO_REPORTS):
        report = create_report(
            resident,
            NewReport(
                id=uuid.UUID(int=n + 1),
                category_code=category,
                description=description,
                lat=lat,
                lon=lon,
            ),
        ).report
        staff = User.objects.filter(unit=report.unit, role=Role.STAFF).first()
        if staff is None:
            continue
        for status in steps:
            message = "Đơn vị đã xử lý xong." if status == "resolved" else ""
            change_status(report.id, staff, status, message)
    return len(DEMO_REPORTS)
