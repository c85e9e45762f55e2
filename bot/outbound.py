"""Everything we send to WeChat and WeCom outside the passive reply, through wechatpy's API clients.

wechatpy keeps the API host in one class attribute but hard-codes the token URL; the two small
subclasses below move both to the configured base, so tests and private deployments can point
WECHAT_API_BASE / WECOM_API_BASE at their own server.

wechatpy's auto_retry answers a token error (40001/40014/42001) by fetching a new token and calling
again, recursively and without limit: an API that rejects every token made 708 token fetches and
ended in RecursionError, while WeChat allows 2,000 fetches a day per account, shared with every
other system using the secret. So auto_retry is off and _RefreshOnce allows one refresh and one
retry per call; a fresh token that is rejected too raises TokenRejected, which parks the job.

The token itself is shared by every process through the database (bot.tokens), and the Official
Account's comes from /cgi-bin/stable_token, which does not disturb other systems on the account.
"""

from __future__ import annotations

import io
import mimetypes
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import requests
from sqlalchemy.orm import Session, sessionmaker
from wechatpy import WeChatClient
from wechatpy.enterprise import WeChatClient as WeComClient
from wechatpy.exceptions import WeChatClientException

from bot.config import Config, WeChatConfig, WeComConfig
from bot.tokens import SharedToken, shared_sessions
from bot.worker import PermanentJobError
from models.users import CHANNEL_MP, CHANNEL_WORK

# invalid credential, invalid access_token, access_token expired
TOKEN_ERRORS = frozenset({40001, 40014, 42001})


class TokenRejected(PermanentJobError):
    """A freshly fetched access token was refused too: the secret or the IP whitelist needs a person."""


class _RefreshOnce:
    """One token refresh and one retry per API call (mixed into wechatpy's clients, auto_retry off)."""

    secret_setting = ""  # named in TokenRejected's message

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        try:
            return super()._request(method, url_or_endpoint, **kwargs)  # type: ignore[misc]
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
        try:
            self.fetch_access_token()  # type: ignore[attr-defined]
            kwargs.setdefault("params", {})["access_token"] = self.access_token  # type: ignore[attr-defined]
            for upload in (kwargs.get("files") or {}).values():  # the first attempt read the file
                if isinstance(upload, tuple) and hasattr(upload[1], "seek"):
                    upload[1].seek(0)
            return super()._request(method, url_or_endpoint, **kwargs)  # type: ignore[misc]
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            raise TokenRejected(
                f"WeChat refused a freshly fetched access token ({exc.errcode} {exc.errmsg}); check "
                f"{self.secret_setting} and this server's IP whitelist, then retry the job"
            ) from exc


class _SharedTokenClient(_RefreshOnce):
    """The access token comes from the deployment's shared store (bot.tokens), not per process."""

    shared: SharedToken | None = None
    # (token, lifetime) from the token endpoint; each client class defines it (force: the one in hand was refused)
    _fetch_remote: Callable[[bool], tuple[str, int]]

    @property
    def access_token(self) -> str:
        if self.shared is None:
            return super().access_token  # type: ignore[misc,no-any-return]
        return self.shared.get()

    def fetch_access_token(self) -> None:
        """Called when WeChat rejected the token in hand: one refresh, shared with every process."""
        if self.shared is None:
            self._fetch_remote(force=True)
        else:
            self.shared.refresh()

    def _token_answer(self, response: requests.Response) -> tuple[str, int]:
        """(token, lifetime) from a token endpoint's answer; its errors as WeChatClientException."""
        response.raise_for_status()
        result = response.json()
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self, response=response)
        token, lifetime = result["access_token"], int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, token, lifetime)  # type: ignore[attr-defined]
        self.expires_at = int(time.time()) + lifetime
        return token, lifetime


class _OfficialAccount(_SharedTokenClient, WeChatClient):  # type: ignore[misc]
    secret_setting = "WECHAT_APP_SECRET"

    def __init__(self, cfg: WeChatConfig) -> None:
        super().__init__(cfg.app_id, cfg.app_secret, timeout=10, auto_retry=False)
        self.API_BASE_URL = cfg.api_base.rstrip("/") + "/cgi-bin/"

    def _fetch_remote(self, force: bool) -> tuple[str, int]:
        # The stable token: the same token until it nearly expires, and fetching it never knocks out
        # the token of the bureau's other systems on this account, as /cgi-bin/token would.
        return self._token_answer(self._http.post(self.API_BASE_URL + "stable_token", timeout=self.timeout, json={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret, "force_refresh": force}))


