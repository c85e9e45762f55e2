"""随手拍: a resident reports a problem with photos, a location and a few words, in any order.

The draft has slots (photos, place, description, category); each message fills one, and the reply
asks for the first one still missing. The state names the slot asked for, so a typed text means an
address when we asked for the location and a description otherwise.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, select

from bot.notices import consent
from bot.prepared import Prepared
from handlers.catalog import categories, find_by_words, source_rules
from handlers.context import Context
from handlers.photos import receive_photo
from models import CaseSource, Photo, PhotoRole, PhotoStatus, Street
from models.calendar import TZ
from models.geo import Point
from models.reporting import Place, open_case

FLOW = "report"
MAX_PHOTOS = 3
CONFIRM_WORDS = {"确认", "提交", "是", "好", "确定", "ok", "OK"}
SPOT_WORDS = {"已现场整改", "现场整改", "已整改"}
STAFF_SOURCES = {CaseSource.PATROL, CaseSource.ROAD_OFFICE}

PROMPTS = {
    "photo": "请拍摄并发送问题照片 (1-3张)。",
    "location": "请发送问题所在位置: 点击「+」→「位置」, 或直接输入详细地址。",
    "description": "请用一句话描述问题, 例如「路口有人占道经营」。",
}


def start(ctx: Context, source: CaseSource = CaseSource.SNAPSHOT) -> str:
    """A report begun by its first piece (a photo, a place, words naming a problem)."""
    ctx.conversation.start(FLOW, "photo", {"photos": [], "source": source.value})
    return step(ctx)


def start_by_command(ctx: Context, source: CaseSource, description: str = "") -> str:
    """A report begun by a command (巡查, 马路办公): the command word is not part of the report,
    words after it are its description."""
    ctx.conversation.start(FLOW, "photo", {"photos": [], "source": source.value})
    if description:
        _set_description(ctx, description)
    return _ask_next(ctx)


def _source(ctx: Context) -> CaseSource:
    return CaseSource(ctx.conversation.data.get("source", CaseSource.SNAPSHOT))


def step(ctx: Context) -> str:
    m, state = ctx.message, ctx.conversation.state
    note = ""
    if m.kind == "image" and state != "spot_photo":
        note = _add_photo(ctx)
    elif m.kind == "location":
        note = _set_location(ctx)
    elif m.kind == "text" and state == "category":
        return _choose_category(ctx, m.text)
    elif m.kind == "text" and state == "confirm":
        if m.text in CONFIRM_WORDS:
            return _submit(ctx)
        if m.text in SPOT_WORDS and _source(ctx) in STAFF_SOURCES:
            return _ask(ctx, "spot_photo", "请发送现场整改后的照片 (站在问题照片的位置, 按相同方向拍摄)。")
        return "回复「确认」提交, 回复「取消」放弃。\n" + _summary(ctx)
    elif m.kind == "image" and state == "spot_photo":
        return _submit(ctx, fixed_on_spot=True)
    elif m.kind == "text" and state == "location":
        ctx.conversation.move(state, address=m.text[:200], gcj=None)
        note = "已记录地址。"
    elif m.kind == "text":
        _set_description(ctx, m.text)
    else:
        note = "暂不支持这类消息, 请发送照片、位置或文字。"
    return "\n".join(filter(None, [note, _ask_next(ctx)]))


def _add_photo(ctx: Context) -> str:
    photos = list(ctx.conversation.data.get("photos", []))
    if len(photos) >= MAX_PHOTOS:
        return f"最多{MAX_PHOTOS}张照片, 这张未采用。"
    photos.append(receive_photo(ctx, PhotoRole.PROBLEM))
    ctx.conversation.move(ctx.conversation.state or "photo", photos=photos)
    return f"已收到第{len(photos)}张照片。"


def _set_location(ctx: Context) -> str:
    m = ctx.message
    try:
        point = Point(m.lat, m.lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "位置信息无效, 请重新发送位置。"
    ctx.conversation.move(ctx.conversation.state or "photo", gcj=[point.lat, point.lon], address=m.label[:200])
    return f"已记录位置: {m.label}" if m.label else "已记录位置。"


def _set_description(ctx: Context, text: str) -> None:
    data = ctx.conversation.data
    description = "; ".join(filter(None, [data.get("description", ""), text]))[:500]
    suggested = [c.key for c in categories().suggest(description, limit=3)]
    ctx.conversation.move(ctx.conversation.state or "photo", description=description, choices=suggested)


def _ask_next(ctx: Context) -> str:
    data = ctx.conversation.data
    if not _usable_photos(ctx):
        return _ask(ctx, "photo", PROMPTS["photo"])
    if not data.get("gcj") and not data.get("address"):
        return _ask(ctx, "location", PROMPTS["location"])
    if not data.get("description"):
        return _ask(ctx, "description", PROMPTS["description"])
    if not data.get("category"):
        return _ask(ctx, "category", _category_question(ctx))
    return _ask(ctx, "confirm", "请核对后回复「确认」提交:\n" + _summary(ctx))


def _ask(ctx: Context, state: str, text: str) -> str:
    ctx.conversation.move(state)
    return text


def _category_question(ctx: Context) -> str:
    choices = [categories().get(key) for key in ctx.conversation.data.get("choices", [])]
    if not choices:
        return "请输入问题类别, 例如「暴露垃圾」「占道经营」「机动车乱停放」。"
    lines = [f"{i}. {c.label}" for i, c in enumerate(choices, 1)]
    return "请选择问题类别, 回复序号 (或直接输入类别名称):\n" + "\n".join(lines)


def _choose_category(ctx: Context, text: str) -> str:
    choices = ctx.conversation.data.get("choices", [])
    if text.isdigit() and 1 <= int(text) <= len(choices):
        category = categories().get(choices[int(text) - 1])
    else:
        category = find_by_words(text)
        if category is None:
            found = categories().suggest(text, limit=3)
            if not found:
                return "没有找到这个类别。" + _category_question(ctx)
            ctx.conversation.move("category", choices=[c.key for c in found])
            return _category_question(ctx)
    ctx.conversation.move("category", category=category.key)
    return _ask_next(ctx)


def _summary(ctx: Context) -> str:
    data = ctx.conversation.data
    category = categories().get(data["category"]).label if data.get("category") else "未选择"
    place = data.get("address") or ("已发送定位" if data.get("gcj") else "未提供")
    usable, receiving = _usable_photos(ctx), _photos_in(ctx, PhotoStatus.PENDING)
    note = f" ({len(receiving)}张仍在接收)" if receiving else ""
    return (
        f"照片: {len(usable)}张{note}\n位置: {place}\n描述: {data.get('description', '')}\n类别: {category}"
    )


def _usable_photos(ctx: Context) -> list[int]:
    """Photos not refused. One still downloading counts: the resident need not wait for it, and whatever
    needs its pixels (the rectification check, the officer's copy) waits for its job, and is told when
    it turns out unusable."""
    rejected = set(_photos_in(ctx, PhotoStatus.REJECTED))
    return [i for i in ctx.conversation.data.get("photos", []) if i not in rejected]


def _photos_in(ctx: Context, status: PhotoStatus) -> list[int]:
    ids = ctx.conversation.data.get("photos", [])
    if not ids:
        return []
    # Core on the connection: photo rows are written already, so the draft's pending changes need no flush.
    params: dict[str, object] = {f"id{n}": photo_id for n, photo_id in enumerate(ids)}
    return [photo_id for photo_id, in _photos_in_status(len(ids)).rows(ctx.connection, {**params, "status": status})]


@lru_cache(maxsize=16)
def _photos_in_status(count: int) -> Prepared:
    """Built once per number of photos (every message of a draft with photos runs it), on the driver's cursor
    (bot.prepared): an expanding IN would be compiled again on every call."""
    ids = [bindparam(f"id{n}", type_=Photo.id.type) for n in range(count)]
    return Prepared(select(Photo.id).where(Photo.id.in_(ids), Photo.status == bindparam("status", type_=Photo.status.type)))


def _submit(ctx: Context, fixed_on_spot: bool = False) -> str:
    data = ctx.conversation.data
    if not _usable_photos(ctx):
        return _ask_next(ctx)
    category = categories().get(data["category"])
    place = Place(gcj=Point(*data["gcj"]) if data.get("gcj") else None, address=data.get("address", ""))
    case = open_case(
        ctx.session, source=_source(ctx), category=category, description=data["description"],
        place=place, reporter=ctx.user, photo_ids=_usable_photos(ctx), now=ctx.now, rules=source_rules(),
    )
    ctx.conversation.finish()
    deadline = case.deadline.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if case.deadline else "待定"
    street = ctx.session.get(Street, case.street_id) if case.street_id else None
    head = (
        f"上报成功! 案件编号: {case.number}\n类别: {category.label}\n"
        f"所属街道: {street.name if street else '待分派'}\n处理时限: {deadline} 前\n"
    )
    if fixed_on_spot:
        receive_photo(ctx, PhotoRole.RECTIFICATION, case_id=case.id, job="rectify.check")
        return head + "现场整改照片正在核验, 结果稍后通知您; 通过后随案件受理一并提交审核。"
    if _source(ctx) in STAFF_SOURCES:
        return head + "已提交平台受理。"
    return (head + f"回复「查询 {case.number}」可查看进度。感谢您参与城市管理!"
            + consent.offer(ctx.config, ctx.message.sender))

