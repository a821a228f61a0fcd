"""Realistic report volumes in PostgreSQL, for the benchmarks (not for production).

Reports are spread over the province as people are: clustered around the
district towns, more in the city, over two years, with a realistic mix of
categories and statuses. Points are placed with the project's own router.
"""

import random
import uuid
from datetime import timedelta

import numpy as np
from django.db import connection
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.areas import routing
from backend.areas.models import RoutingRule
from backend.catalogue.models import Category
from backend.geo import h3_cells
from backend.reports.models import Report, Status

STATUS_MIX = {
    Status.SUBMITTED: 0.12,
    Status.ACKNOWLEDGED: 0.08,
    Status.IN_PROGRESS: 0.12,
    Status.WAITING_FOR_RESIDENT: 0.03,
    Status.RESOLVED: 0.15,
    Status.CLOSED: 0.42,
    Status.REJECTED: 0.06,
    Status.DUPLICATE: 0.02,
}
# (lat, lon, share): district towns, the city weighing most.
CENTRES = [
    (9.9472, 106.3372, 0.30), (10.0001, 106.2154, 0.09), (9.8721, 106.0595, 0.08),
    (9.8082, 106.1981, 0.09), (9.8813, 106.3454, 0.10), (9.8055, 106.4507, 0.09),
    (9.6855, 106.2614, 0.11), (9.6375, 106.4972, 0.07), (9.6103, 106.4486, 0.07),
]  # fmt: skip


def realistic_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    index = routing.area_index()
    lats, lons = [], []
    shares = np.array([c[2] for c in CENTRES])
    while sum(len(a) for a in lats) < n:
        k = n * 2
        centre = rng.choice(len(CENTRES), size=k, p=shares / shares.sum())
        spread = rng.exponential(0.03, size=k)
        angle = rng.uniform(0, 2 * np.pi, size=k)
        lat = np.array([CENTRES[c][0] for c in centre]) + spread * np.sin(angle)
        lon = np.array([CENTRES[c][1] for c in centre]) + spread * np.cos(angle)
        inside = index.positions(lat, lon) >= 0
        lats.append(lat[inside])
        lons.append(lon[inside])
    return np.concatenate(lats)[:n], np.concatenate(lons)[:n]


def seed_reports(n: int, years: float = 2.0, seed: int = 1, batch: int = 5000) -> None:
    rng = np.random.default_rng(seed)
    random.seed(seed)
    index = routing.area_index()
    residents = [
        User(username=f"bench-resident-{i}", role=Role.RESIDENT, firebase_uid=f"bench-{i}")
        for i in range(2000)
    ]
    User.objects.bulk_create(residents, ignore_conflicts=True)
    resident_ids = list(
        User.objects.filter(username__startswith="bench-resident-").values_list("id", flat=True)
    )
    categories = list(Category.objects.all())
    weights = np.array(
        [
            3.0 if c.group in ("roads", "lighting", "sanitation", "drainage") else 1.0
            for c in categories
        ]
    )
    units = {r.area_id: r.unit_id for r in RoutingRule.objects.filter(category=None)}
    statuses = list(STATUS_MIX)
    status_p = np.array(list(STATUS_MIX.values()))
    now = timezone.now()
    lats, lons = realistic_points(n, rng)
    placements = index.place_many(lats, lons)
    ages = rng.power(0.8, size=n) * years * 365 * 86400  # more recent than old
    cat_choice = rng.choice(len(categories), size=n, p=weights / weights.sum())
    status_choice = rng.choice(len(statuses), size=n, p=status_p / status_p.sum())
    rows = []
    for i in range(n):
        category = categories[cat_choice[i]]
        placement = placements[i]
        assert placement is not None  # realistic_points keeps points inside
        # The unit of the smallest area with a default rule, as routing would pick.
        unit_id = next((units[a] for a in placement.area_chain_ids() if a in units), None)
        status = statuses[status_choice[i]]
        created = now - timedelta(seconds=float(ages[i]))
        lat, lon = float(lats[i]), float(lons[i])
        rows.append(
            Report(
                id=uuid.uuid4(),
                reference=f"B{seed + i:09d}",
                reporter_id=random.choice(resident_ids),
                category=category,
                description=f"{category.name_vi} gần số {i % 500} đường {i % 37}",
                public_description=f"{category.name_vi} gần số {i % 500} đường {i % 37}",
                lat=lat,
                lon=lon,
                **h3_cells(lat, lon),
                area_id=placement.area.id,
                unit_id=unit_id,
                managing_area_id=next(
                    (a for a in placement.area_chain_ids() if a in units), placement.area.id
                ),
                status=status,
                priority=category.default_priority,
                due_at=created + timedelta(hours=category.sla_hours),
                request_fingerprint="bench",
                created_at=created,
                acknowledged_at=created + timedelta(hours=6)
                if status not in (Status.SUBMITTED,)
                else None,
                resolved_at=created + timedelta(hours=float(rng.exponential(category.sla_hours)))
                if status in (Status.RESOLVED, Status.CLOSED)
                else None,
                rating=int(rng.integers(1, 6))
                if status == Status.CLOSED and rng.random() < 0.3
                else None,
            )
        )
        if len(rows) == batch:
            Report.objects.bulk_create(rows)
            rows = []
    if rows:
        Report.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_report")
