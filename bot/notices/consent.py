"""The resident's consent to one subscription notification (一次性订阅): the authorise URL we offer,
and the `reserved` value that proves a redirect back from WeChat answers a link we issued to that openid.

The URL is built here (a plain query string) rather than with wechatpy's client: building it needs no
access token, and this runs inside a webhook.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from bot.config import Config
from bot.uplink.signing import secret_key

AUTHORISE = "https://mp.weixin.qq.com/mp/subscribemsg"
SCENE = "1"  # 0-10000, ours: "a report was confirmed"
ROUTE = "/wechat/subscribe"


def reserved_for(config: Config, openid: str, template_id: str) -> str:
    """HMAC of who the link was issued to and for which template; WeChat hands it back unchanged."""
    mac = hmac.new(secret_key(config).encode(), f"subscribe:{openid}:{template_id}:{SCENE}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()


def is_ours(config: Config, openid: str, template_id: str, reserved: str) -> bool:
    return hmac.compare_digest(reserved_for(config, openid, template_id).encode(), reserved.encode())


def authorise_url(config: Config, openid: str) -> str | None:
    """The one-time subscription link for this resident, or None when the deployment has no template."""
    template = config.notices.subscribe
    if template is None:
        return None
    query = urlencode([
        ("action", "get_confirm"), ("appid", config.wechat.app_id), ("scene", SCENE),
        ("template_id", template.template_id), ("redirect_url", config.platform.public_url + ROUTE),
        ("reserved", reserved_for(config, openid, template.template_id)),
    ])
    return f"{AUTHORISE}?{query}#wechat_redirect"


def offer(config: Config, openid: str) -> str:
    """The line the confirmation of a report ends with, or "" without a subscription template."""
    url = authorise_url(config, openid)
    if url is None:
        return ""
    return f"\n处理可能超过48小时, 点此订阅办理结果通知 (订阅一次, 通知一次): {url}"
