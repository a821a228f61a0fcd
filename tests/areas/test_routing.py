import numpy as np
import pytest
import shapely
import shapely.ops
from geopy.distance import geodesic

from backend.areas import routing
from backend.areas.models import Area

# Urban centres from the boundary data's SOURCES.md: (lat, lon) -> district code.
TOWN_CENTRES = [
    ((9.9472, 106.3372), "842"),
    ((10.0001, 106.2154), "844"),
    ((9.8721, 106.0595), "845"),
    ((9.8082, 106.1981), "846"),
    ((9.8813, 106.3454), "847"),
    ((9.8055, 106.4507), "848"),
    ((9.6855, 106.2614), "849"),
    ((9.6375, 106.4972), "851"),
    ((9.6103, 106.4486), "850"),
]


def district_of(placement: routing.Placement) -> Area:
    """The pre-2025 layout has three levels: province, district, commune."""
    return placement.chain[1]


def commune_of(placement: routing.Placement) -> Area | None:
    return placement.chain[2] if len(placement.chain) > 2 else None


def district(code: str) -> Area:
    return Area.objects.active().get(level="district", code=code)


@pytest.mark.django_db
@pytest.mark.parametrize(("point", "code"), TOWN_CENTRES)
def test_town_centres_route_to_their_district(point, code):
    placement = routing.place(*point)
    assert placement is not None
    assert district_of(placement).code == code
    assert placement.distance_outside_m == 0
    assert placement.chain[0].code == "84"


@pytest.mark.django_db
def test_commune_is_found_inside_its_district():
    placement = routing.place(9.9472, 106.3372)
    assert commune_of(placement) is not None
    assert commune_of(placement).name == "Phường 1"
    assert commune_of(placement).parent_id == district_of(placement).id


@pytest.mark.django_db
def test_point_on_a_shared_border_gets_the_lowest_code_every_time():
    a, b = district("842"), district("847")
    shared = shapely.intersection(a.geometry.boundary, b.geometry.boundary)
    assert not shared.is_empty
    point = shapely.line_interpolate_point(
        shapely.get_geometry(shapely.line_merge(shared), 0), 0.5, normalized=True
    )
    answers = {district_of(routing.place(point.y, point.x)).code for _ in range(3)}
    assert answers == {"842"}


def _offset_outside(area: Area, metres: float) -> tuple[float, float]:
    """A point `metres` out to sea from the province's coastline near this district."""
    province = shapely.union_all(
        [d.geometry for d in Area.objects.active().filter(level="district")]
    )
    coast = province.exterior
    centroid = province.centroid
    # The boundary point of the district farthest from the province centre: on the edge.
    vertices = shapely.get_coordinates(area.geometry.boundary)
    boundary = vertices[shapely.distance(coast, shapely.points(vertices)) < 1e-9]
    far = max(boundary, key=lambda xy: (xy[0] - centroid.x) ** 2 + (xy[1] - centroid.y) ** 2)
    direction = np.array([far[0] - centroid.x, far[1] - centroid.y])
    direction /= np.linalg.norm(direction)
    step = metres / 111_320
    lon, lat = far
    # Walk outward until the distance to the province is the asked one.
    for _ in range(200):
        lon += direction[0] * step / 20
        lat += direction[1] * step / 20
        if province.distance(shapely.Point(lon, lat)) * 111_320 >= metres * 0.98:
            break
    return lat, lon


def _nearest_point_outside(areas: list[Area], metres: float) -> tuple[float, float, str]:
    """A point `metres` out to sea from the coast, and the area nearest to it."""
    union = shapely.union_all([a.geometry for a in areas])
    outline = max(shapely.get_parts(union), key=lambda p: p.area).exterior
    centroid = union.centroid
    vertices = shapely.get_coordinates(outline)
    far = max(vertices, key=lambda xy: (xy[0] - centroid.x) ** 2 + (xy[1] - centroid.y) ** 2)
    direction = np.array([far[0] - centroid.x, far[1] - centroid.y])
    direction /= np.linalg.norm(direction)
    lon, lat = far
    for _ in range(400):
        lon += direction[0] * metres / 111_320 / 20
        lat += direction[1] * metres / 111_320 / 20
        if union.distance(shapely.Point(lon, lat)) * 111_320 >= metres * 0.98:
            break
    point = shapely.Point(lon, lat)
    nearest = min(areas, key=lambda a: a.geometry.distance(point))
    return lat, lon, nearest.code


