"""Find a font that draws Chinese for matplotlib; without one the chart would show empty boxes."""

from __future__ import annotations

from functools import cache

PREFERRED = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")


class NoChineseFont(RuntimeError):
    pass


@cache
def chinese_font() -> str:
    """The family name of an installed CJK font, or NoChineseFont saying what to install."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in PREFERRED:
        if name in installed:
            return name
    for entry in font_manager.fontManager.ttflist:  # any other font whose name says CJK
        if any(tag in entry.name for tag in ("CJK", "Hei", "Song", "Ming", "Kai")):
            return str(entry.name)
    raise NoChineseFont(
        "没有可显示中文的字体, 图表无法生成: 请安装 Debian 包 fonts-noto-cjk "
        "(apt-get install fonts-noto-cjk), 然后删除 matplotlib 字体缓存 (~/.cache/matplotlib) 重试"
    )
