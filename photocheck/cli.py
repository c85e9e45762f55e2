"""`photocheck` click group; the service CLI attaches it as `chengguan photocheck`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from .decode import ImageRejected
from .thresholds import Thresholds


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.exceptions.Exit(_fail(f"无法读取 {path}: {exc.strerror or exc}"))


def _fail(message: str) -> int:
    click.echo(f"错误: {message}", err=True)
    return 2


@click.group("photocheck")
def photocheck_cli() -> None:
    """整改照片核验: 是否翻拍/复用, 是否同一角度。"""


@photocheck_cli.command("pair")
@click.argument("problem", type=click.Path(dir_okay=False))
@click.argument("rectified", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="在标准输出打印一个 JSON 对象")
def pair_cmd(problem: str, rectified: str, as_json: bool) -> None:
    """比对问题照片 PROBLEM 与整改照片 RECTIFIED。"""
    from .features import prepare
    from .pair import compare_pair
    from .verdict import pair_reasons

    t0 = time.perf_counter()
    prepared = []
    for path in (problem, rectified):
        try:
            prepared.append(prepare(_read(path)))
        except ImageRejected as exc:
            raise click.exceptions.Exit(_fail(f"{path}: {exc.code} {exc.message_zh}"))
    result = compare_pair(prepared[0], prepared[1], Thresholds())
    reasons = pair_reasons(result)
    out = result.to_dict()
    out["ms"] = round((time.perf_counter() - t0) * 1000, 1)
    out["ok"] = not reasons
    out["reasons"] = [r.to_dict() for r in reasons]
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(f"同一角度: {'是' if result.same_angle else '否'} (得分 {result.same_angle_score:.2f})")
    at_most = "≤ " if result.copy_detail.score_is_bound else ""
    click.echo(f"问题照片的复制/翻拍: {'是' if result.copy else '否'} (得分 {at_most}{result.copy_score:.2f})")
    for r in reasons:
        click.echo(f"✗ {r.message_zh}: {r.fix_zh} [{r.code}]")
    if not reasons:
        click.echo("✓ 通过")
    click.echo(f"用时 {out['ms']:.0f} 毫秒")


_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".heic"}


def _collect(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in _IMAGE_SUFFIXES)
        else:
            files.append(p)
    return files


@photocheck_cli.command("index")
@click.argument("paths", metavar="路径…", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="把指纹写成 JSON Lines 文件")
@click.option("--radius", type=int, default=None, help="近似重复的 pHash 距离 (默认: 内置阈值)")
def index_cmd(paths: tuple[str, ...], out_path: str | None, radius: int | None) -> None:
    """为路径… (文件夹或照片文件) 中的照片计算指纹, 并列出其中近似重复的照片组。"""
    from tqdm import tqdm

    from .fingerprint import fingerprint
    from .groups import near_duplicate_groups

    radius = Thresholds().reuse_hash_radius if radius is None else radius
    files = _collect(paths)
    prints, failed = {}, 0
    sink = open(out_path, "w", encoding="utf-8") if out_path else None
    try:
        for f in tqdm(files, desc="计算指纹", unit="张", file=sys.stderr):
            try:
                fp = fingerprint(f.read_bytes())
            except (ImageRejected, OSError) as exc:
                failed += 1
                click.echo(f"跳过 {f}: {getattr(exc, 'code', exc)}", err=True)
                continue
            prints[str(f)] = fp
            if sink:
                sink.write(json.dumps({"path": str(f), **fp.to_dict()}, ensure_ascii=False) + "\n")
    finally:
        if sink:
            sink.close()
    groups = near_duplicate_groups(prints, radius)
    click.echo(f"已计算 {len(prints)} 张照片的指纹, {failed} 张无法读取, "
               f"近似重复 {len(groups)} 组 (pHash 距离 {radius})")
    for i, g in enumerate(groups, 1):
        click.echo(f"第 {i} 组: " + "  ".join(g))


def main() -> None:  # pragma: no cover - convenience for `python -m photocheck.cli`
    photocheck_cli(prog_name="photocheck")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
