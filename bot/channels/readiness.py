"""Which outside connections are configured, and the next step for each one that is not, in Chinese:
for `chengguan serve`'s start-up lines and for the answer of a webhook that cannot work yet."""

from __future__ import annotations

from flask import Response

from bot.config import Config

MP_MISSING = ("公众号 (市民) 未配置: 设置 WECHAT_TOKEN、WECHAT_APP_ID、WECHAT_APP_SECRET 后重启服务, "
              "再在公众号后台把服务器地址填为 {base}/wechat/mp")
WECOM_MISSING = ("企业微信 (工作人员) 未配置: 设置 WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET、WECOM_TOKEN、"
                 "WECOM_ENCODING_AES_KEY 后重启服务, 再在应用的接收消息设置中填 {base}/wechat/work")
PLATFORM_MISSING = ("城市平台上报未配置 (可选): 设置 PLATFORM_OPEN311_URL 和 PLATFORM_API_KEY "
                    "(或 PLATFORM_WEBHOOK_URL), 以及 CHENGGUAN_PUBLIC_URL")


def channel_lines(config: Config, base: str) -> list[str]:
    """One line per connection: configured (and where it is reached) or what to do next."""
    mode = "安全模式" if config.wechat.safe_mode else "明文模式, 仅供开发; 正式使用请设置 WECHAT_ENCODING_AES_KEY"
    platform = config.platform
    via = "Open311" if platform.open311_enabled else "webhook"
    return [
        f"公众号 (市民): 已配置 ({mode}), 服务器地址 {base}/wechat/mp" if config.wechat.token
        else MP_MISSING.format(base=base),
        f"企业微信 (工作人员): 已配置, 接收消息地址 {base}/wechat/work" if config.wecom.enabled
        else WECOM_MISSING.format(base=base),
        f"城市平台: 已配置, 经 {via} 上报" if platform.open311_enabled or platform.webhook_enabled
        else PLATFORM_MISSING,
    ]


def not_configured(template: str, base: str) -> Response:
    """503 with the fix, as plain text: the admin sees it when the WeChat back end tests the URL."""
    return Response(template.format(base=base.rstrip("/")), status=503, mimetype="text/plain")
