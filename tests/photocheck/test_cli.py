import json

from click.testing import CliRunner

from photocheck.cli import photocheck_cli
from tests.photoedits import edited
from tests.photos import photo, photo_file


def test_pair_json_fields(tmp_path) -> None:
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(edited("motorcycle_left", "jpeg50"))
    result = CliRunner().invoke(photocheck_cli, [
        "pair", str(photo_file(tmp_path, "motorcycle_left")), str(copy), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert isinstance(out["same_angle"], bool) and isinstance(out["copy"], bool)
    assert isinstance(out["same_angle_score"], float) and isinstance(out["copy_score"], float)
    assert out["ms"] > 0
    assert out["copy"] is True and out["same_angle"] is True
    assert out["reasons"][0]["code"] == "not_original.reused"


def test_pair_human_summary(tmp_path) -> None:
    result = CliRunner().invoke(photocheck_cli, [
        "pair", str(photo_file(tmp_path, "motorcycle_left")), str(photo_file(tmp_path, "coffee"))])
    assert result.exit_code == 0
    assert "与问题照片角度不一致" in result.stdout


def test_unreadable_file_exits_2_without_traceback(tmp_path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image at all")
    good = photo_file(tmp_path, "motorcycle_left")
    for args in ([str(good), str(bad)], [str(good), str(tmp_path / "missing.jpg")]):
        result = CliRunner().invoke(photocheck_cli, ["pair", *args, "--json"])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1


def test_index_command_groups_duplicates(tmp_path) -> None:
    d = tmp_path / "photos"
    d.mkdir()
    (d / "street_04.jpg").write_bytes(photo("motorcycle_left"))
    (d / "street_04_jpeg50.jpg").write_bytes(edited("motorcycle_left", "jpeg50"))
    (d / "street_11.jpg").write_bytes(photo("motorcycle_right"))
    (d / "notes.jpg").write_bytes(b"not a photo")
    out = tmp_path / "prints.jsonl"
    result = CliRunner().invoke(photocheck_cli, ["index", str(d), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 3
    assert "近似重复 1 组" in result.stdout
    group_line = next(line for line in result.stdout.splitlines() if line.startswith("第 1 组"))
    assert "street_04.jpg" in group_line and "jpeg50" in group_line and "11.jpg" not in group_line
