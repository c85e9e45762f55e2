"""A stand-in for WeChat's and WeCom's HTTP APIs on loopback: access tokens, customer-service and app
messages (recorded, so a simulator or a test can read what the service pushed), app-chat messages,
subscription notifications and template messages, media download and PicUrl hosting. It speaks the real
endpoints and JSON shapes; it is not reachable from outside. It refuses what the real APIs refuse: a token
of the other API (an Official Account token on WeCom's message/send), an unknown token (40014), an expired
one (42001: tokens live `token_seconds`, and `expire_tokens()` ends them early, as a token fetched
elsewhere does), an app message whose agentid is not the app's (40056), an app chat that does not exist
(86003).

It keeps WeChat's delivery rules for residents: customer-service messages only within 48 hours of the
user's last message (45015) and at most 5 per message (45047); 3 within a minute of a menu click,
follow or scan; so simulated users tell it when they write (`user_wrote`); bizsend only after the user's
consent, one message each (43101); template messages only with a template id the account has (40037).
WeCom's template cards and per-member limits are kept by `cards` (bot.simulator.cards_desk)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Flask, Response, jsonify, request

from bot.simulator.cards_desk import CardDesk
from bot.simulator.serving import serving

MP, WECOM = "mp", "wecom"  # whose token: the Official Account's or the WeCom app's


WINDOW_SECONDS = 48 * 3600
MESSAGES_PER_INBOUND = 5
EVENT_WINDOW_SECONDS = 60  # after a menu click, follow or scan
MESSAGES_PER_EVENT = 3
WINDOW_EVENTS = frozenset({"CLICK", "subscribe", "SCAN", "scancode_push", "scancode_waitmsg"})


@dataclass
class Pushed:
    to: str
    text: str
    raw: dict[str, Any]
    kind: str = "text"  # text | msgmenu | bizsend | template (and the WeCom kinds)


@dataclass
class FakeWeChatAPI:
    app_id: str = "wxsimulator"
    app_secret: str = "simulator-secret"
    corp_id: str = "wwsimulator"
    corp_secret: str = "simulator-corp-secret"
    agent_id: str = "1000002"
    token_seconds: float = 7200.0
    media: dict[str, bytes] = field(default_factory=dict)
    pushed: list[Pushed] = field(default_factory=list)  # text messages
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (to, image bytes) of image messages
    chats: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # app chat id -> messages sent to it
    fail_pic_urls: bool = False  # make PicUrl downloads fail, to exercise the media API fallback
    reject_all_tokens: bool = False  # answer 40001 (invalid credential) to every call with a token
    token_fetches: int = 0  # calls to /cgi-bin/token, /cgi-bin/stable_token and /cgi-bin/gettoken
    tokens_issued: dict[str, int] = field(default_factory=lambda: {MP: 0, WECOM: 0})  # per API
    issued_tokens: list[str] = field(default_factory=list)
    fail_calls_with: int = 0  # an HTTP status to answer every call but the token fetch with (0: off)
    templates: set[str] = field(default_factory=set)  # template-message ids the account has added
    menu: dict[str, Any] | None = None  # the menu last created with /cgi-bin/menu/create
    consents: dict[tuple[str, str], int] = field(default_factory=dict)  # (openid, template id) -> messages allowed
    last_wrote: dict[str, float] = field(default_factory=dict)  # openid -> when they last wrote (epoch)
    sent_since: dict[str, int] = field(default_factory=dict)  # openid -> customer-service messages since
    last_event: dict[str, float] = field(default_factory=dict)  # openid -> last click, follow or scan
    sent_since_event: dict[str, int] = field(default_factory=dict)
    cards: CardDesk = field(default_factory=CardDesk)  # template cards and per-member limits (app messages)
    base_url: str = ""
    sign_in_as: str = ""  # the WeCom member whose phone approves the next 网页授权 / 扫码登录 (empty: nobody)
    _login_codes: dict[str, tuple[str, float]] = field(default_factory=dict)  # code -> (userid, expires at)
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (MP or WECOM, expires at)
    _stable: str = ""
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def add_media(self, data: bytes) -> tuple[str, str]:
        """Host an image; returns (PicUrl, MediaId) as WeChat would put them in a message."""
        media_id = secrets.token_urlsafe(12)
        self.media[media_id] = data
        return f"{self.base_url}/pic/{media_id}", media_id

    def add_chat(self, chat_id: str) -> str:
        """An app chat (appchat/create on the real service); messages sent to it are kept in `chats`."""
        self.chats.setdefault(chat_id, [])
        return chat_id

    def expire_tokens(self) -> None:
        """Every token issued so far answers 42001 from now on (as after a fetch elsewhere)."""
        with self._changed:
            self._tokens = {token: (scope, 0.0) for token, (scope, _) in self._tokens.items()}

    def user_wrote(self, openid: str, event: str = "", at: float | None = None) -> None:
        """The user sent a message now (or at `at`): a 48-hour window with 5 messages; or an `event`
        (as in its XML: CLICK, subscribe, SCAN…): a window of one minute and 3 messages, for those that open one."""
        with self._changed:
            when = time.time() if at is None else at
            if not event:
                self.last_wrote[openid], self.sent_since[openid] = when, 0
            elif event in WINDOW_EVENTS:
                self.last_event[openid], self.sent_since_event[openid] = when, 0

    def authorise(self, openid: str, authorise_url: str, action: str = "confirm") -> str:
        """The user opens a subscribemsg authorise URL and taps 允许 (confirm) or 取消 (cancel): consent is
        recorded, and the redirect WeChat then sends the user's browser to is returned."""
        query = parse_qs(urlsplit(authorise_url).query)
        one = {key: values[0] for key, values in query.items()}
        if one.get("action") != "get_confirm" or one.get("appid") != self.app_id:
            raise ValueError(f"not a subscribemsg authorise URL of {self.app_id}: {authorise_url}")
        if action == "confirm":
            key = (openid, one["template_id"])
            self.consents[key] = self.consents.get(key, 0) + 1
        back = {"openid": openid, "template_id": one["template_id"], "action": action,
                "scene": one.get("scene", ""), "reserved": one.get("reserved", "")}
        return f"{one['redirect_url']}?{urlencode(back)}"

    def pushed_to(self, user: str, kind: str | None = None) -> list[Pushed]:
        return [p for p in self.pushed if p.to == user and (kind is None or p.kind == kind)]

    def images_to(self, user: str) -> list[bytes]:
        return [data for to, data in self.images if to == user]

    def messages_to(self, user: str) -> list[str]:
        return [p.text for p in self.pushed if p.to == user]

    def wait_for_message(self, user: str, count: int = 1, timeout: float = 15.0) -> list[str]:
        """Block until `user` has received `count` pushed messages; returns them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages_to(user)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{user} got {self.messages_to(user)}, expected {count} message(s)")
                self._changed.wait(left)
        return self.messages_to(user)

    def app(self) -> Flask:
        app = Flask("fake_wechat_api")
        app.add_url_rule("/cgi-bin/token", view_func=self._token)
        app.add_url_rule("/cgi-bin/stable_token", view_func=self._stable_token, methods=["POST"])
        app.add_url_rule("/cgi-bin/gettoken", view_func=self._wecom_token)
        app.add_url_rule("/cgi-bin/message/custom/send", view_func=self._custom_send, methods=["POST"])
        app.add_url_rule("/cgi-bin/menu/create", view_func=self._menu_create, methods=["POST"])
        app.add_url_rule("/cgi-bin/message/subscribe/bizsend", view_func=self._bizsend, methods=["POST"])
        app.add_url_rule("/cgi-bin/message/template/send", view_func=self._template_send, methods=["POST"])
        app.add_url_rule("/cgi-bin/message/send", view_func=self._app_send, methods=["POST"])
        app.add_url_rule("/cgi-bin/message/update_template_card", view_func=self._update_card, methods=["POST"])
        app.add_url_rule("/cgi-bin/appchat/send", view_func=self._appchat_send, methods=["POST"])
        app.add_url_rule("/cgi-bin/media/get", view_func=self._media_get)
        app.add_url_rule("/cgi-bin/media/upload", view_func=self._media_upload, methods=["POST"])
        app.add_url_rule("/pic/<media_id>", view_func=self._pic)
        app.add_url_rule("/connect/oauth2/authorize", view_func=self._oauth_authorize)
        app.add_url_rule("/wwlogin/sso/login", view_func=self._sso_login)
        app.add_url_rule("/cgi-bin/auth/getuserinfo", view_func=self._getuserinfo)
        app.before_request(self._failing)
        return app

    def _failing(self) -> Response | None:
        if self.fail_calls_with and request.path not in ("/cgi-bin/token", "/cgi-bin/stable_token", "/cgi-bin/gettoken"):
            return Response("server error", status=self.fail_calls_with)
        return None

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (40014), as another system fetching a new one does after 5 minutes."""
        with self._changed:
            self._tokens.clear()

    def _issue_token(self, scope: str) -> Response:
        token = secrets.token_hex(16)
        with self._changed:
            self._tokens[token] = (scope, time.monotonic() + self.token_seconds)
            self.tokens_issued[scope] += 1
            self.issued_tokens.append(token)
        return jsonify(access_token=token, expires_in=int(self.token_seconds))

    def _token(self) -> Response:
        """The plain token API: a new token that knocks out the account's earlier ones (WeChat keeps them
        5 more minutes; the stand-in is stricter), stable or not."""
        self.token_fetches += 1
        if (request.args.get("appid"), request.args.get("secret")) != (self.app_id, self.app_secret):
            return jsonify(errcode=40013, errmsg="invalid appid")
        with self._changed:
            self._tokens = {token: held for token, held in self._tokens.items() if held[0] != MP}
        return self._issue_token(MP)

    def _stable_token(self) -> Response:
        """The same token until it expires, is knocked out, or a forced refresh asks for a new one."""
        self.token_fetches += 1
        body = request.get_json(force=True, silent=True) or {}
        if (body.get("appid"), body.get("secret")) != (self.app_id, self.app_secret):
            return jsonify(errcode=40013, errmsg="invalid appid")
        with self._changed:
            _, expires = self._tokens.get(self._stable, ("", 0.0))
        if time.monotonic() < expires and not body.get("force_refresh"):
            return jsonify(access_token=self._stable, expires_in=int(expires - time.monotonic()))
        answer = self._issue_token(MP)
        self._stable = answer.get_json()["access_token"]
        return answer

    def _wecom_token(self) -> Response:
        self.token_fetches += 1
        if (request.args.get("corpid"), request.args.get("corpsecret")) != (self.corp_id, self.corp_secret):
            return jsonify(errcode=40001, errmsg="invalid credential")
        return self._issue_token(WECOM)

    def _refused_token(self, *scopes: str) -> Response | None:
        """None for a live token of one of `scopes`, else the error the real API answers."""
        if self.reject_all_tokens:
            return jsonify(errcode=40001, errmsg="invalid credential, access_token is invalid or not latest")
        with self._changed:
            scope, expires = self._tokens.get(request.args.get("access_token", ""), ("", 0.0))
        if scope not in scopes:
            return jsonify(errcode=40014, errmsg="invalid access_token")
        if time.monotonic() >= expires:
            return jsonify(errcode=42001, errmsg="access_token expired")
        return None

    def _record(self, to: str, text: str, kind: str = "text") -> None:
        with self._changed:
            self.pushed.append(Pushed(to, text, request.get_json(force=True), kind))
            self._changed.notify_all()

    def _window_refusal(self, openid: str) -> Response | None:
        """45015 outside the 48 hours after the user's last message, 45047 after 5 messages within them."""
        with self._changed:
            now, wrote, acted = time.time(), self.last_wrote.get(openid), self.last_event.get(openid)
            if acted is not None and now - acted < EVENT_WINDOW_SECONDS and self.sent_since_event.get(openid, 0) < MESSAGES_PER_EVENT:
                self.sent_since_event[openid] = self.sent_since_event.get(openid, 0) + 1
                return None
            if wrote is None or now - wrote >= WINDOW_SECONDS:
                if acted is not None and now - acted < EVENT_WINDOW_SECONDS:
                    return jsonify(errcode=45047, errmsg="out of response count limit")
                return jsonify(errcode=45015, errmsg="response out of time limit or subscription is canceled")
            if self.sent_since.get(openid, 0) >= MESSAGES_PER_INBOUND:
                return jsonify(errcode=45047, errmsg="out of response count limit")
            self.sent_since[openid] = self.sent_since.get(openid, 0) + 1
        return None

    def _record_image(self, to: str, media_id: str) -> Response | None:
        if media_id not in self.media:
            return jsonify(errcode=40007, errmsg="invalid media_id")
        with self._changed:
            self.images.append((to, self.media[media_id]))
            self._changed.notify_all()
        return None

    def _custom_send(self) -> Response:
        if refused := self._refused_token(MP):
            return refused
        body = request.get_json(force=True)
        if body.get("msgtype") == "image" and body["image"].get("media_id") not in self.media:
            return jsonify(errcode=40007, errmsg="invalid media_id")
        if refused := self._window_refusal(str(body.get("touser", ""))):
            return refused
        if body.get("msgtype") == "image":
            return self._record_image(body["touser"], body["image"]["media_id"]) or jsonify(errcode=0, errmsg="ok")
        if body.get("msgtype") == "msgmenu":
            menu = body.get("msgmenu", {})
            lines = [menu.get("head_content", ""), *(f"[{item['id']}] {item['content']}" for item in menu.get("list", [])),
                     menu.get("tail_content", "")]
            self._record(body["touser"], "\n".join(filter(None, lines)), "msgmenu")
            return jsonify(errcode=0, errmsg="ok")
        self._record(body["touser"], body.get("text", {}).get("content", f"[{body.get('msgtype')}]"))
        return jsonify(errcode=0, errmsg="ok")

    def _menu_create(self) -> Response:
        """The account's one menu, replaced; WeChat's 40016 for more than 3 buttons."""
        if refused := self._refused_token(MP):
            return refused
        body = request.get_json(force=True)
        if not 1 <= len(body.get("button", [])) <= 3:
            return jsonify(errcode=40016, errmsg="invalid button size")
        self.menu = body
        return jsonify(errcode=0, errmsg="ok")

    def _bizsend(self) -> Response:
        """订阅通知: one message per consent the user gave for this template (43101 without)."""
        if refused := self._refused_token(MP):
            return refused
        body = request.get_json(force=True)
        key = (str(body.get("touser", "")), str(body.get("template_id", "")))
        with self._changed:
            if self.consents.get(key, 0) <= 0:
                return jsonify(errcode=43101, errmsg="user refuse to accept the msg")
            self.consents[key] -= 1
        self._record(key[0], _rendered(body), "bizsend")
        return jsonify(errcode=0, errmsg="ok")

    def _template_send(self) -> Response:
        """模板消息: only with a template id the account has added (40037 otherwise)."""
        if refused := self._refused_token(MP):
            return refused
        body = request.get_json(force=True)
        if body.get("template_id") not in self.templates:
            return jsonify(errcode=40037, errmsg="invalid template_id")
        self._record(str(body.get("touser", "")), _rendered(body), "template")
        return jsonify(errcode=0, errmsg="ok", msgid=secrets.randbelow(10**12))

    def _app_send(self) -> Response:
        if refused := self._refused_token(WECOM):
            return refused
        body = request.get_json(force=True)
        if str(body.get("agentid", "")) != self.agent_id:
            return jsonify(errcode=40056, errmsg="invalid agentid")
        users, msgtype = str(body.get("touser", "")).split("|"), str(body.get("msgtype", ""))
        if msgtype == "image" and body["image"].get("media_id") not in self.media:
            return jsonify(errcode=40007, errmsg="invalid media_id")
        if msgtype == "template_card":
            return self._send_card(body, users)
        with self._changed:
            users = [user for user in users if self.cards.delivers(user, msgtype)]  # the rest: silently dropped
        if msgtype == "image":
            for user in users:
                if refused := self._record_image(user, body["image"]["media_id"]):
                    return refused
            return jsonify(errcode=0, errmsg="ok", invaliduser="")
        content = body.get("text", {}).get("content") or body.get("markdown", {}).get("content") or f"[{msgtype}]"
        for user in users:
            self._record(user, content)
        return jsonify(errcode=0, errmsg="ok", invaliduser="")

    def _send_card(self, body: dict[str, Any], users: list[str]) -> Response:
        with self._changed:
            if refusal := self.cards.refusal(body):
                return jsonify(errcode=refusal[0], errmsg=refusal[1])
            card, code = self.cards.record(body, users)
            users = [user for user in users if self.cards.delivers(user, "template_card")]
        for user in users:
            self._record(user, card.text(), "template_card")
        return jsonify(errcode=0, errmsg="ok", invaliduser="", response_code=code)

    def _update_card(self) -> Response:
        if refused := self._refused_token(WECOM):
            return refused
        body = request.get_json(force=True)
        if str(body.get("agentid", "")) != self.agent_id:
            return jsonify(errcode=40056, errmsg="invalid agentid")
        with self._changed:
            errcode, errmsg = self.cards.update(body)
            self._changed.notify_all()
        return jsonify(errcode=errcode, errmsg=errmsg, invaliduser=[])

    def _appchat_send(self) -> Response:
        if refused := self._refused_token(WECOM):
            return refused
        body = request.get_json(force=True)
        chat_id, msgtype = str(body.get("chatid", "")), body.get("msgtype")
        if chat_id not in self.chats:
            return jsonify(errcode=86003, errmsg="chat not found")
        content = body.get(msgtype) if msgtype in ("text", "markdown", "image") else None
        if not isinstance(content, dict) or not (content.get("content") or content.get("media_id")):
            return jsonify(errcode=40008, errmsg="invalid message type")
        if msgtype == "image" and content["media_id"] not in self.media:
            return jsonify(errcode=40007, errmsg="invalid media_id")
        with self._changed:
            self.chats[chat_id].append(body)
            self._changed.notify_all()
        return jsonify(errcode=0, errmsg="ok")

    def _media_upload(self) -> Response:
        if refused := self._refused_token(MP, WECOM):
            return refused
        upload = request.files.get("media")
        if request.args.get("type") != "image" or upload is None or not upload.filename:
            return jsonify(errcode=40004, errmsg="invalid media type or missing media")
        data = upload.read()
        if not 5 <= len(data) <= 10 * 1024 * 1024:
            return jsonify(errcode=40006, errmsg="invalid meida size")
        media_id = secrets.token_urlsafe(12)
        self.media[media_id] = data
        return jsonify(errcode=0, errmsg="ok", type="image", media_id=media_id, created_at=str(int(time.time())))

    def _media_get(self) -> Response:
        if refused := self._refused_token(MP, WECOM):
            return refused
        data = self.media.get(request.args.get("media_id", ""))
        if data is None:
            return jsonify(errcode=40007, errmsg="invalid media_id")
        return Response(data, content_type="image/jpeg")

    def _oauth_authorize(self) -> Response:
        """WeCom's 网页授权 page: silently (snsapi_base) back to redirect_uri with a code and the state."""
        args = request.args
        if args.get("appid") != self.corp_id or args.get("response_type") != "code" or args.get("scope") != "snsapi_base":
            return Response("参数错误: appid / response_type / scope", status=400)
        return self._login_redirect()

    def _sso_login(self) -> Response:
        """WeCom's 扫码登录 page: the member in `sign_in_as` scans and confirms at once."""
        args = request.args
        if (args.get("login_type"), args.get("appid"), args.get("agentid")) != ("CorpApp", self.corp_id, self.agent_id):
            return Response("参数错误: login_type / appid / agentid", status=400)
        return self._login_redirect()

    def _login_redirect(self) -> Response:
        redirect_uri, state = request.args.get("redirect_uri", ""), request.args.get("state", "")
        if not redirect_uri.startswith(("http://", "https://")) or not self.sign_in_as:
            return Response("该链接无法访问", status=400)
        code = secrets.token_urlsafe(24)
        with self._changed:
            self._login_codes[code] = (self.sign_in_as, time.monotonic() + 300)
        return Response(status=302, headers={"Location": f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"})

    def _getuserinfo(self) -> Response:
        """A sign-in code for the member's UserId, once (40029 for an unknown, used or expired code)."""
        if refused := self._refused_token(WECOM):
            return refused
        with self._changed:
            userid, expires = self._login_codes.pop(request.args.get("code", ""), ("", 0.0))
        if not userid or time.monotonic() >= expires:
            return jsonify(errcode=40029, errmsg="invalid code")
        return jsonify(errcode=0, errmsg="ok", userid=userid, user_ticket=secrets.token_hex(8), expires_in=1800)

    def _pic(self, media_id: str) -> Response:
        if self.fail_pic_urls or media_id not in self.media:
            return Response("not found", status=404)
        return Response(self.media[media_id], content_type="image/jpeg")


def _rendered(body: dict[str, Any]) -> str:
    """A template or subscription message as the user reads it: its values, one per line."""
    data = body.get("data") or {}
    lines = [f"{name}: {value.get('value', '')}" for name, value in data.items() if isinstance(value, dict)]
    link = body.get("url") or body.get("page")
    return "\n".join([*lines, *([f"详情: {link}"] if link else [])])


@contextmanager
def running_api(api: FakeWeChatAPI | None = None, port: int = 0) -> Iterator[FakeWeChatAPI]:
    """Serve the stand-in on 127.0.0.1 in a background thread for the duration of the block."""
    api = api or FakeWeChatAPI()
    with serving(api.app(), port, name="fake-wechat-api") as api.base_url:
        yield api
