"""A simulated WeChat user: builds the XML WeChat would POST, signs (and encrypts) it, reads the reply."""

from __future__ import annotations

import hashlib
import itertools
import random
import secrets
import time
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any, Protocol
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET
import httpx
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto


def sign(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    """WeChat's signature: sha1 of the sorted token, timestamp, nonce (and ciphertext)."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, *extra])).encode()).hexdigest()


def fresh_signing_values(timestamp: int | None = None) -> tuple[str, str]:
    """The timestamp (now unless given) and a new random nonce for one callback."""
    return str(int(time.time()) if timestamp is None else timestamp), str(secrets.randbelow(10**10))


class Poster(Protocol):
    """What a simulated user needs of an HTTP client: httpx.Client has it; the webhook benchmark
    passes a lighter one."""

    def post(self, url: str, *, params: dict[str, str], content: bytes, headers: dict[str, str]) -> Any: ...


@dataclass
class Reply:
    status: int
    text: str | None  # the passive reply's Content, None for "success"/empty
    raw: str


class WeChatUser:
    def __init__(
        self, base_url: str, token: str, openid: str, *, aes_key: str = "", app_id: str = "wxsimulator",
        account: str = "gh_simulator", http: Poster | None = None, on_send: Callable[[str, str], None] | None = None,
    ) -> None:
        """`on_send(openid, event)` is called as each message (event "") or event leaves: the stand-in API (FakeWeChatAPI.user_wrote)
        opens the user's customer-service window from it, as WeChat does."""
        self.url = base_url.rstrip("/") + "/wechat/mp"
        self.token, self.openid, self.account = token, openid, account
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self.http: Poster = http or httpx.Client(timeout=10)
        self._msg_ids = itertools.count(random.randrange(10**15, 10**16))
        self.on_send = on_send

    def send_text(self, text: str) -> Reply:
        return self.send("text", f"<Content><![CDATA[{text}]]></Content>")

    def tap_menu(self, menu_id: str, content: str) -> Reply:
        """Tap a msgmenu choice: WeChat sends its text, with the choice's id as bizmsgmenuid."""
        return self.send("text", f"<Content><![CDATA[{content}]]></Content><bizmsgmenuid>{escape(menu_id)}</bizmsgmenuid>")

    def send_image(self, pic_url: str, media_id: str) -> Reply:
        return self.send("image", f"<PicUrl><![CDATA[{pic_url}]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>")

    def send_location(self, lat: float, lon: float, label: str = "") -> Reply:
        body = (f"<Location_X>{lat}</Location_X><Location_Y>{lon}</Location_Y><Scale>16</Scale>"
                f"<Label><![CDATA[{label}]]></Label>")
        return self.send("location", body)

    def send_event(self, event: str, key: str = "") -> Reply:
        if self.on_send is not None:
            self.on_send(self.openid, event)
        return self.post(self.message_xml("event", f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>", msg_id=False))

    def message_xml(self, msg_type: str, body: str, *, msg_id: bool = True, create_time: int | None = None) -> str:
        id_part = f"<MsgId>{next(self._msg_ids)}</MsgId>" if msg_id else ""
        return (
            f"<xml><ToUserName><![CDATA[{escape(self.account)}]]></ToUserName>"
            f"<FromUserName><![CDATA[{escape(self.openid)}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
            f"<MsgType><![CDATA[{msg_type}]]></MsgType>{body}{id_part}</xml>"
        )

    def send(self, msg_type: str, body: str, *, msg_id: bool = True) -> Reply:
        if self.on_send is not None:
            self.on_send(self.openid, "")
        return self.post(self.message_xml(msg_type, body, msg_id=msg_id))

    def post(self, xml: str, *, signature: str | None = None, timestamp: int | None = None) -> Reply:
        """POST one message as WeChat does (a retry is the same xml posted again), signed now with a
        fresh nonce (the service refuses stale timestamps and reused signatures) or at `timestamp`."""
        timestamp, nonce = fresh_signing_values(timestamp)
        params = {"timestamp": timestamp, "nonce": nonce, "openid": self.openid}
        params["signature"] = signature if signature is not None else sign(self.token, timestamp, nonce)
        data = xml.encode()
        if self.crypto is not None:
            data = self.crypto.encrypt_message(xml, nonce, timestamp).encode()
            params["encrypt_type"] = "aes"
            params["msg_signature"] = SafeET.fromstring(data).findtext("MsgSignature") or ""
        response = self.http.post(self.url, params=params, content=data, headers={"Content-Type": "text/xml"})
        return Reply(response.status_code, self._content(response), response.text)

    def _content(self, response: Any) -> str | None:
        if response.status_code != 200 or not response.text.strip().startswith("<xml"):
            return None
        xml = response.text
        if self.crypto is not None:
            outer = SafeET.fromstring(xml)
            xml = self.crypto.decrypt_message(
                xml, outer.findtext("MsgSignature"), outer.findtext("TimeStamp"), outer.findtext("Nonce")
            )
        return SafeET.fromstring(xml).findtext("Content")


class WeComUser(WeChatUser):
    """A staff member writing to the WeCom app: always encrypted, signed with msg_signature."""

    def __init__(
        self, base_url: str, token: str, aes_key: str, corp_id: str, userid: str, *, agent_id: str = "1000002",
        http: Poster | None = None,
    ) -> None:
        super().__init__(base_url, token, userid, http=http, account=corp_id)
        self.url = base_url.rstrip("/") + "/wechat/work"
        self.crypto = WeComCrypto(token, aes_key, corp_id)
        self.agent_id = agent_id

    def message_xml(self, msg_type: str, body: str, *, msg_id: bool = True, create_time: int | None = None) -> str:
        xml = super().message_xml(msg_type, body, msg_id=msg_id, create_time=create_time)
        return xml.replace("</xml>", f"<AgentID>{self.agent_id}</AgentID></xml>")

    def tap_card(self, task_id: str, key: str, response_code: str) -> Reply:
        """Tap a template card's button: WeCom's template_card_event, with a ResponseCode of its own."""
        body = (f"<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
                f"<TaskId><![CDATA[{task_id}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType>"
                f"<ResponseCode><![CDATA[{response_code}]]></ResponseCode>")
        return self.post(self.message_xml("event", body, msg_id=False))

    def post(self, xml: str, *, signature: str | None = None, timestamp: int | None = None) -> Reply:
        timestamp, nonce = fresh_signing_values(timestamp)
        data = self.crypto.encrypt_message(xml, nonce, timestamp).encode()
        msg_signature = SafeET.fromstring(data).findtext("MsgSignature") or ""
        params = {"msg_signature": signature if signature is not None else msg_signature,
                  "timestamp": timestamp, "nonce": nonce}
        response = self.http.post(self.url, params=params, content=data, headers={"Content-Type": "text/xml"})
        return Reply(response.status_code, self._content(response), response.text)
