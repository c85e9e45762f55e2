"""The steps both WeChat callbacks share: read a body that may be encrypted, parse it safely,
dispatch it, and render (and encrypt) the passive reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext

from flask import Response, abort, request
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.channels.freshness import Signed
from bot.channels.reply_xml import text_reply
from bot.channels.xml import BadMessage, parsed, text_field, to_inbound
from bot.dispatcher import current_dispatcher
from bot.service import current_service
from bot.webqueue import HELD
from models.nonces import Delivery, ReplayedDelivery

log = logging.getLogger(__name__)

Decrypt = Callable[[bytes], bytes]
Encrypt = Callable[[str], str]


# A message that is not from WeChat (or not for us): answered 403, nothing stored.
AUTHENTICATION_ERRORS = (InvalidSignatureException, InvalidAppIdException, InvalidCorpIdException)


def handle_post(channel: str, decrypt: Decrypt | None, encrypt: Encrypt | None,
                *, unsigned_body: Signed | None = None) -> Response:
    """`unsigned_body`: the signature does not cover the body (plain mode), so it may be used once."""
    body = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before we read it
    delivery = unsigned_body.delivery(channel, body) if unsigned_body is not None else None
    # see bot.db.webhook_concurrency; a server process queues callbacks for it before Flask (bot.webqueue)
    with nullcontext() if request.environ.get(HELD) else current_service().webhook_slots:
        try:
            return _handle(channel, body, decrypt, encrypt, delivery)
        except ReplayedDelivery:
            log.warning("refused a replayed %s callback (signature already used for another body)", channel)
            abort(403, "callback signature already used")


def _handle(channel: str, body: bytes, decrypt: Decrypt | None,
            encrypt: Encrypt | None, delivery: Delivery | None) -> Response:
    try:
        if decrypt is not None:
            body = _decrypted(decrypt, body)
        fields = parsed(body)
        inbound = to_inbound(channel, fields)
        account = text_field(fields, "ToUserName")  # ours: the reply comes from it
    except BadMessage as exc:
        log.info("refused a malformed %s message: %s", channel, exc)
        abort(400)
    except (ValueError, TypeError) as exc:
        log.info("refused an unreadable %s message: %s", channel, type(exc).__name__)
        abort(400)

    text = current_dispatcher().handle(inbound, delivery)
    if not text:
        return Response("success", content_type="text/plain")  # WeChat's "received, no reply"
    xml = text_reply(text, sender=account, recipient=inbound.sender)
    if encrypt is not None:
        xml = encrypt(xml)
    return Response(xml, content_type="application/xml; charset=utf-8")


def _decrypted(decrypt: Decrypt, body: bytes) -> bytes:
    try:
        return decrypt(body)
    except AUTHENTICATION_ERRORS:
        abort(403)
    except Exception as exc:  # a wrong key gives garbage that fails to unpad or decode: not authentic
        log.info("could not decrypt a message: %s", type(exc).__name__)
        abort(403)
