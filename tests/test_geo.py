import math

import pytest

from models.geo import (
    Point,
    StreetLocator,
    gcj02_to_wgs84,
    haversine_m,
    in_china,
    wgs84_to_gcj02,
)

# Published pairs (WGS-84 -> GCJ-02) from the test suites of the wandergis/coordtransform
# and googollee/eviltransform projects.
REFERENCE_PAIRS = [
    (Point(39.915, 116.404), Point(39.91640428150164, 116.41024449916938)),  # Beijing
    (Point(31.1774276, 121.5272106), Point(31.17530398364597, 121.531541859215)),  # Shanghai
    (Point(22.543847, 113.912316), Point(22.540796131694766, 113.9171764808363)),  # Shenzhen
    (Point(39.911954, 116.377817), Point(39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE_PAIRS)
def test_forward_matches_published_pairs(wgs, gcj):
    assert haversine_m(wgs84_to_gcj02(wgs), gcj) < 0.01


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE_PAIRS)
def test_inverse_recovers_wgs84(wgs, gcj):
    assert haversine_m(gcj02_to_wgs84(gcj), wgs) < 0.5


@pytest.mark.parametrize(
    "wgs",
    [Point(39.9087, 116.3975), Point(30.5728, 104.0668), Point(45.75, 126.63), Point(18.25, 109.5),
     Point(43.8256, 87.6168), Point(22.2783, 114.1747)],
)
def test_round_trip_below_half_a_metre(wgs):
    gcj = wgs84_to_gcj02(wgs)
    assert 100 < haversine_m(wgs, gcj) < 1000  # the offset is hundreds of metres
    assert haversine_m(gcj02_to_wgs84(gcj), wgs) < 0.5


@pytest.mark.parametrize(
    "point", [Point(48.8584, 2.2945), Point(40.6892, -74.0445), Point(-33.86, 151.21)]
)
def test_outside_china_passthrough(point):
    assert not in_china(point)
    assert wgs84_to_gcj02(point) == point
    assert gcj02_to_wgs84(point) == point


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (90.1, 0), (-91, 0), (0, 180.5), (0, -181),
        (math.nan, 0), (0, math.inf), (True, 116), ("39.9", 116),
    ],
)
def test_invalid_coordinates_rejected(lat, lon):
    with pytest.raises(ValueError):
        Point(lat, lon)


def test_error_message_is_bilingual():
    with pytest.raises(ValueError, match=r"经度.*longitude must be a number"):
        Point(31.0, None)
    with pytest.raises(ValueError, match=r"纬度超出范围.*latitude out of range"):
        Point(120.0, 31.0)  # lat/lon swapped


def test_parse_wechat_strings():
    assert Point.parse("23.134521", "113.358803") == Point(23.134521, 113.358803)
    assert Point.parse(" 23.1 ", 113) == Point(23.1, 113.0)
    with pytest.raises(ValueError, match="不是数字"):
        Point.parse("abc", "113")
    with pytest.raises(ValueError):
        Point.parse("nan", "113")


def test_haversine():
    assert haversine_m(Point(0, 0), Point(0, 0)) == 0
    one_degree = haversine_m(Point(0, 0), Point(1, 0))
    assert one_degree == pytest.approx(111_195, rel=1e-3)
    # Beijing - Shanghai, about 1067 km
    assert haversine_m(Point(39.9042, 116.4074), Point(31.2304, 121.4737)) == pytest.approx(
        1_067_000, rel=0.01
    )


WEST = [(121.40, 31.20), (121.45, 31.20), (121.45, 31.25), (121.40, 31.25)]
EAST = {
    "type": "Polygon",
    "coordinates": [
        [[121.45, 31.20], [121.50, 31.20], [121.50, 31.25], [121.45, 31.25], [121.45, 31.20]]
    ],
}


@pytest.fixture
def locator() -> StreetLocator[str]:
    return StreetLocator([("west", WEST), ("east", EAST)])


def test_locate_two_adjacent_streets(locator):
    assert len(locator) == 2
    assert locator.locate(Point(31.22, 121.42)) == "west"
    assert locator.locate(Point(31.22, 121.48)) == "east"


def test_point_outside_all_streets(locator):
    assert locator.locate(Point(31.30, 121.42)) is None
    assert locator.locate(Point(39.9, 116.4)) is None


def test_shared_border_is_deterministic():
    border = Point(31.22, 121.45)
    one = StreetLocator([("west", WEST), ("east", EAST)]).locate(border)
    other = StreetLocator([("east", EAST), ("west", WEST)]).locate(border)
    assert one == other == "east"  # smallest id wins on a border
    ints = StreetLocator([(7, WEST), (3, EAST)])
    assert ints.locate(border) == 3


def test_inside_one_street_beats_the_border_of_another():
    # Digitised boundaries overlap a little: street 2 reaches 0.001° west over street 1's east edge.
    # A point on street 1's edge is inside street 2, so street 2 wins, though 1 is the smaller id.
    overlapping = [(121.449, 31.20), (121.50, 31.20), (121.50, 31.25), (121.449, 31.25)]
    on_west_edge = Point(31.22, 121.45)
    assert StreetLocator([(1, WEST), (2, overlapping)]).locate(on_west_edge) == 2
    assert StreetLocator([(2, overlapping), (1, WEST)]).locate(on_west_edge) == 2
    assert StreetLocator([(1, WEST), (2, EAST)]).locate(on_west_edge) == 1  # a truly shared border: smallest id


def test_outer_edge_counts_as_inside(locator):
    assert locator.locate(Point(31.20, 121.42)) == "west"


def test_multipolygon_feature_collection_and_holes():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "S01"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
                    ],
                },
            },
            {
                "type": "Feature",
                "properties": {"code": "S02"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [[[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]],
                        [[[20, 0], [21, 0], [21, 1], [20, 1], [20, 0]]],
                    ],
                },
            },
        ],
    }
    locator = StreetLocator.from_geojson(collection, id_property="code")
    assert locator.locate(Point(1, 1)) == "S01"
    assert locator.locate(Point(5, 5)) == "S02"  # in the hole of S01
    assert locator.locate(Point(0.5, 20.5)) == "S02"


def test_many_streets_use_the_index():
    cells = [
        (f"{row:02d}{col:02d}", [(col, row), (col + 1, row), (col + 1, row + 1), (col, row + 1)])
        for row in range(30)
        for col in range(30)
    ]
    locator = StreetLocator(cells)
    assert locator.locate(Point(12.5, 7.5)) == "1207"
    assert locator.locate(Point(45, 7.5)) is None


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ([(121.4, 31.2), (121.5, 31.2)], "无法解析"),
        ([(0, 0), (1, 1), (1, 0), (0, 1)], "无效"),  # bow tie
        ({"type": "Point", "coordinates": [121.4, 31.2]}, "多边形"),
        ([(31.2, 121.4), (31.3, 121.4), (31.3, 121.5)], "超出范围"),  # (lat, lon) swapped
        ([(200, 31.2), (201, 31.2), (201, 32)], "超出范围"),
        ({"type": "Polygon"}, "无法解析"),
    ],
)
def test_bad_polygons_rejected(geometry, message):
    with pytest.raises(ValueError, match=message):
        StreetLocator([("s", geometry)])


def test_duplicate_street_id_rejected():
    with pytest.raises(ValueError, match="重复"):
        StreetLocator([("a", WEST), ("a", EAST)])
