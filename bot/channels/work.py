"""WeCom app callback (staff): always encrypted with token + EncodingAESKey + CorpID."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.channels.common import AUTHENTICATION_ERRORS, handle_post
from bot.channels.freshness import require_fresh
from bot.channels.readiness import WECOM_MISSING, not_configured
from bot.service import current_service
from models.users import CHANNEL_WORK

bp = Blueprint("wechat_work", __name__)


@bp.route("/wechat/work", methods=["GET", "POST"])
def callback() -> Response | str:
    cfg = current_service().config.wecom
    if not cfg.enabled:
        return not_configured(WECOM_MISSING, request.host_url)
    crypto = WeChatCrypto(cfg.token, cfg.encoding_aes_key, cfg.corp_id)
    args = request.args
    signature, timestamp, nonce = args.get("msg_signature", ""), args.get("timestamp", ""), args.get("nonce", "")
    require_fresh(timestamp)  # the signature covers the ciphertext: a replay repeats one message, which the inbox drops
    if request.method == "GET":  # URL verification: the echo string is encrypted too
        try:
            return str(crypto.check_signature(signature, timestamp, nonce, args.get("echostr", "")))
        except AUTHENTICATION_ERRORS:
            abort(403)
        except Exception:
            abort(400)
    return handle_post(
        CHANNEL_WORK,
        decrypt=lambda body: crypto.decrypt_message(body, signature, timestamp, nonce).encode(),
        encrypt=lambda xml: crypto.encrypt_message(xml, nonce, timestamp),
    )
