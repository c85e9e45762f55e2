"""`chengguan chat --staff`: cards in the terminal with numbered buttons, `/tap N` taps one, and a
reviewer's day can be played through (a resident's report, the trial officer's rectification)."""

from __future__ import annotations

from bot.simulator.staff_chat import StaffTerminal
from bot.simulator.trial_district import seed_trial
from bot.simulator.user import WeComUser
from models import Role
from tests.cards.taps import announcements_due
from tests.chat import AGENT_ID, WECOM_AES_KEY, WECOM_TOKEN
from tests.photos import photo_file
from tests.staff.scenario import PROBLEM, SAME_ANGLE


def test_a_reviewers_day_in_the_terminal(mp_service, wechat_api, http, new_user, run_worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    codes = seed_trial(mp_service.sessions, {"trial_reviewer": Role.REVIEWER, "trial_officer": Role.OFFICER})
    assert seed_trial(mp_service.sessions, {"trial_reviewer": Role.REVIEWER})  # not bound yet: a new code
    members = {userid: WeComUser("http://app", WECOM_TOKEN, WECOM_AES_KEY, wechat_api.corp_id, userid,
                                 agent_id=AGENT_ID, http=http) for userid in codes}
    for userid, code in codes.items():
        assert "绑定成功" in members[userid].send_text(f"绑定 {code}").text
    assert seed_trial(mp_service.sessions, {"trial_reviewer": Role.REVIEWER}) == {}  # bound: nothing to do
    terminal = StaffTerminal(wechat_api, members["trial_reviewer"], members["trial_officer"], new_user())

    assert terminal.send("/tap 1") == "还没有收到卡片。"
    assert "已受理" not in str(terminal.send(f"/report {photo_file(tmp_path, PROBLEM)}"))
    run_worker()
    announcements_due(mp_service)
    run_worker()
    lines, shown = terminal.pushes(0, seen := {})
    assert lines[0].startswith("[卡片 1]\n  新的市民上报") and "按钮: 1.受理  2.退回  (输入 /tap 序号 1)" in lines[0]
    assert terminal.send("/tap 3") == "这张卡片的按钮序号应在 1 至 2 之间。"

    terminal.send("/tap 1")
    run_worker()
    lines, shown = terminal.pushes(shown, seen)
    assert any("已受理并派遣至试用执法队" in line for line in lines)
    assert "[卡片 1 已更新] 按钮变为「已由试用审核员受理」" in lines

    assert "正在核验" in str(terminal.send(f"/fix {photo_file(tmp_path, SAME_ANGLE)}"))
    run_worker()
    lines, shown = terminal.pushes(shown, seen)
    assert any(line.startswith("[卡片 2]\n  整改待审核") for line in lines)
    terminal.send("/tap 1")
    run_worker()
    lines, _ = terminal.pushes(shown, seen)
    assert any("已结案" in line for line in lines) and "[卡片 2 已更新] 按钮变为「已由试用审核员通过」" in lines
    assert terminal.send("/cards").splitlines()[0].startswith("1. 新的市民上报 案件 ")  # type: ignore[union-attr]
