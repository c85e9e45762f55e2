"""The category and time-limit table (案件分类及处置时限), loaded from CSV data.

Code scheme (GB/T 30428.2 style, as city manuals use it): ``code`` is four
digits, two for the major class (大类) and two for the minor class (小类).
Events (事件) and components (部件) are numbered separately, so the same code
exists once per kind: event 0101 = 市容环境/私搭乱建, component 0101 =
公用设施/井盖. ``Category.key`` makes it unique: ``E`` (event) or ``C``
(component) + code, e.g. ``E0502`` = 街面秩序/占道经营; store that key.

Major classes of the default table: events 01 市容环境, 02 宣传广告,
03 施工管理, 04 突发事件, 05 街面秩序, 06 其他; components 01 公用设施,
02 道路交通, 03 市容环境, 04 园林绿化, 05 房屋土地, 06 其他设施. Minor 99 is
the catch-all of a major class. The minor numbering and the limits are this
default table's own: a deployment replaces ``models/data/categories.csv`` with
its city's manual (UTF-8 or GB18030, as Excel saves it).

CSV columns: code, kind (event|component), major, minor, limit (``4h`` working
hours, ``15d`` working days), keywords (``|``-separated, used by ``suggest``).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from pathlib import Path

from models.deadlines import TimeLimit

COLUMNS = ("code", "kind", "major", "minor", "limit", "keywords")


class Kind(StrEnum):
    EVENT = "event"  # 事件
    COMPONENT = "component"  # 部件

    @property
    def label(self) -> str:
        return "事件" if self is Kind.EVENT else "部件"

    @property
    def prefix(self) -> str:
        return "E" if self is Kind.EVENT else "C"


@dataclass(frozen=True)
class Category:
    code: str
    kind: Kind
    major: str
    minor: str
    limit: TimeLimit
    keywords: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Unique across kinds, e.g. ``E0502``."""
        return self.kind.prefix + self.code

    @property
    def label(self) -> str:
        return f"{self.major}/{self.minor}"

    @property
    def major_code(self) -> str:
        return self.code[:2]


class CategoryTable:
    def __init__(self, categories: Iterable[Category]) -> None:
        self._by_key: dict[str, Category] = {}
        self._by_label: dict[str, Category] = {}
        majors: dict[tuple[Kind, str], str] = {}
        for category in categories:
            if category.key in self._by_key:
                raise ValueError(f"分类代码重复: {category.kind.label} {category.code}")
            if category.label in self._by_label:
                raise ValueError(f"分类名称重复: {category.label}")
            major = majors.setdefault((category.kind, category.major_code), category.major)
            if major != category.major:
                raise ValueError(
                    f"{category.kind.label}大类 {category.major_code} 名称不一致: "
                    f"{major} / {category.major}"
                )
            self._by_key[category.key] = category
            self._by_label[category.label] = category
        # suggest() runs on every resident text message (twice on a report's first words): fold and dedupe each
        # category's words once, and file them by their first character, so a text is checked only against the
        # words that can occur in it, not against all of them.
        self._in_order = list(self._by_key.values())
        self._words_by_first: dict[str, list[tuple[str, int]]] = {}
        for index, category in enumerate(self._in_order):
            for word in dict.fromkeys(_fold(w) for w in (category.minor, *category.keywords) if w):
                self._words_by_first.setdefault(word[0], []).append((word, index))

    @classmethod
    def load(cls, path: str | Path | None = None) -> CategoryTable:
        """Load a table; the packaged default when ``path`` is None."""
        if path is None:
            data = (files("models") / "data" / "categories.csv").read_bytes()
            return cls(_parse(data, "categories.csv"))
        return cls(_parse(Path(path).read_bytes(), str(path)))

    def __iter__(self) -> Iterator[Category]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, code: str, kind: Kind | str | None = None) -> Category:
        """By key (``E0502``) or by code plus kind (``"0502", "event"``)."""
        code = code.strip().upper()
        key = Kind(kind).prefix + code if kind is not None else code
        if key in self._by_key:
            return self._by_key[key]
        if kind is None and re.fullmatch(r"\d{4}", code):
            raise KeyError(f"代码 {code} 需要指明事件(E{code})或部件(C{code})")
        raise KeyError(f"没有这个分类: {key}")

    def by_name(self, label: str) -> Category:
        """By ``大类/小类``, e.g. ``街面秩序/占道经营``."""
        cleaned = "/".join(part.strip() for part in label.replace("／", "/").split("/"))
        try:
            return self._by_label[cleaned]
        except KeyError:
            raise KeyError(f"没有这个分类: {label}") from None

    def suggest(self, text: str, limit: int = 5) -> list[Category]:
        """Categories whose keywords (or minor name) occur in ``text``, best first.

        Score = total length of the matched words, so specific words beat
        generic ones ("占道经营" > "占道"); ties keep table order.
        """
        text = _fold(text or "")
        scores: dict[int, int] = {}  # table position -> score
        for first in set(text):
            for word, index in self._words_by_first.get(first, ()):
                if word in text:
                    scores[index] = scores.get(index, 0) + len(word)
        best = sorted(scores, key=lambda index: (-scores[index], index))
        return [self._in_order[index] for index in best[:limit]]


def _fold(text: str) -> str:
    """Full-width to half-width and upper case, so 'ＬＥＤ屏' and 'led屏' match the keyword 'LED屏'."""
    return unicodedata.normalize("NFKC", text).upper()


def _parse(data: bytes, name: str) -> list[Category]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")  # a table saved by Excel on Chinese Windows
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{name}: 缺少列 {missing}，表头应为 {','.join(COLUMNS)}")
    rows = []
    for row in reader:
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # blank line
        try:
            if None in row:
                raise ValueError("字段过多（关键词请用 | 分隔，不要用逗号）/ too many fields")
            rows.append(_category(row))
        except ValueError as exc:
            where = f"{name} 第 {reader.line_num} 行 (line {reader.line_num})"
            raise ValueError(f"{where}: {exc}") from None
    if not rows:
        raise ValueError(f"{name}: 分类表为空")
    return rows


def _category(row: dict[str, str | None]) -> Category:
    value = {column: (row.get(column) or "").strip() for column in COLUMNS}
    if not re.fullmatch(r"\d{4}", value["code"]):
        raise ValueError(f"代码应为 4 位数字（2 位大类 + 2 位小类）: {value['code']!r}")
    try:
        kind = Kind(value["kind"])
    except ValueError:
        raise ValueError(f"kind 应为 event 或 component: {value['kind']!r}") from None
    for column in ("major", "minor"):
        if not value[column] or "/" in value[column]:
            raise ValueError(f"{column} 不能为空或包含 '/': {value[column]!r}")
    keywords = tuple(word.strip() for word in value["keywords"].split("|") if word.strip())
    return Category(
        code=value["code"],
        kind=kind,
        major=value["major"],
        minor=value["minor"],
        limit=TimeLimit.parse(value["limit"]),
        keywords=keywords,
    )
