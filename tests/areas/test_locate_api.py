import pytest

pytestmark = pytest.mark.django_db


def test_locate_names_the_areas_and_the_unit_of_each_category(anonymous):
    body = anonymous.get("/api/v1/areas/locate?lat=9.6855&lon=106.2614").json()
    province, district, commune = body["areas"]
    assert district == {
        "code": "849",
        "name": "Huyện Trà Cú",
        "level": "district",
        "level_label": "huyện / quận / thị xã / thành phố",
        "edition": "pre-2025",
    }
    assert commune["level"] == "commune"
    assert province["code"] == "84"
    units = {r["category"]["code"]: r["unit"]["code"] for r in body["routing"]}
    assert units["pothole"] == "urban-849"
    assert units["water-supply"] == "water-84"
    assert len(units) == 19


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("vi", "Ổ gà, sụt lún mặt đường"),
        ("en", "Pothole or sunken road"),
        ("km", "រណ្តៅ ឬផ្លូវស្រុត"),
        ("fr", "Ổ gà, sụt lún mặt đường"),
    ],
)
def test_category_names_follow_accept_language(anonymous, language, name):
    body = anonymous.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE=language).json()
    pothole = next(c for c in body if c["code"] == "pothole")
    assert pothole["name"] == name
    assert pothole["sla_hours"] == 72


def test_locate_outside_the_service_area_is_a_422(anonymous):
    response = anonymous.get("/api/v1/areas/locate?lat=10.7769&lon=106.7009")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "outside_service_area"


@pytest.mark.parametrize(
    "query",
    ["lat=91&lon=106", "lat=9.9&lon=181", "lat=abc&lon=106", "lat=9.9", "", "lat=nan&lon=106"],
)
def test_locate_with_bad_coordinates_is_a_422(anonymous, query):
    response = anonymous.get(f"/api/v1/areas/locate?{query}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_missing_boundary_data_names_where_it_comes_from(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from backend.areas.loading import load_edition, read_edition

    settings.SHARED_DATA_DIR = tmp_path  # an empty folder: no boundaries in it
    with pytest.raises(ImproperlyConfigured) as missing:
        load_edition(read_edition("vn-2025"))
    message = str(missing.value)
    assert "geo/vinh_long_2025/vinh_long_province_2025.geojson" in message
    assert "thanglequoc/vietnamese-provinces-database" in message
    assert "SHARED_DATA_DIR" in message
