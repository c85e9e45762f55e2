"""A vendor platform described as data: the mapping file (JSON) that drives the one generic adapter.

A 数字城管 platform (GB/T 30428) takes cases through its vendor's own interface; what differs between
vendors is names and codes, not the steps. The file says: endpoints, field names, code tables
(our category -> 事件/部件 类型, 大类, 小类, 立案条件), constants (案件来源, 时限区域, district), street
ids, the coordinate system, the auth scheme and how answers look. Everything is checked at load;
an error names the key to fix. Secrets are not in the file: they come from the settings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).resolve().parents[3] / "models" / "data" / "platforms"
AUTH_KINDS = ("token", "hmac", "app_key")
COORDINATE_SYSTEMS = ("wgs84", "gcj02", "cgcs2000_gk3")
CASE_FIELDS = ("case_no", "source", "kind", "main_type", "sub_type", "condition", "time_limit_area",
               "district", "street", "community", "grid", "x", "y", "address", "description",
               "reported_at", "photos")
ENDPOINTS = ("create", "upload", "query")
ANSWER_KEYS = ("ok_field", "ok_value", "message_field", "id_path", "file_id_path", "items_path", "item_id_field",
               "status_field", "number_field", "note_field")


class MappingError(ValueError):
    """The mapping file is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class CategoryCodes:
    kind: str        # 事件 or 部件, as the platform codes it
    main_type: str   # 大类
    sub_type: str    # 小类
    condition: str   # 立案条件


@dataclass(frozen=True)
class VendorMapping:
    name: str
    endpoints: dict[str, str]
    fields: dict[str, str]
    constants: dict[str, str]
    categories: dict[str, CategoryCodes]
    streets: dict[str, str]           # our street code -> the platform's street id
    coordinates: str
    gk_zone: int | None               # 3-degree Gauss-Kruger zone (cgcs2000_gk3)
    district_bounds: tuple[float, float, float, float]  # WGS-84 lon/lat box the platform accepts
    auth: dict[str, str]
    answers: dict[str, Any]
    statuses: dict[str, list[str]]    # "closed" / "rework": the platform's status codes


@cache
def load_mapping(reference: str) -> VendorMapping:
    """A shipped mapping by name (szcg) or a file path."""
    path = Path(reference) if reference.endswith(".json") else SHIPPED / f"{reference}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"平台映射文件 {path} 无法读取 ({exc.strerror})") from None
    except ValueError as exc:
        raise MappingError(f"平台映射文件 {path.name} 不是有效的 JSON: {exc}") from None
    return parse_mapping(data, path.name)


def parse_mapping(data: Any, source: str = "映射") -> VendorMapping:
    check = _Checker(source)
    root = check.table(data, "")
    auth = check.table(root.get("auth"), "auth")
    if auth.get("kind") not in AUTH_KINDS:
        check.fail("auth.kind", f"应为 {' / '.join(AUTH_KINDS)} 之一")
    coordinates = check.table(root.get("coordinates"), "coordinates")
    system = coordinates.get("system")
    if system not in COORDINATE_SYSTEMS:
        check.fail("coordinates.system", f"应为 {' / '.join(COORDINATE_SYSTEMS)} 之一")
    zone = coordinates.get("zone")
    if system == "cgcs2000_gk3" and not (isinstance(zone, int) and 25 <= zone <= 45):
        check.fail("coordinates.zone", "3 度带带号应为 25-45 的整数 (中国范围)")
    bounds = coordinates.get("district_bounds")
    if not (isinstance(bounds, list) and len(bounds) == 4 and all(isinstance(v, (int, float)) for v in bounds)
            and bounds[0] < bounds[2] and bounds[1] < bounds[3]):
        check.fail("coordinates.district_bounds", "应为 [西经度, 南纬度, 东经度, 北纬度]")
    categories = {}
    for key, codes in check.table(root.get("categories"), "categories").items():
        row = check.table(codes, f"categories.{key}")
        values = [check.text(row.get(name), f"categories.{key}.{name}")
                  for name in ("kind", "main_type", "sub_type", "condition")]
        categories[key] = CategoryCodes(*values)
    answers = check.table(root.get("answers"), "answers")
    statuses = check.table(root.get("statuses"), "statuses")
    for name in ("closed", "rework"):
        if not (isinstance(statuses.get(name), list) and statuses[name]):
            check.fail(f"statuses.{name}", "应为平台状态码的列表")
    return VendorMapping(
        name=check.text(root.get("name"), "name"),
        endpoints=check.strings(root.get("endpoints"), "endpoints", ENDPOINTS),
        fields=check.strings(root.get("fields"), "fields", CASE_FIELDS),
        constants=check.strings(root.get("constants"), "constants", ("source", "time_limit_area", "district")),
        categories=categories,
        streets=check.strings(root.get("streets"), "streets", ()),
        coordinates=system, gk_zone=zone if system == "cgcs2000_gk3" else None,
        district_bounds=tuple(float(v) for v in bounds),  # type: ignore[arg-type]
        auth={k: str(v) for k, v in auth.items()},
        answers={key: answers[key] if key in answers else check.fail(f"answers.{key}", "缺少")
                 for key in ANSWER_KEYS},
        statuses={name: [str(code) for code in statuses[name]] for name in ("closed", "rework")},
    )


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, why: str) -> Any:
        raise MappingError(f"平台映射文件 {self.source} 的 {key or '顶层'}: {why}; 改正后重新启动")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key, "缺少, 或不是对象 {...}")
        return dict(value)

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "缺少, 或不是非空字符串")
        return value

    def strings(self, value: Any, key: str, required: tuple[str, ...]) -> dict[str, str]:
        table = self.table(value, key)
        for name in required:
            self.text(table.get(name), f"{key}.{name}")
        for name, item in table.items():
            self.text(item, f"{key}.{name}")
        return table
