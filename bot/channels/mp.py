"""WeChat Official Account callback (residents): GET echo check, POST in plain or safe (AES) mode."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from bot.channels.common import handle_post
from bot.service import current_service
from models.users import CHANNEL_MP

bp = Blueprint("wechat_mp", __name__)


@bp.route("/wechat/mp", methods=["GET", "POST"])
def callback() -> Response | str:
    cfg = current_service().config.wechat
    if not cfg.token:
        abort(503, "WECHAT_TOKEN is not set")
    args = request.args
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    try:
        check_signature(cfg.token, args.get("signature", ""), timestamp, nonce)
    except InvalidSignatureException:
        abort(403)
    if request.method == "GET":
        return args.get("echostr", "")
    if not cfg.safe_mode:
        return handle_post(CHANNEL_MP, parse_message, None, None)
    crypto = WeChatCrypto(cfg.token, cfg.encoding_aes_key, cfg.app_id)
    return handle_post(
        CHANNEL_MP, parse_message,
        decrypt=lambda body: crypto.decrypt_message(body, args.get("msg_signature", ""), timestamp, nonce).encode(),
        encrypt=lambda xml: crypto.encrypt_message(xml, nonce, timestamp),
    )
