"""`chengguan doctor`'s checks of what lies outside the database: the photo store (a probe object
written, read back and deleted), the WeChat and WeCom credentials (an access token asked of the
configured API base) and the city platform (its services.json). A line never shows a secret: only
the error's kind or WeChat's errcode, in words."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from bot.config import Config
from bot.doctor import Check
from bot.photostore import store_for
from bot.uplink.client import Open311Client, PlatformRejected, PlatformUnavailable

TIMEOUT = httpx.Timeout(10.0, connect=5.0)

# errcode -> what it means and what to do (only the codes a token request answers)
MP_ERRORS = {
    40001: "AppSecret 错误: 核对 WECHAT_APP_SECRET (公众平台「设置与开发 → 基本配置」)",
    40125: "AppSecret 无效: 核对 WECHAT_APP_SECRET",
    40013: "AppID 无效: 核对 WECHAT_APP_ID",
    40164: "本机出口 IP 不在公众号的 IP 白名单中: 在「基本配置 → IP白名单」加入它",
    41002: "缺少 AppID: 设置 WECHAT_APP_ID",
    41004: "缺少 AppSecret: 设置 WECHAT_APP_SECRET",
    45009: "今日获取 access_token 次数已达上限: 明天再试, 或在公众平台重置调用次数",
    -1: "微信系统繁忙: 稍后重试",
}
WECOM_ERRORS = {
    40013: "CorpID 无效: 核对 WECOM_CORP_ID (管理后台「我的企业」)",
    40001: "Secret 错误: 核对 WECOM_SECRET (应用详情页的 Secret)",
    40091: "Secret 无效: 核对 WECOM_SECRET",
    41002: "缺少 CorpID: 设置 WECOM_CORP_ID",
    41004: "缺少 Secret: 设置 WECOM_SECRET",
    60020: "本机出口 IP 不在应用的企业可信 IP 中: 在应用详情页「企业可信IP」加入它",
    -1: "企业微信系统繁忙: 稍后重试",
}


def remote_checks(config: Config) -> Iterator[Check]:
    yield _photo_store(config)
    yield _official_account(config)
    yield _wecom(config)
    yield from _platform(config)


def _photo_store(config: Config) -> Check:
    store = store_for(config)
    where, key, probe = store.describe(), f"doctor-probe-{secrets.token_hex(8)}.txt", secrets.token_bytes(32)
    try:
        store.put(key, probe)
        if store.get(key) != probe:
            return Check("照片存储", False, f"{where} 读回的内容与写入的不同; 检查存储服务")
        store.delete(key)
    except OSError as exc:
        return Check("照片存储", False, f"{where} 无法读写 ({exc}); 检查 CHENGGUAN_PHOTO_STORE 和 CHENGGUAN_S3_* 设置及桶的权限")
    return Check("照片存储", True, f"{where} 可写入、读取、删除")


def _official_account(config: Config) -> Check:
    cfg = config.wechat
    if not (cfg.app_id and cfg.app_secret):
        return Check("公众号接口", False, "未配置 WECHAT_APP_ID / WECHAT_APP_SECRET: 无法给居民发消息", fatal=False)
    url = cfg.api_base.rstrip("/") + "/cgi-bin/stable_token"
    body = {"grant_type": "client_credential", "appid": cfg.app_id, "secret": cfg.app_secret, "force_refresh": False}
    return _token_check("公众号接口", cfg.api_base, MP_ERRORS, lambda http: http.post(url, json=body))


def _wecom(config: Config) -> Check:
    cfg = config.wecom
    if not (cfg.corp_id and cfg.secret):
        return Check("企业微信接口", False, "未配置 WECOM_CORP_ID / WECOM_SECRET: 无法给工作人员发消息", fatal=False)
    url = cfg.api_base.rstrip("/") + "/cgi-bin/gettoken"
    params = {"corpid": cfg.corp_id, "corpsecret": cfg.secret}
    return _token_check("企业微信接口", cfg.api_base, WECOM_ERRORS, lambda http: http.get(url, params=params))


def _token_check(name: str, base: str, meanings: dict[int, str],
                 ask: Callable[[httpx.Client], httpx.Response]) -> Check:
    """Ask for an access token (the Official Account's stable token is not renewed by this, so the
    running service's token stays valid) and say what the answer means."""
    try:
        answer = _json(ask)
    except _Unreachable as exc:
        return Check(name, False, f"{base} 无法访问 ({exc}); 检查网络或 API 地址设置")
    code = answer.get("errcode") or 0
    if not code and answer.get("access_token"):
        return Check(name, True, f"{base} 凭据有效")
    meaning = meanings.get(code, "见微信开发文档的全局返回码说明") if isinstance(code, int) else "应答无法识别"
    return Check(name, False, f"{base} 拒绝了凭据: 错误码 {code}, {meaning}")


class _Unreachable(Exception):
    pass


def _json(ask: Callable[[httpx.Client], httpx.Response]) -> dict[str, Any]:
    """The answer's JSON object. The request's URL carries the secret (WeCom's gettoken): never in a message."""
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as http:
            response = ask(http)
        if response.status_code != 200:
            raise _Unreachable(f"HTTP {response.status_code}")
        answer = response.json()
    except httpx.HTTPError as exc:
        raise _Unreachable(type(exc).__name__) from None
    except ValueError:
        raise _Unreachable("应答不是 JSON") from None
    if not isinstance(answer, dict):
        raise _Unreachable("应答不是 JSON 对象")
    return answer


def _platform(config: Config) -> Iterator[Check]:
    platform = config.platform
    if not (platform.open311_enabled or platform.webhook_enabled):
        yield Check("城市平台", True, "未开启上报 (PLATFORM_OPEN311_URL / PLATFORM_WEBHOOK_URL 为空)")
    if not platform.open311_enabled:
        return  # the webhook has no harmless request to try: it shows in `chengguan platform stuck`
    try:
        with Open311Client(platform) as client:
            count = len(client.services())
    except (PlatformUnavailable, PlatformRejected) as exc:
        yield Check("城市平台", False, f"{exc}; 检查 PLATFORM_OPEN311_URL 和网络")
        return
    yield Check("城市平台", True, f"{platform.open311_url} 可访问, services.json 有 {count} 个服务类别")
