"""Find a font that draws Chinese for matplotlib; without one the chart would show empty boxes.

First the Noto Sans SC that the pinned pip package `pylopdf-fonts-zh-cn` installs (so no system package is
needed), then a CJK font of the system."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PREFERRED = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")
FONT_PACKAGE = "pylopdf-fonts-zh-cn"


class NoChineseFont(RuntimeError):
    pass


def packaged_font_file() -> Path | None:
    """Noto Sans SC from the font package, when it is installed and whole."""
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        return None
    path = sans_path()
    return path if path.is_file() else None


@cache
def chinese_font() -> str:
    """The family name of a CJK font matplotlib can use, or NoChineseFont saying how to get one."""
    from matplotlib import font_manager

    packaged = packaged_font_file()
    if packaged is not None:
        font_manager.fontManager.addfont(str(packaged))
        return font_manager.FontProperties(fname=str(packaged)).get_name()
    return system_chinese_font()


def system_chinese_font() -> str:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in PREFERRED:
        if name in installed:
            return name
    for entry in font_manager.fontManager.ttflist:  # any other font whose name says CJK
        if any(tag in entry.name for tag in ("CJK", "Hei", "Song", "Ming", "Kai")):
            return str(entry.name)
    raise NoChineseFont(f"图表需要中文字体: 请运行 pip install {FONT_PACKAGE} (或安装系统字体 fonts-noto-cjk) 后重试")
