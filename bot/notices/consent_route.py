"""GET /wechat/subscribe: where WeChat sends the resident after the subscribemsg authorise page, with
openid, template_id, action (confirm|cancel), scene and our `reserved`. A confirm is one consent: one
subscription notification may go to that resident."""

from __future__ import annotations

from flask import Blueprint, Response, request

from bot.db import transaction
from bot.notices.consent import ROUTE, SCENE, is_ours
from bot.service import current_service
from models import utcnow
from models.reach import reach_of

bp = Blueprint("wechat_subscribe", __name__)


def _page(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/plain; charset=utf-8")


@bp.route(ROUTE, methods=["GET"])
def subscribed() -> Response:
    service = current_service()
    template = service.config.notices.subscribe
    args = request.args
    openid, template_id, action = args.get("openid", ""), args.get("template_id", ""), args.get("action", "")
    if template is None:
        return _page("本服务未开通订阅通知。", 404)
    if (not openid or len(openid) > 128 or template_id != template.template_id or args.get("scene") != SCENE
            or action not in ("confirm", "cancel")
            or not is_ours(service.config, openid, template_id, args.get("reserved", "")[:100])):
        return _page("链接无效或已被修改。请回到公众号, 点击上报成功消息中的订阅链接。", 403)
    if action == "cancel":
        return _page("您未订阅。超过48小时的办理结果将无法通知您, 可随时回复「查询」查看进度。")
    with transaction(service.sessions) as session:
        reach = reach_of(session, openid)
        reach.consents += 1
        reach.consent_at = utcnow()
    return _page("订阅成功! 案件有办理结果时将通知您一次。可关闭本页面。")
