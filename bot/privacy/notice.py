"""The privacy notice (隐私告知) residents see when they follow the account and in 帮助 (PIPL art. 17):
what is collected, why, for how long (from CHENGGUAN_RETENTION_DAYS), and how to have it deleted."""

from __future__ import annotations

from bot.privacy.settings import RetentionDays

DELETE_COMMAND = "删除我的信息"


def privacy_notice(retention: RetentionDays) -> str:
    """Messages are held as received (inbox) and as sent (outbox jobs): the longer of the two is said."""
    return (
        "隐私告知: 我们收集您发送的照片、位置、问题描述和微信 openid, 仅用于处理城市管理问题。"
        f"聊天消息保存{max(retention.inbox, retention.jobs)}天; 照片在案件办结后保存{retention.photos_closed}天; "
        f"您{retention.residents}天未发消息且没有处理中的案件时, openid 即删除, 案件去除身份后留作统计。"
        f"回复「{DELETE_COMMAND}」可随时删除您的身份信息和照片。"
    )
