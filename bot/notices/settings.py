"""Which WeChat channels a deployment has for notices, read from the environment.

WECHAT_ACCOUNT_TYPE: service (服务号) or subscription (订阅号, which has neither template messages nor
subscription notifications). WECHAT_SUBSCRIBE_TEMPLATE_ID: the subscription-notification template
(订阅通知, sent with bizsend after the resident's one-time consent). WECHAT_TEMPLATES: template
messages (模板消息) per notice kind, with the template's field names. Each template field is filled
with one of our values: number (case number), status, detail, time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.jsonsetting import json_object

NOTICE_KINDS = ("accepted", "rejected", "closed", "rating")
VALUES = ("number", "status", "detail", "time")
SUBSCRIBE_FIELDS = {"number": "character_string1", "status": "phrase2", "detail": "thing3", "time": "time4"}
TEMPLATE_FIELDS = {"number": "keyword1", "status": "keyword2", "detail": "keyword3", "time": "keyword4"}
ACCOUNT_TYPES = ("service", "subscription")


class NoticeSettingError(ValueError):
    """One line naming the setting and the fix (wrapped into ConfigError)."""


@dataclass(frozen=True)
class Template:
    template_id: str
    fields: dict[str, str]  # our value name -> the template's field name


@dataclass(frozen=True)
class NoticeConfig:
    account_type: str = "service"
    subscribe: Template | None = None
    templates: dict[str, Template] = field(default_factory=dict)  # notice kind -> template message


def notice_config(env: Mapping[str, str], *, app_id: str, public_url: str) -> NoticeConfig:
    account_type = (env.get("WECHAT_ACCOUNT_TYPE") or "service").strip()
    if account_type not in ACCOUNT_TYPES:
        raise NoticeSettingError(f"WECHAT_ACCOUNT_TYPE={account_type!r} 应为 service (服务号) 或 subscription (订阅号)")
    subscribe_id = env.get("WECHAT_SUBSCRIBE_TEMPLATE_ID", "").strip()
    subscribe = Template(subscribe_id, _fields(env, "WECHAT_SUBSCRIBE_FIELDS", SUBSCRIBE_FIELDS)) if subscribe_id else None
    templates = _templates(env.get("WECHAT_TEMPLATES", ""))
    if account_type == "subscription" and (subscribe or templates):
        raise NoticeSettingError(
            "WECHAT_ACCOUNT_TYPE=subscription: 订阅号没有模板消息和订阅通知; "
            "请清空 WECHAT_SUBSCRIBE_TEMPLATE_ID 和 WECHAT_TEMPLATES, 或改用已认证的服务号")
    if (subscribe or templates) and not app_id:
        raise NoticeSettingError("设置了 WECHAT_SUBSCRIBE_TEMPLATE_ID / WECHAT_TEMPLATES 时还需要 WECHAT_APP_ID 和 WECHAT_APP_SECRET")
    if subscribe and not public_url:
        raise NoticeSettingError(
            "设置了 WECHAT_SUBSCRIBE_TEMPLATE_ID 但 CHENGGUAN_PUBLIC_URL 为空; 请设为居民订阅后微信跳回的本服务地址 "
            "(…/wechat/subscribe 所在的域名)")
    return NoticeConfig(account_type, subscribe, templates)


def _templates(raw: str) -> dict[str, Template]:
    if not raw.strip():
        return {}
    example = '{"closed": {"id": "TEMPLATE_ID", "fields": {"number": "keyword1", "detail": "keyword2"}}}'
    try:
        value = json_object("WECHAT_TEMPLATES", raw, example)
    except ValueError as exc:
        raise NoticeSettingError(str(exc)) from None
    templates = {}
    for kind, spec in value.items():
        if kind not in NOTICE_KINDS:
            raise NoticeSettingError(f"WECHAT_TEMPLATES: 没有通知 {kind!r}; 可用 {', '.join(NOTICE_KINDS)}")
        spec = {"id": spec} if isinstance(spec, str) else spec
        if not isinstance(spec, dict) or not isinstance(spec.get("id"), str) or not spec["id"].strip():
            raise NoticeSettingError(f"WECHAT_TEMPLATES[{kind!r}] 缺少模板 id: 写作 \"TEMPLATE_ID\" 或 {{\"id\": …}}")
        templates[kind] = Template(spec["id"].strip(), _field_map(f"WECHAT_TEMPLATES[{kind!r}].fields",
                                                                   spec.get("fields"), TEMPLATE_FIELDS))
    return templates


def _fields(env: Mapping[str, str], name: str, default: dict[str, str]) -> dict[str, str]:
    raw = env.get(name, "").strip()
    if not raw:
        return dict(default)
    try:
        return _field_map(name, json.loads(raw), default)
    except json.JSONDecodeError as exc:
        raise NoticeSettingError(f"{name} 应为 JSON 对象, 如 {json.dumps(default)} ({exc.msg})") from None


def _field_map(name: str, value: object, default: dict[str, str]) -> dict[str, str]:
    if value is None:
        return dict(default)
    if not isinstance(value, dict) or not value or not all(isinstance(v, str) and v for v in value.values()):
        raise NoticeSettingError(f"{name} 应把我们的取值对应到模板的字段名, 如 {json.dumps(default)}")
    unknown = set(value) - set(VALUES)
    if unknown:
        raise NoticeSettingError(f"{name}: 没有取值 {sorted(unknown)[0]!r}; 可用 {', '.join(VALUES)}")
    return dict(value)
