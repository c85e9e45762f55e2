"""`chengguan grids import`: 单元网格 checked whole (code, community, geometry, containment), then a case
reported inside a cell keeps its grid code and community."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.db import transaction
from bot.grids_cli import grids
from handlers.catalog import categories
from models import CaseSource, GridCell, utcnow
from models.geo import Point, wgs84_to_gcj02
from models.reporting import Place, open_case
from tests.resident.test_report_flow import WEST, seed_streets

COMMUNITY = "110105001002"  # district 110105, street 001, community 002


def _box(west: float, east: float) -> dict[str, Any]:
    """A slice of the east street (116.31-116.32)."""
    return {"type": "Polygon", "coordinates": [[[west, 39.90], [east, 39.90], [east, 39.91], [west, 39.91], [west, 39.90]]]}


def _cell(code: str, geometry: dict[str, Any], street: str = "E", community: str | None = None) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {
        "code": code, "community_code": code[:12] if community is None else community,
        "community_name": "幸福社区", "street_code": street}}


def _file(tmp_path: Path, *features: dict[str, Any]) -> Path:
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}), encoding="utf-8")
    return path


@pytest.fixture
def runner(database_url, tmp_path, service) -> CliRunner:  # type: ignore[no-untyped-def]
    seed_streets(service)
    return CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path)})


def test_cells_imported_and_a_case_keeps_its_grid_and_community(runner, tmp_path, service) -> None:  # type: ignore[no-untyped-def]
    path = _file(tmp_path, _cell(COMMUNITY + "001", _box(116.31, 116.315)),
                 _cell(COMMUNITY + "002", _box(116.315, 116.32)))
    result = runner.invoke(grids, ["import", str(path)])
    assert result.exit_code == 0 and "已导入 2 个网格, 1 个社区" in result.output
    assert runner.invoke(grids, ["import", str(path)]).exit_code == 0  # again: updated, not doubled

    with transaction(service.sessions) as s:
        assert len(s.scalars(select(GridCell)).all()) == 2
        category = categories().by_name("街面秩序/占道经营")
        inside = open_case(s, source=CaseSource.SNAPSHOT, category=category, description="占道",
                           place=Place(gcj=wgs84_to_gcj02(Point(39.905, 116.317))), reporter=None,
                           now=utcnow())
        outside = open_case(s, source=CaseSource.SNAPSHOT, category=category, description="占道",
                            place=Place(gcj=wgs84_to_gcj02(Point(39.905, 116.305))), reporter=None,
                            now=utcnow())
        typed = open_case(s, source=CaseSource.SNAPSHOT, category=category, description="占道",
                          place=Place(address="东街街道某路"), reporter=None, now=utcnow())
        assert (inside.grid_code, inside.community_code) == (COMMUNITY + "002", COMMUNITY)
        assert (outside.grid_code, outside.community_code) == ("", "")  # west street has no cells
        assert typed.grid_code == ""


@pytest.mark.parametrize(("features", "expected"), [
    ([_cell("11010500100200", _box(116.31, 116.32))], "第 2 个要素 (网格 11010500100200): 网格编码应为 15 位数字"),
    ([_cell(COMMUNITY + "001", _box(116.31, 116.32), community="110105001003")], "community_code 应为网格编码的前 12 位"),
    ([_cell(COMMUNITY + "001", _box(116.31, 116.315)), _cell(COMMUNITY + "001", _box(116.315, 116.32))], "第 3 个要素 (网格 110105001002001): 网格编码重复"),
    ([_cell(COMMUNITY + "001", {"type": "Point", "coordinates": [116.315, 39.905]})], "网格 110105001002001 的边界必须是多边形"),
    ([_cell(COMMUNITY + "001", {"type": "Polygon", "coordinates": [[[116.31, 39.90], [116.32, 39.91], [116.32, 39.90], [116.31, 39.91], [116.31, 39.90]]]})], "边界无效"),
    ([_cell(COMMUNITY + "001", _box(116.305, 116.315))], "网格 110105001002001: 边界超出街道 E 的范围"),
    ([_cell(COMMUNITY + "001", _box(116.31, 116.316)), _cell(COMMUNITY + "002", _box(116.315, 116.32))], "网格 110105001002001 与网格 110105001002002 重叠"),
    ([_cell(COMMUNITY + "001", _box(116.31, 116.32), street="NOPE")], "没有编码为 NOPE 的街道"),
])
def test_a_bad_file_is_refused_whole_naming_the_feature(runner, tmp_path, service, features, expected) -> None:  # type: ignore[no-untyped-def]
    good = _cell("110105001001001", WEST, street="W")  # a good cell first: nothing of the file is stored
    result = runner.invoke(grids, ["import", str(_file(tmp_path, good, *features))])
    assert result.exit_code != 0 and expected in result.output and "文件未导入" in result.output
    with service.sessions() as s:
        assert s.scalars(select(GridCell)).all() == []


def test_not_geojson_is_refused(runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.geojson"
    path.write_text("{}", encoding="utf-8")
    result = runner.invoke(grids, ["import", str(path)])
    assert result.exit_code != 0 and "FeatureCollection" in result.output
