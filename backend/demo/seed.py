"""Demo data for the embedded default: Tỉnh Vĩnh Long's 2025 layout (province,
communes and wards), a unit per People's Committee, the province departments,
one account of each role; and the pre-2025 Trà Vinh layout (province,
districts, communes) as a retired edition with a few old reports under it.

The test suite runs mostly on the pre-2025 layout (`load_tra_vinh`: three
levels), and on the 2025 one where a test says so (`load_vinh_long_2025`).
"""

import uuid

from django.db import transaction

from backend.accounts.models import Role, User
from backend.areas.loading import load_edition, read_edition
from backend.areas.models import Area, RoutingRule, Unit
from backend.catalogue.models import Category
from backend.catalogue.seed import seed_catalogue
from backend.reference_data import invalidate_all

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed by `manage.py demo`, DEBUG only


def unit_name(district: Area) -> str:
    """District urban offices: cities and towns have a Phòng Quản lý đô thị, rural
    districts a Phòng Kinh tế và Hạ tầng."""
    if district.properties.get("unit_type") == "Huyện":
        return f"Phòng Kinh tế và Hạ tầng {district.name}"
    return f"Phòng Quản lý đô thị {district.name}"


@transaction.atomic
def load_tra_vinh() -> None:
    """The pre-2025 layout, catalogue, a unit per district and the province's
    water company (idempotent)."""
    load_edition(read_edition("pre-2025"))
    seed_catalogue()
    province = Area.objects.active().get(level="province", code="84")
    for district in Area.objects.active().filter(level="district"):
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


# Categories a provincial department (or company) handles across the province.
PROVINCE_DEPARTMENTS = [
    ("water-86", "Công ty Cổ phần Cấp thoát nước Vĩnh Long", ["water-supply"]),
    ("power-86", "Công ty Điện lực Vĩnh Long", ["street-light", "traffic-signal"]),
    ("environment-86", "Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long", ["pollution"]),
]


@transaction.atomic
def load_vinh_long_2025() -> None:
    """The 2025 layout: a People's Committee per commune and ward taking every
    category there, the province departments, and the province's triage desk
    for whatever no rule covers (idempotent)."""
    load_edition(read_edition("vn-2025"))
    seed_catalogue()
    province = Area.objects.active().get(level="province", code="86")
    communes = list(Area.objects.active().filter(level="commune").defer("geometry_wkb"))
    # In bulk: 124 committees and their rules.
    Unit.objects.bulk_create(
        [Unit(code=f"ubnd-{c.code}", name=f"Ủy ban nhân dân {c.name}", area=c) for c in communes],
        ignore_conflicts=True,
    )
    units = {u.area_id: u for u in Unit.objects.filter(code__startswith="ubnd-")}
    RoutingRule.objects.bulk_create(
        [RoutingRule(area=c, category=None, unit=units[c.id]) for c in communes],
        ignore_conflicts=True,
    )
    for code, name, categories in PROVINCE_DEPARTMENTS:
        unit, _ = Unit.objects.update_or_create(
            code=code, defaults={"name": name, "area": province}
        )
        for category in Category.objects.filter(code__in=categories):
            RoutingRule.objects.update_or_create(
                area=province, category=category, defaults={"unit": unit}
            )
    invalidate_all()  # the bulk writes above send no signals
    Unit.objects.update_or_create(
        code="triage-86",
        defaults={
            "name": "Văn phòng UBND tỉnh Vĩnh Long: tiếp nhận phản ánh",
            "area": province,
            "is_triage": True,
        },
    )


# username, role, unit, scope area: staff in a few wards of the former Trà Vinh.
DEMO_STAFF = [
    ("staff29242", Role.STAFF, "ubnd-29242", "29242"),
    ("lead29242", Role.UNIT_LEAD, "ubnd-29242", "29242"),
    ("manager29242", Role.AREA_MANAGER, None, "29242"),
    ("staff29512", Role.STAFF, "ubnd-29512", "29512"),
    ("staff-water", Role.STAFF, "water-86", "86"),
    ("moderator", Role.MODERATOR, None, "86"),
    ("official", Role.OFFICIAL, None, "86"),
]


@transaction.atomic
def create_demo_accounts() -> list[tuple[str, str, str]]:
    """The demo's staff accounts, all with DEMO_PASSWORD: (username, role, area)."""
    made = []
    for username, role, unit_code, area_code in DEMO_STAFF:
        area = Area.objects.active().filter(code=area_code).first()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "unit": Unit.objects.filter(code=unit_code).first(),
                "scope_area": area,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        made.append((username, str(role.label), area.name if area else ""))
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", "admin@example.invalid", DEMO_PASSWORD, role=Role.ADMIN
        )
    made.append(("admin", str(Role.ADMIN.label), ""))
    return made


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


def _demo_resident() -> User:
    # The resident of the demo's sign-in token (as resident_for_claims names them).
    resident, _ = User.objects.get_or_create(
        firebase_uid="demo-resident",
        defaults={
            "username": "firebase:demo-resident",
            "role": Role.RESIDENT,
            "phone_number": "+84901234567",
        },
    )
    return resident


def _admin() -> User:
    admin = User.objects.filter(username="admin").first()
    return admin or User.objects.create_superuser(
        "admin", "admin@example.invalid", DEMO_PASSWORD, role=Role.ADMIN
    )


def _make_reports(entries: list, first_id: int, staff_for) -> int:
    from backend.reports.services import NewReport, create_report
    from backend.reports.workflow import change_status

    resident = _demo_resident()
    for n, (category, description, lat, lon, steps) in enumerate(entries):
        report = create_report(
            resident,
            NewReport(
                id=uuid.UUID(int=first_id + n),
                category_code=category,
                description=description,
                lat=lat,
                lon=lon,
            ),
        ).report
        staff = staff_for(report)
        if staff is None:
            continue
        for status in steps:
            message = "Đơn vị đã xử lý xong." if status == "resolved" else ""
            change_status(report.id, staff, status, message)
    return len(entries)


OLD_REPORTS = [
    ("pothole", "Ổ gà trên đường Điện Biên Phủ, gần trường học.",
     9.9352, 106.3420, ["acknowledged", "resolved"]),
    ("rubbish", "Rác tồn đọng ở chợ cũ mấy ngày chưa thu gom.",
     9.9461, 106.3391, ["acknowledged", "in_progress", "resolved"]),
    ("street-light", "Đèn đường tắt cả đoạn gần bến phà.",
     9.6870, 106.2630, ["acknowledged", "resolved"]),
]  # fmt: skip


@transaction.atomic
def create_old_reports() -> int:
    """Reports made and resolved under the pre-2025 layout (while it is active):
    they keep its districts and communes after the 2025 layout is loaded."""
    admin = _admin()
    return _make_reports(OLD_REPORTS, 1001, lambda report: admin)


@transaction.atomic
def create_demo_reports() -> int:
    """A few reports made through the real services (routed, screened, on their
    timelines), some moved on by the ward's staff; none if any exist."""
    from backend.reports.models import Report

    if Report.objects.filter(area__retired_at__isnull=True).exists():
        return 0
    return _make_reports(
        DEMO_REPORTS,
        1,
        lambda report: User.objects.filter(unit=report.unit, role=Role.STAFF).first(),
    )
