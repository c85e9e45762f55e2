"""The WeCom group-robot webhook: POST JSON to /cgi-bin/webhook/send?key=…, answer {"errcode":0}.

The webhook URL is a credential: it never appears in an error, a log line or a job's last_error.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from bot.httpclient import shared_http
from models.groups import KIND_ROBOT, mask_target

RATE_LIMITED = 45009        # 接口调用超过限制 (more than 20 messages a minute)
INVALID_KEYS = {93000, 93004, 93008}  # invalid webhook key / robot removed from the group
MARKDOWN_MAX_BYTES = 4096
TEXT_MAX_BYTES = 2048


class RobotError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"群机器人返回错误 {errcode}: {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


class RobotRateLimited(RobotError):
    pass


def effective_url(url: str, base: str = "") -> str:
    """The stored URL, with scheme and host replaced by `base` (WECOM_WEBHOOK_BASE) when set."""
    if not base:
        return url
    parts, target = urlsplit(url), urlsplit(base)
    return urlunsplit((target.scheme, target.netloc, target.path.rstrip("/") + parts.path, parts.query, ""))


def markdown(content: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": content}}


def text(content: str, mobiles: list[str] | None = None, userids: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"content": content}
    if mobiles:
        body["mentioned_mobile_list"] = mobiles
    if userids:
        body["mentioned_list"] = userids
    return {"msgtype": "text", "text": body}


def image(png: bytes) -> dict[str, Any]:
    return {"msgtype": "image", "image": {"base64": base64.b64encode(png).decode("ascii"),
                                          "md5": hashlib.md5(png).hexdigest()}}


def post(url: str, message: dict[str, Any], *, base: str = "", timeout: float = 10) -> None:
    """Send one message; RobotError (RobotRateLimited for 45009) when the robot refuses it."""
    masked = mask_target(KIND_ROBOT, url)
    try:
        response = shared_http().post(effective_url(url, base), json=message, timeout=timeout)
        response.raise_for_status()
        answer = response.json()
    except httpx.HTTPStatusError as exc:
        raise ConnectionError(f"群机器人 {masked} 返回 HTTP {exc.response.status_code}") from None
    except (httpx.HTTPError, ValueError) as exc:
        raise ConnectionError(f"群机器人 {masked} 无法连接: {type(exc).__name__}") from None
    errcode = int(answer.get("errcode", -1))
    if errcode == RATE_LIMITED:
        raise RobotRateLimited(errcode, str(answer.get("errmsg", "")))
    if errcode != 0:
        raise RobotError(errcode, str(answer.get("errmsg", "")))
