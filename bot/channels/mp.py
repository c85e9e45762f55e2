"""WeChat Official Account callback (residents): GET echo check, POST in plain or safe (AES) mode."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from bot.channels.common import handle_post
from bot.channels.freshness import Signed, claim_alone, require_fresh
from bot.channels.readiness import MP_MISSING, not_configured
from bot.service import current_service
from models.nonces import ReplayedDelivery
from models.users import CHANNEL_MP

bp = Blueprint("wechat_mp", __name__)


@bp.route("/wechat/mp", methods=["GET", "POST"])
def callback() -> Response | str:
    cfg = current_service().config.wechat
    if not cfg.token:
        return not_configured(MP_MISSING, request.host_url)
    args = request.args
    timestamp, nonce, signature = args.get("timestamp", ""), args.get("nonce", ""), args.get("signature", "")
    try:
        check_signature(cfg.token, signature, timestamp, nonce)
    except InvalidSignatureException:
        abort(403)
    signed = Signed(require_fresh(timestamp), nonce, signature)
    if request.method == "GET":
        echo = args.get("echostr", "")
        if not cfg.safe_mode:  # in plain mode this URL could carry a POST body: use it up
            try:
                claim_alone(signed.delivery(CHANNEL_MP, b"GET " + echo.encode()))
            except ReplayedDelivery:
                abort(403, "callback signature already used")
        return echo
    if not cfg.safe_mode:
        # Plain mode is for development: the signature does not cover the body, so it may be used once.
        return handle_post(CHANNEL_MP, None, None, unsigned_body=signed)
    crypto = WeChatCrypto(cfg.token, cfg.encoding_aes_key, cfg.app_id)
    return handle_post(
        CHANNEL_MP,
        decrypt=lambda body: crypto.decrypt_message(body, args.get("msg_signature", ""), timestamp, nonce).encode(),
        encrypt=lambda xml: crypto.encrypt_message(xml, nonce, timestamp),
    )
