"""notice.resident: tell the resident who reported a case about it, choosing the channel at send time.

1. Inside WeChat's 48-hour window and under its quota: a customer-service message (the rating question as
   msgmenu; the closure notice with the rectification photo).
2. Otherwise a subscription notification (bizsend) if the resident consented (one message per consent).
3. Otherwise a template message, if the deployment configured one for this notice.
4. Otherwise the job is parked with the reasons each channel gave (`chengguan notices stuck`).

45015/45047 (window closed, quota used) and 43101 (the resident refused) move on to the next channel.
A closure notice sent by template or subscription carries the rating question (residents answer by
typing 1-3); one sent in the window queues the msgmenu question as the next notice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, NoReturn

import requests
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from bot import outbound, photostore
from bot.redaction.store import existing_copy, make_copy
from bot.config import Config
from bot.notices.content import LABELS, Notice, render, template_data
from bot.notices.queue import UNDELIVERABLE_PREFIX, queue_notice
from bot.notices.settings import Template
from bot.redaction.links import RESIDENT, NotRedactedYet
from bot.uplink.media import photo_url
from bot.worker import JobContext, PermanentJobError, RetryLater
from models import Case, Photo, utcnow
from models.reach import MESSAGES_PER_EVENT, MESSAGES_PER_INBOUND, count_sent, give_back_consent, reach_of, take_consent

log = logging.getLogger(__name__)

WINDOW_CODES = {45015: "已超过48小时窗口", 45047: "已达5条上限"}
REFUSED = 43101
# Answers after which another channel may still work (the message was not sent on this one).
NEXT_CHANNEL_CODES = {**WINDOW_CODES, REFUSED: "居民拒收", 40037: "模板ID无效", 47003: "模板参数不合要求"}
TIMED_OUT = "发送超时, 可能已送达。确认居民未收到后运行 chengguan jobs retry {job_id} 重发"
UNDELIVERABLE = UNDELIVERABLE_PREFIX + "{tried}。居民再次发消息时自动重发 (或运行 chengguan jobs retry {job_id})"


def deliver_notice(ctx: JobContext, payload: dict[str, Any]) -> None:
    session, config, openid = ctx.session, ctx.service.config, payload["to"]
    case = session.get(Case, payload["case_id"])
    if case is None:
        return
    if payload["notice"] == "rating" and (case.feedback_asked_at is not None or case.satisfaction is not None):
        return  # the closure notice asked already
    notice = render(session, case, payload["notice"], payload.get("reason", ""))
    link = _link(session, config, notice)  # minted before mark_sending commits: the same link on a retry
    ctx.mark_sending()
    tried: list[str] = []
    try:
        if _customer_service(ctx, config, openid, notice, tried):
            if notice.kind == "closed":  # the question follows as tappable choices
                queue_notice(session, "rating", case, openid)
            if notice.kind == "rating":
                _asked(ctx, case.id)
            return
        if _subscription(ctx, config, openid, notice, link, tried) or _template(config, openid, notice, link, tried):
            if notice.asks_rating:  # this shape carries the question: residents answer by typing 1-3
                _asked(ctx, case.id)
            return
    except requests.ReadTimeout as exc:  # sent, perhaps: the answer did not come
        raise PermanentJobError(TIMED_OUT.format(job_id=ctx.job_id)) from exc
    raise PermanentJobError(UNDELIVERABLE.format(tried="; ".join(tried), job_id=ctx.job_id))


def _asked(ctx: JobContext, case_id: int) -> None:
    """The rating question reached the resident: their next 1-3 is its answer."""
    ctx.session.get_one(Case, case_id).feedback_asked_at = utcnow()


def _customer_service(ctx: JobContext, config: Config, openid: str, notice: Notice, tried: list[str]) -> bool:
    reach = reach_of(ctx.session, openid)
    _release(ctx)
    if not reach.window_left(utcnow(), notice.messages):
        in_window = reach.window_left(utcnow(), 0)
        tried.append("客服消息: " + ("本次来信后已发满条数" if in_window else "居民48小时内未发消息"))
        return False
    client = outbound.official_account(config.wechat)
    try:
        if notice.menu is not None:
            client.message.send_msg_menu(openid, notice.menu)
        else:
            client.message.send_text(openid, notice.text)
    except WeChatClientException as exc:
        if exc.errcode not in WINDOW_CODES:
            _refuse_or_reraise(exc)
        reach.sent_since_inbound, reach.sent_since_event = MESSAGES_PER_INBOUND, MESSAGES_PER_EVENT  # WeChat says shut
        ctx.session.commit()
        tried.append(f"客服消息: {WINDOW_CODES[exc.errcode]} ({exc.errcode})")
        return False
    count_sent(ctx.session, reach, utcnow())
    ctx.session.commit()  # counted even if what follows fails
    if notice.photo_id is not None:
        _send_photo(ctx, config, openid, notice.photo_id)
    return True


def _send_photo(ctx: JobContext, config: Config, openid: str, photo_id: int) -> None:
    """The rectification photo's redacted copy after the closure text (others' faces and plates blurred, no EXIF);
    the notice counts as delivered without it."""
    _release(ctx)
    try:
        make_copy(ctx.service, photo_id)  # usually made already by bot.open311.read_links
        copy = existing_copy(ctx.session, photo_id)
        if copy is None or not copy.storage_path:
            return  # it could not be redacted: it does not leave the service
        data = photostore.store_for(config).get(copy.storage_path)
        outbound.send_image(config, "mp", openid, data, filename=copy.storage_path.rsplit("/", 1)[-1])
    except (WeChatClientException, ValueError, OSError) as exc:
        log.warning("closure photo %s not sent to a resident: %s", photo_id, exc)
        return
    count_sent(ctx.session, reach_of(ctx.session, openid), utcnow())
    ctx.session.commit()


def _subscription(ctx: JobContext, config: Config, openid: str, notice: Notice, link: str | None,
                  tried: list[str]) -> bool:
    template = config.notices.subscribe
    if template is None:
        tried.append("订阅通知: 未配置 (WECHAT_SUBSCRIBE_TEMPLATE_ID)")
        return False
    if not take_consent(ctx.session, openid):
        tried.append("订阅通知: 居民未订阅")
        return False
    _release(ctx)  # the consent is spent unless WeChat refuses the message
    try:
        outbound.official_account(config.wechat).message.send_subscribe_message(
            openid, template.template_id, _data(template, notice), page=link)
    except WeChatClientException as exc:
        if exc.errcode == REFUSED:  # WeChat holds no consent for them: ours are void
            reach_of(ctx.session, openid).consents = 0
        else:  # not sent: the consent is still theirs
            give_back_consent(ctx.session, openid)
        ctx.session.commit()
        if exc.errcode not in NEXT_CHANNEL_CODES:
            _refuse_or_reraise(exc)
        tried.append(f"订阅通知: {NEXT_CHANNEL_CODES[exc.errcode]} ({exc.errcode})")
        return False
    except requests.RequestException:
        give_back_consent(ctx.session, openid)  # not sent (a timeout is parked as maybe-sent by the caller)
        ctx.session.commit()
        raise
    return True


def _template(config: Config, openid: str, notice: Notice, link: str | None, tried: list[str]) -> bool:
    template = config.notices.templates.get(notice.kind)
    if template is None:
        tried.append(f"模板消息: 未配置「{LABELS[notice.kind]}」模板 (WECHAT_TEMPLATES)")
        return False
    try:
        outbound.official_account(config.wechat).message.send_template(
            openid, template.template_id, _data(template, notice), url=link)
    except WeChatClientException as exc:
        if exc.errcode not in NEXT_CHANNEL_CODES:
            _refuse_or_reraise(exc)
        tried.append(f"模板消息: {NEXT_CHANNEL_CODES[exc.errcode]} ({exc.errcode})")
        return False
    return True


def _release(ctx: JobContext) -> None:
    """Commit before an API call: no transaction (on SQLite, no connection of the one there is) is held
    through HTTP, and the token store needs one. Loaded rows stay usable (expire_on_commit=False)."""
    ctx.session.commit()


def _data(template: Template, notice: Notice) -> dict[str, dict[str, str]]:
    return template_data(template.fields, notice.values)


def _link(session: Session, config: Config, notice: Notice) -> str | None:
    """The rectification photo's redacted copy behind its link, when the service has a public address."""
    photo = session.get(Photo, notice.photo_id) if notice.photo_id is not None else None
    if photo is None or not config.platform.public_url:
        return None
    try:
        return photo_url(session, config, photo, RESIDENT)
    except NotRedactedYet as exc:  # made within a minute by bot.open311.read_links
        raise RetryLater("照片脱敏中, 稍后发送", timedelta(seconds=30)) from exc


def _refuse_or_reraise(exc: WeChatClientException) -> NoReturn:
    """An answer no other channel changes (the resident unfollowed, a bad openid) parks the notice."""
    from bot.tasks.notify import HOPELESS

    if exc.errcode in HOPELESS:
        raise PermanentJobError(f"微信拒绝了通知: {exc.errcode} {exc.errmsg}") from exc
    raise exc
