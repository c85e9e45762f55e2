"""Admin commands an office runs once: import streets, add units and routing rules, add staff."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from bot.admin_cli import staff, streets, units
from models import DispatchRule, InviteCode, Role, Street, Unit, User
from models.units import responsible_unit
from tests.resident.test_report_flow import EAST, WEST


def test_set_up_a_district_from_the_command_line(database_url, tmp_path, service) -> None:  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path)}
    runner = CliRunner(env=env)
    geojson = tmp_path / "streets.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "E", "name": "东街街道"}, "geometry": EAST},
        {"type": "Feature", "properties": {"code": "W", "name": "西街街道"}, "geometry": WEST},
    ]}), encoding="utf-8")
    staff_csv = tmp_path / "staff.csv"
    staff_csv.write_text("name,role,street,unit,road,mobile\n李四,officer,E,E-ZF,,13800000001\n王五,reviewer,,,,\n",
                         encoding="utf-8")

    assert "已导入 2 个街道" in runner.invoke(streets, ["import", str(geojson)]).output
    assert runner.invoke(units, ["add", "E-ZF", "东街执法队", "--street", "E"]).exit_code == 0
    assert runner.invoke(units, ["add", "SZ", "区市政所"]).exit_code == 0
    assert runner.invoke(units, ["route", "E-ZF", "--street", "E"]).exit_code == 0
    assert runner.invoke(units, ["route", "SZ", "--category", "C"]).exit_code == 0  # components: the owner
    added = runner.invoke(staff, ["add", "--name", "张三", "--role", "road_chief", "--street", "E", "--road", "幸福路"])
    imported = runner.invoke(staff, ["import", str(staff_csv)])
    assert "邀请码" in added.output and imported.exit_code == 0 and "李四\t" in imported.output

    with service.sessions() as s:
        east = s.scalars(select(Street).where(Street.code == "E")).one()
        assert responsible_unit(s, east.id, "E0502").code == "E-ZF"
        assert responsible_unit(s, east.id, "C0101").code == "E-ZF"  # street rule beats any-street rule
        assert responsible_unit(s, None, "C0101").code == "SZ"
        assert responsible_unit(s, None, "E0502") is None
        chief = s.scalars(select(User).where(User.name == "张三")).one()
        assert chief.role == Role.ROAD_CHIEF and chief.road == "幸福路" and chief.street_id == east.id
        assert len(s.scalars(select(InviteCode)).all()) == 3
        assert len(s.scalars(select(DispatchRule)).all()) == 2 and len(s.scalars(select(Unit)).all()) == 2


def test_bad_input_names_the_fix(database_url, tmp_path, service) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"DATABASE_URL": database_url, "CHENGGUAN_DATA_DIR": str(tmp_path)})
    unknown_street = runner.invoke(units, ["add", "X", "某单位", "--street", "NOPE"])
    assert unknown_street.exit_code != 0 and "streets import" in unknown_street.output
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("name,role\n某人,mayor\n", encoding="utf-8")
    result = runner.invoke(staff, ["import", str(bad_csv)])
    assert result.exit_code != 0 and "bad.csv:2" in result.output
    not_geojson = tmp_path / "x.geojson"
    not_geojson.write_text("{}", encoding="utf-8")
    assert "GeoJSON" in runner.invoke(streets, ["import", str(not_geojson)]).output
    with service.sessions() as s:
        assert s.scalars(select(User)).all() == [] and s.scalars(select(Unit)).all() == []
