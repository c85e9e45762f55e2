import random
import unicodedata
from pathlib import Path

import pytest

from models.categories import Category, CategoryTable, Kind
from models.deadlines import TimeLimit

HEADER = "code,kind,major,minor,limit,keywords\n"


@pytest.fixture(scope="module")
def table() -> CategoryTable:
    return CategoryTable.load()


def write(tmp_path: Path, body: str, name: str = "cats.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding=encoding)
    return path


def test_default_table_loads_with_both_kinds(table):
    assert 40 <= len(table) <= 80
    kinds = {category.kind for category in table}
    assert kinds == {Kind.EVENT, Kind.COMPONENT}
    majors = {(c.kind, c.major) for c in table}
    for major in ("市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件", "其他"):
        assert (Kind.EVENT, major) in majors
    for major in ("公用设施", "道路交通", "市容环境", "园林绿化", "房屋土地", "其他设施"):
        assert (Kind.COMPONENT, major) in majors


def test_default_limits_follow_the_domain_examples(table):
    assert table.by_name("市容环境/暴露垃圾").limit == TimeLimit(4, "h")
    assert table.by_name("市容环境/道路不洁").limit == TimeLimit(5, "h")
    assert table.by_name("市容环境/私搭乱建").limit == TimeLimit(15, "d")


def test_get_by_key_and_by_code_with_kind(table):
    stall = table.get("E0502")
    assert stall.label == "街面秩序/占道经营"
    assert stall.kind is Kind.EVENT and stall.code == "0502" and stall.major_code == "05"
    assert table.get("0502", "event") is stall
    assert table.get("0101", Kind.COMPONENT).label == "公用设施/井盖"
    assert table.get("e0502") is stall


def test_bare_code_is_ambiguous_and_unknown_code_fails(table):
    with pytest.raises(KeyError, match="E0101"):
        table.get("0101")
    with pytest.raises(KeyError):
        table.get("E9999")


def test_by_name(table):
    assert table.by_name("街面秩序/占道经营").key == "E0502"
    assert table.by_name(" 街面秩序 ／ 占道经营 ").key == "E0502"
    with pytest.raises(KeyError):
        table.by_name("街面秩序/不存在")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("门口有人占道经营卖水果", {"街面秩序/占道经营"}),
        ("垃圾堆了好几天", {"市容环境/暴露垃圾", "市容环境/积存垃圾渣土"}),
        ("井盖没了，很危险", {"突发事件/井盖缺失"}),
        ("电动车乱停放在人行道", {"街面秩序/非机动车乱停放"}),
        ("路灯不亮", {"公用设施/路灯"}),
        ("墙上贴满了办证小广告", {"宣传广告/非法小广告"}),
        ("工地扬尘很大", {"施工管理/工地扬尘"}),
    ],
)
def test_suggest_puts_the_right_category_first(table, text, expected):
    suggestions = table.suggest(text)
    assert suggestions, text
    assert suggestions[0].label in expected


def test_suggest_nothing_matched(table):
    assert table.suggest("今天天气不错") == []
    assert table.suggest("") == []


def test_suggest_limit_and_fullwidth_text(table):
    assert len(table.suggest("垃圾桶满了，垃圾散落一地", limit=2)) == 2
    assert table.suggest("ＬＥＤ屏广告")[0].label == "宣传广告/违规户外广告"


def test_load_custom_table_gb18030(tmp_path):
    path = write(tmp_path, "0101,event,市容环境,暴露垃圾,1d,垃圾\n", encoding="gb18030")
    table = CategoryTable.load(path)
    assert [c.label for c in table] == ["市容环境/暴露垃圾"]
    assert table.get("E0101").limit == TimeLimit(1, "d")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("101,event,市容环境,暴露垃圾,4h,垃圾", "4 位数字"),
        ("0101,incident,市容环境,暴露垃圾,4h,垃圾", "kind"),
        ("0101,event,市容环境,,4h,垃圾", "minor"),
        ("0101,event,市容环境,暴露垃圾,4 hours,垃圾", "时限"),
        ("0101,event,市容环境,暴露垃圾,4h,垃圾,乱扔", "字段过多"),
    ],
)
def test_bad_row_names_file_and_line(tmp_path, row, message):
    path = write(tmp_path, "0102,event,市容环境,道路不洁,5h,\n" + row + "\n")
    with pytest.raises(ValueError, match=message) as error:
        CategoryTable.load(path)
    assert "cats.csv" in str(error.value)
    assert "第 3 行" in str(error.value)


def test_duplicates_and_inconsistent_majors_rejected(tmp_path):
    duplicate = write(
        tmp_path, "0101,event,市容环境,暴露垃圾,4h,\n0101,event,市容环境,道路不洁,5h,\n"
    )
    with pytest.raises(ValueError, match="重复"):
        CategoryTable.load(duplicate)
    mixed = write(tmp_path, "0101,event,市容环境,暴露垃圾,4h,\n0102,event,街面秩序,占道经营,2h,\n")
    with pytest.raises(ValueError, match="不一致"):
        CategoryTable.load(mixed)
    # the same code in the other kind is fine
    both = write(tmp_path, "0101,event,市容环境,暴露垃圾,4h,\n0101,component,公用设施,井盖,4h,\n")
    assert len(CategoryTable.load(both)) == 2


def test_missing_column_and_empty_table(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,kind,major,minor\n0101,event,市容环境,暴露垃圾\n", encoding="utf-8")
    with pytest.raises(ValueError, match="缺少列"):
        CategoryTable.load(path)
    with pytest.raises(ValueError, match="为空"):
        CategoryTable.load(write(tmp_path, ""))


def test_category_is_frozen(table):
    category: Category = table.get("E0102")
    with pytest.raises(AttributeError):
        category.minor = "x"  # type: ignore[misc]


def _every_word_checked(table, text, limit=5):
    """suggest() as defined: every category's folded words looked for in the folded text, total length of the
    words found, best first, ties in table order."""
    folded = unicodedata.normalize("NFKC", text).upper()
    scored = []
    for category in table:
        words = dict.fromkeys(unicodedata.normalize("NFKC", w).upper() for w in (category.minor, *category.keywords) if w)
        score = sum(len(word) for word in words if word in folded)
        if score:
            scored.append((score, category))
    scored.sort(key=lambda pair: -pair[0])
    return [category for _, category in scored[:limit]]


def test_suggest_by_first_character_finds_what_checking_every_word_finds(table):
    # Texts made of the table's own words, so many categories score, overlap and tie.
    words = [w for category in table for w in (category.minor, *category.keywords) if w]
    rng = random.Random(19)
    texts = ["路口有人占道经营", "ＬＥＤ屏广告", "垃圾桶满了，垃圾散落一地", "今天天气不错", "x" * 600]
    texts += ["，".join(rng.sample(words, rng.randint(1, 6))) for _ in range(300)]
    for text in texts:
        for limit in (1, 3, 5, 50):
            assert table.suggest(text, limit) == _every_word_checked(table, text, limit), text
