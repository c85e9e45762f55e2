"""WeChat Official Account callback (residents): GET echo check, POST in plain or safe (AES) mode."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot.channels.xml import BadMessage, ensure_safe_xml, to_inbound
from bot.dispatcher import current_dispatcher
from bot.service import current_service
from models.users import CHANNEL_MP

log = logging.getLogger(__name__)
bp = Blueprint("wechat_mp", __name__)


@bp.route("/wechat/mp", methods=["GET", "POST"])
def callback() -> Response | str:
    service = current_service()
    cfg = service.config.wechat
    if not cfg.token:
        abort(503, "WECHAT_TOKEN is not set")
    args = request.args
    signature, timestamp, nonce = args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", "")
    try:
        check_signature(cfg.token, signature, timestamp, nonce)
    except InvalidSignatureException:
        abort(403)
    if request.method == "GET":
        return args.get("echostr", "")

    body = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413 before we read it
    crypto = WeChatCrypto(cfg.token, cfg.encoding_aes_key, cfg.app_id) if cfg.safe_mode else None
    try:
        ensure_safe_xml(body)
        if crypto is not None:
            body = crypto.decrypt_message(body, args.get("msg_signature", ""), timestamp, nonce).encode()
            ensure_safe_xml(body)
        message = parse_message(body)
        inbound = to_inbound(CHANNEL_MP, message)
    except (InvalidSignatureException, InvalidAppIdException):
        abort(403)
    except (BadMessage, KeyError, ValueError, TypeError) as exc:
        log.info("refused a malformed Official Account message: %s", exc)
        abort(400)

    text = current_dispatcher().handle(inbound)
    if not text:
        return "success"  # WeChat's "received, no reply"
    xml = TextReply(content=text, message=message).render()
    if crypto is not None:
        xml = crypto.encrypt_message(xml, nonce, timestamp)
    return Response(xml, content_type="application/xml; charset=utf-8")

