"""What each card says: the template_card JSON of WeCom's message/send, built from a case.

Every card also names the typed command, so a member on an old client (or reading the card after it
expired) still knows what to send."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from models import Case
from models.calendar import TZ
from models.cards import CardStep

# EventKey of each button -> what it does
ACCEPT, REJECT, CLAIM, APPROVE, REWORK = "accept", "reject", "claim", "approve", "rework"
BUTTONS: dict[CardStep, tuple[tuple[str, str, int], ...]] = {  # (text, key, style: 1 blue, 2 grey, 3 red)
    CardStep.REPORT: (("受理", ACCEPT, 1), ("退回", REJECT, 2)),
    CardStep.DISPATCH: (("我来处理", CLAIM, 1),),
    CardStep.REVIEW: (("通过", APPROVE, 1), ("返工", REWORK, 3)),
}
TITLES = {CardStep.REPORT: "新的市民上报", CardStep.DISPATCH: "新派遣案件", CardStep.REVIEW: "整改待审核"}
TYPED = {
    CardStep.REPORT: "也可回复「受理 {n}」或「退回 {n} 原因」。",
    CardStep.DISPATCH: "点「我来处理」认领; 整改后回复「整改 {n}」并发送整改照片。",
    CardStep.REVIEW: "也可回复「通过 {n}」或「返工 {n} 原因」。",
}
MAX_SUBTITLE = 160  # WeCom's recommended length of sub_title_text


def template_card(step: CardStep, task: str, case: Case, category: str, verdict: str = "") -> dict[str, Any]:
    fields = [{"keyname": "编号", "value": case.number}, {"keyname": "类别", "value": category},
              _place(case, linked=step == CardStep.DISPATCH)]
    if case.deadline is not None:
        fields.append({"keyname": "时限", "value": f"{case.deadline.astimezone(TZ):%m-%d %H:%M} 前"})
    if verdict:
        fields.append({"keyname": "核验", "value": verdict})
    described = f"{case.description}\n" if case.description else ""
    return {
        "card_type": "button_interaction",
        "source": {"desc": "城管随手拍"},
        "main_title": {"title": TITLES[step], "desc": f"案件 {case.number}"},
        "sub_title_text": (described + TYPED[step].format(n=case.number))[-MAX_SUBTITLE:],
        "horizontal_content_list": fields,
        "task_id": task,
        "button_list": [{"text": text, "key": key, "style": style} for text, key, style in BUTTONS[step]],
    }


def _place(case: Case, *, linked: bool) -> dict[str, Any]:
    place = case.address or "见定位"
    if not linked or case.gcj_lat is None or case.gcj_lon is None:
        return {"keyname": "位置", "value": place}
    # Amap's URI API takes GCJ-02, which is what the phone sent; it opens the map app or the web map
    query = urlencode({"position": f"{case.gcj_lon:.6f},{case.gcj_lat:.6f}", "name": place, "src": "chengguan"})
    return {"keyname": "位置", "value": place, "type": 1, "url": f"https://uri.amap.com/marker?{query}"}


def verdict_words(check_result: dict[str, Any] | None) -> str:
    """The photo check's verdict for a reviewer, in a few words."""
    result = check_result or {}
    if result.get("ok") is True:
        return "原图、角度一致, 核验通过"
    reasons = [r for r in result.get("reasons", []) if isinstance(r, dict)]
    if any(r.get("code") == "problem_photo.unusable" for r in reasons):
        return "问题照片不可用, 未能比对, 请现场核实"
    words = [str(r.get("message_zh") or r.get("code") or "") for r in reasons]
    return "核验未通过: " + "; ".join(words) if words else "未核验"
