"""The Chinese lines `chengguan platform capabilities` and `sync-services` print about a platform."""

from __future__ import annotations

from datetime import datetime

from bot.open311.formats import CHINA
from bot.uplink.capabilities import NO, YES, manual_fields
from models.platform import PlatformCapabilities

FIRST_UNMAPPED = 5
SUPPORT = {YES: "支持", NO: "不支持", "unknown": "未知 (首次使用时得知)"}


def capability_lines(row: PlatformCapabilities) -> list[str]:
    hand = manual_fields(row)

    def mark(name: str) -> str:
        return " [手工设置]" if name in hand else ""

    updates = SUPPORT[row.updates] + ("; 核查、结案不上报, 平台的结案和返工由状态查询同步" if row.updates == NO else "")
    tokens = SUPPORT[row.tokens] + ("; token 的编号从请求列表中按案件编号查找" if row.tokens == NO else "")
    return [
        f"平台: {row.base_url or '-'} (检查于 {_when(row.checked_at)})",
        f"发现文档 discovery.json: {'有' if row.discovery else '无'}",
        f"状态更新 servicerequestupdates: {updates}{mark('updates')}",
        f"token 查询 tokens/: {tokens}{mark('tokens')}",
        f"地址字段: {row.address_field}{mark('address_field')}",
        f"照片: {'上传文件 (media)' if row.media == 'upload' else '链接 (media_url)'}{mark('media')}",
        f"requests.json 每页: {f'{row.page_size} 条' if row.page_size else '未知'}{mark('page_size')}",
        f"最近成功: {_when(row.last_success_at)}; 最近失败: {_when(row.last_failure_at)}"
        + (f" ({row.last_error})" if row.last_failure_at and row.last_error else ""),
    ]


def unmapped_line(unmapped: list[str]) -> str:
    first = ", ".join(unmapped[:FIRST_UNMAPPED]) + (" …" if len(unmapped) > FIRST_UNMAPPED else "")
    return (f"未对应的分类 {len(unmapped)} 项: {first}; 用 chengguan platform map 分类代码 服务代码 补上, "
            "chengguan platform mappings 查看对应表")


def summary_line(row: PlatformCapabilities) -> str:
    size = f"每页 {row.page_size} 条" if row.page_size else "每页条数未知"
    return (f"平台能力: 状态更新{SUPPORT[row.updates].split(' ')[0]}, token 查询{SUPPORT[row.tokens].split(' ')[0]}, "
            f"{size} (详见 chengguan platform capabilities)")


def _when(moment: datetime | None) -> str:
    return moment.astimezone(CHINA).strftime("%m-%d %H:%M") if moment else "从未"
