import uuid

TRA_VINH_MARKET = (9.9472, 106.3372)  # Phường 1, Thành phố Trà Vinh
TRA_CU_TOWN = (9.6855, 106.2614)


def report_payload(**overrides) -> dict:
    lat, lon = overrides.pop("point", TRA_VINH_MARKET)
    payload = {
        "id": str(uuid.uuid4()),
        "category": "pothole",
        "description": "Ổ gà lớn trước cổng chợ, xe máy rất dễ té.",
        "lat": lat,
        "lon": lon,
        "accuracy_m": 8.5,
        "address": "Đường Điện Biên Phủ, Phường 1",
    }
    payload.update(overrides)
    return payload


def offset(
    point: tuple[float, float], north_m: float = 0, east_m: float = 0
) -> tuple[float, float]:
    from math import cos, radians

    lat, lon = point
    return lat + north_m / 111_320, lon + east_m / (111_320 * cos(radians(lat)))


def resolve(staff_client, report_id: str, message: str = "Đã vá") -> None:
    """Work a ticket to resolved as its unit's staff do: in progress, then
    resolved with a reply to the resident."""
    for body in ({"status": "in_progress"}, {"status": "resolved", "message": message}):
        response = staff_client.post_json(f"/api/v1/staff/tickets/{report_id}/status", body)
        assert response.status_code == 200, response.content
