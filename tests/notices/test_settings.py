"""A deployment's notice channels are read at start-up; a missing or inconsistent one is one line to fix."""

from __future__ import annotations

import pytest

from bot.config import Config, ConfigError

BASE = {"CHENGGUAN_DATA_DIR": "/tmp/cg-notice-settings", "WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s"}


def test_templates_and_subscription_are_read() -> None:
    config = Config.from_env({**BASE, "WECHAT_SUBSCRIBE_TEMPLATE_ID": "SUB", "CHENGGUAN_PUBLIC_URL": "https://cg.example.cn",
                              "WECHAT_TEMPLATES": '{"closed": {"id": "T1", "fields": {"number": "keyword1"}}, "accepted": "T2"}'})
    notices = config.notices
    assert notices.account_type == "service" and notices.subscribe and notices.subscribe.template_id == "SUB"
    assert notices.templates["closed"].fields == {"number": "keyword1"}
    assert notices.templates["accepted"].template_id == "T2" and "number" in notices.templates["accepted"].fields


@pytest.mark.parametrize(("env", "named"), [
    ({"WECHAT_ACCOUNT_TYPE": "enterprise"}, "WECHAT_ACCOUNT_TYPE"),
    ({"WECHAT_ACCOUNT_TYPE": "subscription", "WECHAT_TEMPLATES": '{"closed": "T1"}'}, "订阅号"),
    ({"WECHAT_SUBSCRIBE_TEMPLATE_ID": "SUB"}, "CHENGGUAN_PUBLIC_URL"),
    ({"WECHAT_TEMPLATES": "{closed: T1}"}, "WECHAT_TEMPLATES 应为 JSON 对象"),
    ({"WECHAT_TEMPLATES": '{"finished": "T1"}'}, "没有通知 'finished'"),
    ({"WECHAT_TEMPLATES": '{"closed": {"fields": {"number": "keyword1"}}}'}, "缺少模板 id"),
    ({"WECHAT_TEMPLATES": '{"closed": {"id": "T1", "fields": {"colour": "keyword1"}}}'}, "没有取值 'colour'"),
    ({"WECHAT_TEMPLATES": '{"closed": "T1"}', "WECHAT_APP_ID": ""}, "WECHAT_APP_ID"),
])
def test_a_missing_or_inconsistent_setting_names_the_fix(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Config.from_env({**BASE, **env})
