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
        raise NoticeSettingError(f"WECHAT_ACCOUNT_TYPE={account_type!r} must be service (服务号) or subscription (订阅号)")
    subscribe_id = env.get("WECHAT_SUBSCRIBE_TEMPLATE_ID", "").strip()
    subscribe = Template(subscribe_id, _fields(env, "WECHAT_SUBSCRIBE_FIELDS", SUBSCRIBE_FIELDS)) if subscribe_id else None
    templates = _templates(env.get("WECHAT_TEMPLATES", ""))
    if account_type == "subscription" and (subscribe or templates):
        raise NoticeSettingError(
            "WECHAT_ACCOUNT_TYPE=subscription: a 订阅号 has neither template messages nor subscription "
            "notifications; unset WECHAT_SUBSCRIBE_TEMPLATE_ID and WECHAT_TEMPLATES, or use a verified 服务号")
    if (subscribe or templates) and not app_id:
        raise NoticeSettingError("WECHAT_SUBSCRIBE_TEMPLATE_ID / WECHAT_TEMPLATES need WECHAT_APP_ID and WECHAT_APP_SECRET")
    if subscribe and not public_url:
        raise NoticeSettingError(
            "WECHAT_SUBSCRIBE_TEMPLATE_ID is set but CHENGGUAN_PUBLIC_URL is empty; set the address WeChat "
            "sends residents back to after they subscribe (…/wechat/subscribe)")
    return NoticeConfig(account_type, subscribe, templates)


def _templates(raw: str) -> dict[str, Template]:
    if not raw.strip():
        return {}
    example = '{"closed": {"id": "TEMPLATE_ID", "fields": {"number": "keyword1", "detail": "keyword2"}}}'
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise NoticeSettingError(f"WECHAT_TEMPLATES must be a JSON object such as {example} ({exc.msg})") from None
    if not isinstance(value, dict):
        raise NoticeSettingError(f"WECHAT_TEMPLATES must be a JSON object such as {example}")
    templates = {}
    for kind, spec in value.items():
        if kind not in NOTICE_KINDS:
            raise NoticeSettingError(f"WECHAT_TEMPLATES: unknown notice {kind!r}; use {', '.join(NOTICE_KINDS)}")
        spec = {"id": spec} if isinstance(spec, str) else spec
        if not isinstance(spec, dict) or not isinstance(spec.get("id"), str) or not spec["id"].strip():
            raise NoticeSettingError(f"WECHAT_TEMPLATES[{kind!r}] needs a template id: \"TEMPLATE_ID\" or {{\"id\": …}}")
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
        raise NoticeSettingError(f"{name} must be a JSON object such as {json.dumps(default)} ({exc.msg})") from None


def _field_map(name: str, value: object, default: dict[str, str]) -> dict[str, str]:
    if value is None:
        return dict(default)
    if not isinstance(value, dict) or not value or not all(isinstance(v, str) and v for v in value.values()):
        raise NoticeSettingError(f"{name} must map our values to the template's field names, e.g. {json.dumps(default)}")
    unknown = set(value) - set(VALUES)
    if unknown:
        raise NoticeSettingError(f"{name}: unknown value {sorted(unknown)[0]!r}; use {', '.join(VALUES)}")
    return dict(value)
