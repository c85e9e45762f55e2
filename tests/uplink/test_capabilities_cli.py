"""`chengguan platform capabilities`, `sync-services`, `stuck` and `retry` end to end (click's runner, the
stand-ins on loopback): what each platform supports is found and shown, set by hand where needed, and
jobs that no retry can help are named, not re-queued."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select, update

from bot.db import transaction
from bot.open311.formats import CHINA
from models import Case, CaseStatus, JobStatus, OutboxJob
from models.platform import PlatformCapabilities
from tests.uplink.helpers import accepted_cases, drain, jobs, take_steps
from tests.uplink.test_peer_platform import address_only_case, capabilities, deliveries
from tests.uplink.test_platform_cli import env_of, lines, run

S = CaseStatus


def shown(service) -> list[str]:  # type: ignore[no-untyped-def]
    """The capability lines, without the two that carry the time of day."""
    result = run(service, "capabilities")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    out = lines(result)
    assert out[0].startswith("平台: http://127.0.0.1:") and out[-1].startswith("最近成功: ")
    return out[1:-1]


def test_nothing_known_yet_says_what_to_run(uplink) -> None:  # type: ignore[no-untyped-def]
    assert lines(run(uplink, "capabilities")) == ["尚未检查平台能力: 运行 chengguan platform sync-services"]


def test_the_spec_true_platform_is_found_to_have_updates_tokens_and_discovery(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    assert run(uplink, "sync-services").exit_code == 0
    assert shown(uplink) == [
        "发现文档 discovery.json: 有",
        "状态更新 servicerequestupdates: 支持",
        "token 查询 tokens/: 支持",
        "地址字段: address_string",
        "照片: 链接 (media_url)",
        "requests.json 每页: 未知",
    ]


def test_the_peer_is_found_to_have_neither_and_to_answer_100_per_page(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    peer.add_old_requests(120)
    synced = run(peer_uplink, "sync-services")
    assert lines(synced)[-1] == "平台能力: 状态更新不支持, token 查询不支持, 每页 100 条 (详见 chengguan platform capabilities)"
    assert shown(peer_uplink) == [
        "发现文档 discovery.json: 无",
        "状态更新 servicerequestupdates: 不支持; 核查、结案不上报, 平台的结案和返工由状态查询同步",
        "token 查询 tokens/: 不支持; token 的编号从请求列表中按案件编号查找",
        "地址字段: address_string",
        "照片: 链接 (media_url)",
        "requests.json 每页: 100 条",
    ]
    # The address field is learned from the first address-only case, then shown; health is shown too.
    address_only_case(peer_uplink)
    drain(peer_uplink)
    assert "地址字段: address" in shown(peer_uplink)
    with peer_uplink.sessions() as s:
        row = s.scalars(select(PlatformCapabilities)).one()
    assert lines(run(peer_uplink, "capabilities"))[-1] == (
        f"最近成功: {row.last_success_at.astimezone(CHINA):%m-%d %H:%M}; "
        f"最近失败: {row.last_failure_at.astimezone(CHINA):%m-%d %H:%M} (平台暂时出错 (HTTP 500) Server Error (500))")


def test_settings_by_hand_are_checked_shown_and_kept_by_the_sync(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    for bad, says in (("address_field=adres", "错误: address_field=adres 不可用: 可选 address_string / address\n"),
                      ("page_size=-1", "错误: page_size=-1 应为正整数, 如 page_size=100\n"),
                      ("colour=red", "错误: 不能设置 colour: 可设置 updates, tokens, address_field, media, page_size\n")):
        result = run(peer_uplink, "capabilities", "--set", bad)
        assert (result.exit_code, result.stderr) == (1, says)
    assert lines(run(peer_uplink, "capabilities")) == ["尚未检查平台能力: 运行 chengguan platform sync-services"]
    result = run(peer_uplink, "capabilities", "--set", "updates=yes", "--set", "page_size=50")
    assert result.exit_code == 0 and "状态更新 servicerequestupdates: 支持 [手工设置]" in lines(result)
    run(peer_uplink, "sync-services")
    assert shown(peer_uplink)[1:] == [
        "状态更新 servicerequestupdates: 支持 [手工设置]",
        "token 查询 tokens/: 不支持; token 的编号从请求列表中按案件编号查找",
        "地址字段: address_string",
        "照片: 链接 (media_url)",
        "requests.json 每页: 50 条 [手工设置]",
    ]


def test_stuck_forgets_a_step_the_platform_closed_and_retry_says_why(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    """A verify parked by an older version (the platform had no updates), then the case closed by the poll."""
    [number] = accepted_cases(uplink, 1)
    take_steps(uplink, number, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED)
    drain(uplink)
    _accept, verify = jobs(uplink, "open311.push")
    with transaction(uplink.sessions) as s:
        s.execute(update(OutboxJob).where(OutboxJob.id == verify.id).values(
            status=JobStatus.PARKED, last_error="平台拒绝 (HTTP 404): Not Found"))
    assert lines(run(uplink, "stuck"))[0] == "平台上报: 1 项卡住, 请处理:"
    standin.set_status(deliveries(uplink)[number].service_request_id, "closed", "已办结")
    assert lines(run(uplink, "poll")) == ["已查询; 仍未结案 0 件"]
    assert lines(run(uplink, "stuck")) == ["平台上报: 没有卡住的案件。"]
    assert lines(run(uplink, "retry")) == [f"任务 {verify.id} 未重发: 平台已结案 (由状态查询同步), 无需再发",
                                           "已重新排队 0 项"]
    assert jobs(uplink, "open311.push")[1].status == JobStatus.PARKED


def test_retry_names_what_to_fix_first_and_requeues_the_rest(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    standin.faults.reject_codes = {"G-102"}
    [fixable] = accepted_cases(uplink, 1)
    unmapped = address_only_case(uplink, category="E0101")
    drain(uplink)
    push_fixable, push_unmapped = jobs(uplink, "open311.push")
    assert push_unmapped.status == JobStatus.PARKED and push_fixable.status == JobStatus.PARKED
    standin.faults.reject_codes = set()
    assert lines(run(uplink, "retry")) == [
        f"任务 {push_unmapped.id} 未重发: 分类 E0101 没有对应的平台服务代码; 先运行 chengguan platform map E0101 <平台服务代码>",
        "已重新排队 1 项"]
    drain(uplink)
    assert standin.count(fixable) == 1 and standin.count(unmapped) == 0
    with uplink.sessions() as s:
        assert s.scalar(select(Case.status).where(Case.number == unmapped)) == S.ACCEPTED


def test_platform_commands_print_no_log_lines_unless_verbose(uplink, standin, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, **env_of(uplink), "DATABASE_URL": "", "CHENGGUAN_DATA_DIR": str(tmp_path / "fresh")}
    for args in (["sync-services"], ["capabilities"], ["mappings"], ["stuck"], ["retry"], ["poll"]):
        done = subprocess.run([sys.executable, "-m", "bot", "platform", *args], env=env, capture_output=True,
                              text=True, timeout=60)
        assert (done.returncode, done.stderr) == (0, ""), (args, done.stderr)
        assert "INFO" not in done.stdout and done.stdout.strip(), args
    verbose = subprocess.run([sys.executable, "-m", "bot", "-v", "platform", "stuck"], env={
        **env, "CHENGGUAN_DATA_DIR": str(tmp_path / "fresh2")}, capture_output=True, text=True, timeout=60)
    assert "INFO alembic.runtime.migration" in verbose.stderr  # -v shows the migrations


def test_the_daily_refresh_stores_what_it_finds_and_survives_a_platform_down(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    from bot.scheduler import build_scheduler
    from bot.uplink.refresh import scheduled_refresh

    assert build_scheduler(uplink).get_job("platform_refresh") is not None  # only with PLATFORM_OPEN311_URL set
    standin.stop()
    scheduled_refresh(uplink)  # logs, raises nothing, stores nothing
    assert capabilities(uplink).id is None
    standin.start()
    scheduled_refresh(uplink)
    found = capabilities(uplink)
    assert (found.discovery, found.updates, found.tokens) == (True, "yes", "yes") and found.checked_at is not None
