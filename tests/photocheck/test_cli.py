import json

from click.testing import CliRunner

from photocheck.cli import photocheck_cli


def test_pair_json_fields(photos) -> None:
    img = photos / "images"
    result = CliRunner().invoke(photocheck_cli, [
        "pair", str(img / "opensfm_lund/04.jpg"), str(img / "gen_reuse/opensfm_lund__04__jpeg50.jpg"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert isinstance(out["same_angle"], bool) and isinstance(out["copy"], bool)
    assert isinstance(out["same_angle_score"], float) and isinstance(out["copy_score"], float)
    assert out["ms"] > 0
    assert out["copy"] is True and out["same_angle"] is True
    assert out["reasons"][0]["code"] == "not_original.reused"


def test_pair_human_summary(photos) -> None:
    img = photos / "images"
    result = CliRunner().invoke(photocheck_cli, [
        "pair", str(img / "opensfm_lund/01.jpg"), str(img / "opensfm_lund/06.jpg")])
    assert result.exit_code == 0
    assert "与问题照片角度不一致" in result.stdout


def test_unreadable_file_exits_2_without_traceback(tmp_path, photos) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image at all")
    good = photos / "images" / "opensfm_lund/01.jpg"
    for args in ([str(good), str(bad)], [str(good), str(tmp_path / "missing.jpg")]):
        result = CliRunner().invoke(photocheck_cli, ["pair", *args, "--json"])
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1


def test_index_command_groups_duplicates(tmp_path, photos) -> None:
    img = photos / "images"
    d = tmp_path / "photos"
    d.mkdir()
    for name in ("opensfm_lund/04.jpg", "gen_reuse/opensfm_lund__04__jpeg50.jpg", "opensfm_lund/11.jpg"):
        (d / name.replace("/", "_")).write_bytes((img / name).read_bytes())
    (d / "notes.jpg").write_bytes(b"not a photo")
    out = tmp_path / "prints.jsonl"
    result = CliRunner().invoke(photocheck_cli, ["index", str(d), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 3
    assert "1 near-duplicate groups" in result.stdout
    group_line = next(line for line in result.stdout.splitlines() if line.startswith("group 1"))
    assert "opensfm_lund_04.jpg" in group_line and "jpeg50" in group_line and "11.jpg" not in group_line
