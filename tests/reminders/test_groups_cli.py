"""`chengguan groups add|list|disable` run for real through click, every answer checked line by line;
webhook keys and any user:password@ in a webhook URL never reach the screen."""

from __future__ import annotations

from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.cli import _attach_commands, cli
from bot.db import transaction
from models import GroupChat
from tests.factories import make_street

KEY = "3f9c2a71-aaaa-bbbb-cccc-0123456789ab"
WEBHOOK = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
WITH_PASSWORD = f"https://relay:Pa55word@robot.example.gov.cn:8443/cgi-bin/webhook/send?key={KEY[::-1]}"


def groups(service, *args: str) -> Result:  # type: ignore[no-untyped-def]
    _attach_commands()
    env = {"DATABASE_URL": service.config.database_url, "CHENGGUAN_DATA_DIR": str(service.config.data_dir)}
    return CliRunner(env=env).invoke(cli, ["groups", *args], catch_exceptions=False)


def test_add_list_and_disable_groups_with_secrets_masked(service) -> None:  # type: ignore[no-untyped-def]
    from models.units import Unit

    with transaction(service.sessions) as s:
        make_street(s, code="JD01", name="东街街道")
        s.add(Unit(code="SZ", name="区市政所"))
    assert groups(service, "list").stdout == "还没有工作群; 用 chengguan groups add --street 代码 --webhook 地址 添加\n"

    added = [groups(service, "add", "--street", "JD01", "--webhook", WEBHOOK),
             groups(service, "add", "--unit", "SZ", "--chat-id", "wrOgAAAAchat01"),
             groups(service, "add", "--district", "--webhook", WITH_PASSWORD, "--name", "区城管工作群")]
    with service.sessions() as s:  # ids from the database's sequence (PostgreSQL does not reuse them)
        street_group, unit_group, district_group = s.scalars(select(GroupChat.id).order_by(GroupChat.id)).all()
    assert [r.stdout for r in added] == [
        f"已添加群 {street_group}: 东街街道 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=3f9c…89ab\n",
        f"已添加群 {unit_group}: 区市政所 wrOgAAAAchat01\n",
        f"已添加群 {district_group}: 区城管工作群 "
        "https://***@robot.example.gov.cn:8443/cgi-bin/webhook/send?key=ba98…c9f3\n",
    ]
    assert groups(service, "disable", str(unit_group)).stdout == f"群 {unit_group} 已停用\n"
    listed = groups(service, "list").stdout
    assert listed.splitlines() == [
        f"{street_group}\t街道\t东街街道\trobot\thttps://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=3f9c…89ab",
        f"{unit_group}\t单位\t区市政所\tappchat\twrOgAAAAchat01 (已停用)",
        f"{district_group}\t区级\t区城管工作群\trobot\thttps://***@robot.example.gov.cn:8443/cgi-bin/webhook/send?key=ba98…c9f3",
    ]
    for secret in (KEY, KEY[::-1], "Pa55word", "relay:"):
        assert secret not in listed and secret not in "".join(r.stdout for r in added)
    with service.sessions() as s:  # stored as given: the robot needs the whole URL
        assert [g.target for g in s.query(GroupChat).order_by(GroupChat.id)] == [WEBHOOK, "wrOgAAAAchat01",
                                                                                 WITH_PASSWORD]
        assert "Pa55word" not in repr(s.get(GroupChat, district_group))


def test_bad_group_input_names_the_fix_and_adds_nothing(service) -> None:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        make_street(s, code="JD01", name="东街街道")
    assert groups(service, "add", "--street", "JD01", "--webhook", WEBHOOK).exit_code == 0
    cases = [
        (["add", "--street", "JD01", "--district", "--webhook", WEBHOOK], 2,
         "错误: 请指定一个: --street 街道代码, --unit 单位代码, 或 --district"),
        (["add", "--street", "JD01"], 2, "错误: 请指定一个: --webhook 群机器人地址, 或 --chat-id 应用群聊 id"),
        (["add", "--street", "JD01", "--webhook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"], 2,
         "错误: --webhook 的值无效: 群机器人地址应形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
         " (在群聊「添加群机器人」后复制 Webhook 地址)"),
        (["add", "--street", "XX", "--chat-id", "c1"], 2, "错误: --street 的值无效: 没有街道代码 XX"),
        (["add", "--unit", "XX", "--chat-id", "c1"], 2, "错误: --unit 的值无效: 没有单位代码 XX"),
        (["add", "--street", "JD01", "--webhook", WEBHOOK], 1,
         "错误: 这个群机器人地址或群聊 id 已经登记过; 用 chengguan groups list 查看"),
        (["disable", "999999"], 2, "错误: GROUP_ID 的值无效: 没有群 999999; 用 chengguan groups list 查看"),
    ]
    for args, code, says in cases:
        result = groups(service, *args)
        assert (result.exit_code, result.stdout, result.stderr.splitlines()[-1]) == (code, "", says), args
    assert groups(service, "list").stdout.count("\n") == 1
