"""`chengguan grids import FILE.geojson`: 单元网格 and their 社区, checked whole before anything is stored."""

from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy import select

from bot.admin_cli import _service
from bot.db import transaction
from models import GridCell, Street
from models.grids import GridFileError, check_containment, parse_grid_features


@click.group(help="单元网格 (GB/T 30428) 与社区。")
def grids() -> None:
    pass


@grids.command("import", help="从 GeoJSON 导入单元网格 (属性 code 15 位、community_code、community_name、"
                              "street_code; WGS-84 坐标)。同编码的网格会被更新。")
@click.argument("geojson", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def grids_import(geojson: Path) -> None:
    try:
        features = parse_grid_features(json.loads(geojson.read_text(encoding="utf-8")))
    except ValueError as exc:  # GridFileError, and JSON that does not parse
        raise click.ClickException(f"{geojson.name}: {exc}; 文件未导入") from None
    with transaction(_service().sessions) as session:
        streets = {s.code: s for s in session.scalars(select(Street))}
        try:
            check_containment(features, {code: s.polygon for code, s in streets.items()})
        except GridFileError as exc:
            raise click.ClickException(f"{geojson.name}: {exc}; 文件未导入") from None
        known = {cell.code: cell for cell in session.scalars(select(GridCell))}
        for feature in features:
            cell = known.get(feature.code) or GridCell(code=feature.code)
            cell.street_id, cell.polygon = streets[feature.street_code].id, feature.geometry
            cell.community_code, cell.community_name = feature.community_code, feature.community_name
            session.add(cell)
    communities = len({f.community_code for f in features})
    click.echo(f"已导入 {len(features)} 个网格, {communities} 个社区")
