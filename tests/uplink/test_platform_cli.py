"""Every `chengguan platform …` command run for real (click's runner, the stand-in platform on loopback),
each answer checked line by line."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner, Result
from sqlalchemy import select, update

from bot.cli import _attach_commands, cli
from bot.db import transaction
from bot.jobs import job_handlers
from bot.open311.formats import CHINA
from bot.worker import Worker
from models import AuditEvent, Case, CaseStatus, JobStatus, OutboxJob, utcnow
from tests.uplink.helpers import accepted_cases, drain, jobs, take_steps
from tests.uplink.standin import StandIn


def env_of(uplink) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"DATABASE_URL": uplink.engine.url.render_as_string(hide_password=False),
            "CHENGGUAN_DATA_DIR": str(uplink.config.data_dir),
            "PLATFORM_OPEN311_URL": uplink.config.platform.open311_url, "PLATFORM_API_KEY": StandIn.api_key,
            "PLATFORM_JURISDICTION_ID": "test.gov.cn", "CHENGGUAN_PUBLIC_URL": "http://127.0.0.1:9",
            "CHENGGUAN_SECRET_KEY": "test-secret"}


def run(uplink, *args: str) -> Result:  # type: ignore[no-untyped-def]
    _attach_commands()
    return CliRunner(env=env_of(uplink)).invoke(cli, ["platform", *args], catch_exceptions=False)


def lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


def test_sync_map_and_mappings(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    assert lines(run(uplink, "mappings")) == ["E0102\tG-102\t?\t自动"]  # no services.json read yet: name unknown
    synced = run(uplink, "sync-services")
    assert (synced.exit_code, synced.stderr) == (0, "")
    assert lines(synced) == [
        "平台服务 2 项; 已对应分类 2 项; 未对应 57 项",
        "未对应的分类 57 项: E0103, E0104, E0105, E0106, E0107 …; 用 chengguan platform map 分类代码 服务代码 补上, "
        "chengguan platform mappings 查看对应表",
        "平台能力: 状态更新支持, token 查询支持, 每页条数未知 (详见 chengguan platform capabilities)",
    ]
    assert lines(run(uplink, "map", "E0101", "G-101")) == ["E0101 -> G-101 (手工对应, 同步不会覆盖)"]
    assert lines(run(uplink, "mappings")) == ["E0101\tG-101\t私搭乱建\t手工", "E0102\tG-102\t暴露垃圾\t自动"]
    bad = run(uplink, "map", "X9", "G-101")
    assert (bad.exit_code, bad.stderr) == (1, "错误: 没有这个分类: X9; 用分类代码, 如 E0102\n")
    assert lines(run(uplink, "mappings")) == ["E0101\tG-101\t私搭乱建\t手工", "E0102\tG-102\t暴露垃圾\t自动"]


def test_sync_with_the_platform_down_names_the_failure(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    standin.stop()
    result = run(uplink, "sync-services")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("错误: 读取平台服务列表失败: 连不上平台 (ConnectError")


def test_add_and_revoke_a_key_and_the_server_refuses_it(uplink) -> None:  # type: ignore[no-untyped-def]
    from bot.app import create_app

    added = run(uplink, "add-key", "district-a")
    [key] = lines(added)
    assert key.startswith("cg_") and added.stderr == "已为 district-a 创建密钥 (只显示这一次, 请妥善转交)。\n"
    again = run(uplink, "add-key", "district-a")
    assert (again.exit_code, again.stderr) == (1, "错误: 已有名为 district-a 的密钥; 换一个名称, 或先停用旧密钥\n")
    client = create_app(service=uplink).test_client()
    form = {"api_key": key, "service_code": "E0102", "lat": "39.9", "long": "116.3", "description": "垃圾"}
    assert client.post("/open311/v2/requests.json", data=form).status_code == 200
    assert lines(run(uplink, "revoke-key", "district-a")) == ["已停用 district-a 的密钥"]
    assert client.post("/open311/v2/requests.json", data=form).status_code == 403
    missing = run(uplink, "revoke-key", "nobody")
    assert (missing.exit_code, missing.stderr) == (1, "错误: 没有名为 nobody 的密钥\n")


def test_stuck_lists_parked_and_long_retried_items_and_retry_requeues(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    assert lines(run(uplink, "stuck")) == ["平台上报: 没有卡住的案件。"]
    standin.faults.reject_codes = {"G-102"}
    [parked_case] = accepted_cases(uplink, 1)
    drain(uplink)
    standin.stop()
    [retried_case] = accepted_cases(uplink, 1)
    worker = Worker(uplink, job_handlers())
    for _ in range(5):  # five failed rounds, each made due at once
        worker.run_until_idle()
        with transaction(uplink.sessions) as s:
            s.execute(update(OutboxJob).where(OutboxJob.status == JobStatus.PENDING).values(next_try_at=utcnow()))
    parked, retrying = [j for j in jobs(uplink, "open311.push")]
    assert (parked.status, retrying.status, retrying.attempts) == (JobStatus.PARKED, JobStatus.PENDING, 5)

    def since(job: OutboxJob) -> str:
        return job.created_at.astimezone(CHINA).strftime("%m-%d %H:%M")

    stuck = run(uplink, "stuck")
    assert lines(stuck) == [
        "平台上报: 2 项卡住, 请处理:",
        f"- 案件 {parked_case} 受理上报: 已搁置, 需人工处理 (任务 {parked.id}, 已试 1 次, 自 {since(parked)})",
        "  原因: 平台拒绝 (HTTP 400): 400 service_code G-102 已停用",
        f"- 案件 {retried_case} 受理上报: 多次重试未成功 (任务 {retrying.id}, 已试 5 次, 自 {since(retrying)})",
        f"  原因: {retrying.last_error[:200]}",
        "修正后运行 chengguan platform retry 重新发送。",
    ]
    assert retrying.last_error.startswith("PlatformUnavailable: 连不上平台 (ConnectError")
    assert lines(run(uplink, "stuck", "--min-attempts", "6"))[0] == "平台上报: 1 项卡住, 请处理:"

    standin.faults.reject_codes = set()
    standin.start()
    assert lines(run(uplink, "retry", str(retrying.id))) == ["没有被搁置的上报任务"]  # pending, not parked
    assert lines(run(uplink, "retry", str(parked.id))) == ["已重新排队 1 项"]
    drain(uplink)
    assert [standin.count(n) for n in (parked_case, retried_case)] == [1, 1]
    assert lines(run(uplink, "stuck")) == ["平台上报: 没有卡住的案件。"]


def test_poll_applies_the_platform_close_and_return_and_stuck_lists_the_return(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    closing, still_open, returned = accepted_cases(uplink, 3)
    for number in (closing, still_open, returned):
        take_steps(uplink, number, CaseStatus.DISPATCHED, CaseStatus.RECTIFYING, CaseStatus.SUBMITTED,
                   CaseStatus.VERIFIED)
    drain(uplink)
    ids = {r["description"].split("案件编号: ")[1].split()[0]: r["service_request_id"]
           for r in standin.requests.values()}
    standin.set_status(ids[closing], "closed", "已办结")
    standin.set_status(ids[returned], "open", "整改图片与问题图片角度不一致, 退回")
    assert lines(run(uplink, "poll")) == ["已查询; 仍未结案 2 件"]
    with uplink.sessions() as s:
        status = dict(s.execute(select(Case.number, Case.status)).all())
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "return")).all()
    assert status == {closing: CaseStatus.CLOSED, still_open: CaseStatus.VERIFIED, returned: CaseStatus.RETURNED}
    when = event.created_at.astimezone(CHINA).strftime("%m-%d %H:%M")
    assert lines(run(uplink, "stuck")) == [
        "平台上报: 1 项卡住, 请处理:",
        f"- 案件 {returned} 返工: 核查通过后被平台退回 (自 {when})",
        "  原因: 平台返工: 整改图片与问题图片角度不一致, 退回",
        "被平台退回的案件已通知整改人员返工; 请查看退回原因, 避免再次返工。",
    ]


def test_poll_and_sync_without_a_platform_say_what_to_set(uplink, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**env_of(uplink), "PLATFORM_OPEN311_URL": "", "PLATFORM_API_KEY": "", "PATH": "/usr/bin:/bin"}
    for command, says in (("poll", "配置错误: 未设置 PLATFORM_OPEN311_URL, 无可查询的平台"),
                          ("sync-services", "配置错误: 未设置 PLATFORM_OPEN311_URL: 请设为平台的 GeoReport v2 地址")):
        done = subprocess.run([sys.executable, "-m", "bot", "platform", command], env=env, capture_output=True,
                              text=True, timeout=60)
        assert (done.returncode, done.stdout, done.stderr.splitlines()) == (2, "", [says])  # quiet: no alembic lines