def _nearest_by_geodesic(lat: float, lon: float) -> tuple[str, float]:
    """The nearest district and its distance, worked out independently of the router."""
    point = shapely.Point(lon, lat)
    best = []
    for area in Area.objects.active().filter(level="district"):
        nearest = shapely.ops.nearest_points(area.geometry, point)[0]
        best.append((geodesic((lat, lon), (nearest.y, nearest.x)).meters, area.code))
    metres, code = min(best)
    return code, metres


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["850", "851", "849", "844", "845"])
def test_point_just_outside_goes_to_the_nearest_district(code):
    lat, lon = _offset_outside(district(code), 120)
    assert not any(
        d.geometry.intersects(shapely.Point(lon, lat))
        for d in Area.objects.active().filter(level="district")
    )
    expected_code, expected_m = _nearest_by_geodesic(lat, lon)
    placement = routing.place(lat, lon)
    assert placement is not None
    assert district_of(placement).code == expected_code
    assert placement.distance_outside_m == pytest.approx(expected_m, rel=0.01)
    assert 80 < placement.distance_outside_m < 300


@pytest.mark.django_db
def test_point_far_outside_is_outside_the_service_area():
    lat, lon = _offset_outside(district("850"), 1500)
    assert routing.place(lat, lon) is None
    assert routing.place(10.7769, 106.7009) is None  # Ho Chi Minh City
    assert routing.place(0.0, 0.0) is None


@pytest.mark.django_db
def test_nearest_district_distance_is_configurable(settings):
    lat, lon = _offset_outside(district("850"), 200)
    settings.ROUTING_NEAREST_AREA_MAX_M = 100
    # The index is rebuilt only when areas change; a new setting needs a new index.
    routing._index.forget()
    assert routing.place(lat, lon) is None


@pytest.mark.django_db
def test_commune_spilling_over_a_district_edge_is_not_used_there():
    """Commune polygons come from another survey: where one spills into a neighbouring
    district, a point there gets that district and never the spilling commune."""
    spill_found = False
    for commune in Area.objects.active().filter(level="commune").select_related("parent"):
        spill = shapely.difference(commune.geometry, commune.parent.geometry)
        if spill.area < 1e-6:
            continue
        point = spill.representative_point()
        placement = routing.place(point.y, point.x)
        if placement is None or district_of(placement).id == commune.parent_id:
            continue
        spill_found = True
        assert (
            commune_of(placement) is None
            or commune_of(placement).parent_id == district_of(placement).id
        )
        assert commune_of(placement) is None or commune_of(placement).id != commune.id
    assert spill_found, "the data has communes spilling over district edges"


@pytest.mark.django_db
def test_index_is_built_once_and_reused():
    first = routing.area_index()
    assert routing.area_index() is first


@pytest.mark.django_db
def test_index_is_rebuilt_when_an_area_changes():
    first = routing.area_index()
    area = district("842")
    area.save(update_fields=["updated_at"])
    assert routing.area_index() is not first


@pytest.mark.django_db
def test_index_notices_a_change_made_by_another_process(settings):
    settings.REFERENCE_RECHECK_SECONDS = 0
    first = routing.area_index()
    # A change that sends no signal here, as one made in another process.
    Area.objects.filter(code="842").update(name="Thành phố Trà Vinh (đổi tên)")
    Area.objects.filter(code="842", level="district").update(
        updated_at=district("844").updated_at.replace(year=2030)
    )
    rebuilt = routing.area_index()
    assert rebuilt is not first
    assert district_of(rebuilt.place(9.9472, 106.3372)).name == "Thành phố Trà Vinh (đổi tên)"


@pytest.mark.django_db
def test_bulk_routing_agrees_with_one_point_routing():
    index = routing.area_index()
    rng = np.random.default_rng(7)
    lats = rng.uniform(9.50, 10.11, 3000)
    lons = rng.uniform(105.93, 106.63, 3000)
    positions = index.positions(lats, lons)
    many = index.place_many(lats, lons)
    for i in range(len(lats)):
        single = index.place(lats[i], lons[i])
        if positions[i] == -1:
            assert single is None and many[i] is None
        else:
            assert district_of(single) == index.layer.refs[positions[i]]
            assert single.chain == many[i].chain
    assert (positions == -1).any() and (positions >= 0).any()


@pytest.mark.django_db
def test_router_agrees_with_plain_polygon_tests_everywhere():
    """An independent oracle: the lowest code among the district polygons touching
    the point, for points inside; none within reach means outside."""
    index = routing.area_index()
    districts = sorted(Area.objects.active().filter(level="district"), key=lambda a: a.code)
    rng = np.random.default_rng(11)
    lats = rng.uniform(9.50, 10.11, 4000)
    lons = rng.uniform(105.93, 106.63, 4000)
    positions = index.positions(lats, lons)
    for lat, lon, position in zip(lats, lons, positions, strict=True):
        point = shapely.Point(lon, lat)
        touching = [d.code for d in districts if d.geometry.intersects(point)]
        if touching:
            assert index.layer.refs[position].code == touching[0]
        elif position != -1:
            # The nearest-district rule: within reach of the one it chose.
            chosen = next(d for d in districts if d.code == index.layer.refs[position].code)
            nearest = shapely.ops.nearest_points(chosen.geometry, point)[0]
            assert geodesic((lat, lon), (nearest.y, nearest.x)).meters <= 301