class _WeComApp(_SharedTokenClient, WeComClient):  # type: ignore[misc]
    secret_setting = "WECOM_SECRET"

    def __init__(self, cfg: WeComConfig) -> None:
        super().__init__(cfg.corp_id, cfg.secret, timeout=10, auto_retry=False)
        self.API_BASE_URL = cfg.api_base.rstrip("/") + "/cgi-bin/"

    def _fetch_remote(self, force: bool) -> tuple[str, int]:
        # WeCom's gettoken returns the valid token again rather than replacing it, so no force is needed
        return self._token_answer(self._http.get(self.API_BASE_URL + "gettoken", timeout=self.timeout,
                                                 params={"corpid": self.corp_id, "corpsecret": self.secret}))


def official_account(cfg: WeChatConfig) -> WeChatClient:
    if not (cfg.app_id and cfg.app_secret):
        raise RuntimeError("WECHAT_APP_ID and WECHAT_APP_SECRET are needed to send messages to residents")
    return _official_account(cfg, shared_sessions())


def wecom_app(cfg: WeComConfig) -> WeComClient:
    if not (cfg.corp_id and cfg.secret and cfg.agent_id):
        raise RuntimeError("WECOM_CORP_ID, WECOM_SECRET and WECOM_AGENT_ID are needed to message staff")
    return _wecom_app(cfg, shared_sessions())


@cache
def _official_account(cfg: WeChatConfig, sessions: sessionmaker[Session] | None) -> WeChatClient:
    return _with_shared_token(_OfficialAccount(cfg), f"mp:{cfg.app_id}", sessions)


@cache
def _wecom_app(cfg: WeComConfig, sessions: sessionmaker[Session] | None) -> WeComClient:
    return _with_shared_token(_WeComApp(cfg), f"work:{cfg.corp_id}:{cfg.agent_id}", sessions)


def _with_shared_token(client: _SharedTokenClient, app_key: str,
                       sessions: sessionmaker[Session] | None) -> _SharedTokenClient:
    if sessions is not None:
        client.shared = SharedToken(sessions, app_key, client._fetch_remote)
    return client


def send_text(config: Config, channel: str, to: str, text: str) -> None:
    if channel == CHANNEL_MP:
        official_account(config.wechat).message.send_text(to, text)
    elif channel == CHANNEL_WORK:
        wecom_app(config.wecom).message.send_text(config.wecom.agent_id, to, text)
    else:
        raise ValueError(f"unknown channel {channel!r}")


# Temporary image media may be at most 10 MB on both platforms (WeCom also at least 5 bytes).
MAX_IMAGE_BYTES = 10 * 1024 * 1024


def send_image(config: Config, channel: str, to: str, data: bytes, filename: str) -> None:
    """Upload the image as temporary media, then send it: two API calls, as WeChat requires."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"{filename}: {len(data)} bytes, more than WeChat's {MAX_IMAGE_BYTES} for an image")
    upload = (filename, io.BytesIO(data), mimetypes.guess_type(filename)[0] or "application/octet-stream")
    if channel == CHANNEL_MP:
        client = official_account(config.wechat)
        client.message.send_image(to, client.media.upload("image", upload)["media_id"])
    elif channel == CHANNEL_WORK:
        client = wecom_app(config.wecom)
        client.message.send_image(config.wecom.agent_id, to, client.media.upload("image", upload)["media_id"])
    else:
        raise ValueError(f"unknown channel {channel!r}")


# Answers that are about the request, not the media: retrying later can succeed (busy, limit; token
# errors only reach here when _RefreshOnce did not raise TokenRejected).
_RETRYABLE_ERRORS = TOKEN_ERRORS | {-1, 45009}


def download_media(config: Config, channel: str, media_id: str) -> bytes:
    """media/get through the client: the configured API base and one refetch of an expired token
    (wechatpy's WeCom `media.download` hard-codes the public host and skips both)."""
    client = official_account(config.wechat) if channel == CHANNEL_MP else wecom_app(config.wecom)
    try:
        response = client.get("media/get", params={"media_id": media_id})
    except WeChatClientException as exc:
        if exc.errcode is None or exc.errcode in _RETRYABLE_ERRORS:
            raise
        raise MediaGone(f"{exc.errcode}: {exc.errmsg}") from None
    return bytes(response.content)


class MediaGone(Exception):
    """The media id is unknown or expired (temporary media live three days)."""
