"""The `chengguan` command. `main()` turns configuration errors into one clear line, not a traceback."""

from __future__ import annotations

import gc
import logging
import os
import secrets
import signal
import sys
import threading
from typing import TYPE_CHECKING

import click

from bot import __version__, clitext, logs
from bot.configerror import ConfigError
from bot.lazygroup import LazyCommand, LazyGroup
from bot.reports.fonts import NoChineseFont

if TYPE_CHECKING:
    from bot.service import Service

WORKER_THREADS_MAX = 4  # bot.worker_pool.MAX_CONCURRENCY, kept here so the CLI starts without importing it

# Imported only when named (or listed by _attach_commands): `chengguan --help` starts in well under a second.
LAZY_COMMANDS = {
    "chat": LazyCommand("bot.simulator.chat:chat_command",
                        "在终端里以公众号市民的身份与服务对话 (经 HTTP 发送真实签名的 XML)。"),
    "staff": LazyCommand("bot.admin_cli:staff", "工作人员 (路长、队员、审核员、管理员) 及其企业微信邀请码。"),
    "streets": LazyCommand("bot.admin_cli:streets", "街道及其边界。"),
    "units": LazyCommand("bot.admin_cli:units", "责任单位与派遣规则表。"),
    "platform": LazyCommand("bot.uplink.cli:platform_cli",
                            "上报城市平台 (Open311 GeoReport v2 / webhook) 及本服务的 GeoReport 接口。"),
    "groups": LazyCommand("bot.reminders.cli:groups_cli", "工作群: 每日到期提醒与月度通报发往哪些群"),
    "report": LazyCommand("bot.reports.cli:report_cli", "月度综合评价: 排名、台账、通报"),
    "photocheck": LazyCommand("photocheck.cli:photocheck_cli", "整改照片核验: 是否翻拍/复用, 是否同一角度。"),
    "calendar": LazyCommand("bot.calendar_cli:calendar_cli", "工作日历: 查看和导入国务院放假安排"),
    "jobs": LazyCommand("bot.jobs_cli:jobs_cli", "等待人工决定的后台任务 (被搁置的任务)。"),
    "console": LazyCommand("console.cli:console_cli", "网页控制台 (/console/): 管理员和审核员的登录账号"),
    "notices": LazyCommand("bot.notices.cli:notices_cli", "给市民的通知 (已受理、不予受理、已办结、满意度评价)"),
    "wechat": LazyCommand("bot.wechat_cli:wechat_cli", "公众号设置 (菜单)"),
    "grids": LazyCommand("bot.grids_cli:grids", "单元网格 (GB/T 30428) 与社区。"),
    "privacy": LazyCommand("bot.privacy.cli:privacy_cli",
                           "个人信息: 保存了什么、保存多久 (CHENGGUAN_RETENTION_DAYS)"),
}


@click.group(cls=LazyGroup, lazy_commands=LAZY_COMMANDS, on_load=clitext.install,
             help="城管随手拍与整改核查服务 (chengguan-bot)")
@click.version_option(__version__, prog_name="chengguan", help="显示版本并退出。")
@click.option("-v", "--verbose", is_flag=True, help="显示运行日志 (包括数据库迁移)")
def cli(verbose: bool) -> None:
    # Admin commands print their result and nothing else; the service's own logs stay on for serve/worker.
    logs.configure(logging.INFO if verbose else logging.WARNING, os.environ.get(logs.FORMAT_ENV))
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per photo download and platform call is noise


@cli.command(help="启动网页服务和后台任务 (默认: 数据目录下的 SQLite 数据库和照片文件夹)。")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="监听端口")
@click.option("--threads", default=8, show_default=True, type=int, help="网页请求线程数")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64), help="网页服务进程数")
@click.option("--web-only", is_flag=True, help="不运行后台任务: 由别处的 chengguan worker 处理 (PostgreSQL, 多台主机)")
def serve(host: str, port: int, threads: int, processes: int, web_only: bool) -> None:
    from bot.channels.readiness import channel_lines
    from bot.startup import INSTANCE_ENV, port_taken, wait_until_answering
    from bot.supervisor import WORKER_NICENESS, ChildProcess

    logging.getLogger("bot").setLevel(logging.INFO)
    _check_web_server()
    _check_analysis_priority()  # the worker child's setting: refused here, not by a child restarted in a loop
    if port_taken(host, port):
        raise ConfigError(f"端口 {port} 已被占用: 换一个端口, 如 chengguan serve --port {port + 1}")
    service = _ready_service()  # migrates the embedded database before the children start
    database = _safe_url(service)
    service.dispose()  # each child builds its own
    web_failed = threading.Event()
    web = ChildProcess("web server", ["web", "--host", host, "--port", str(port), "--threads", str(threads),
                                      "--processes", str(processes)], on_early_exit=web_failed)
    # Normal priority: the worker takes SQLite's write lock, and at nice 10 it was preempted inside its
    # transactions while webhooks waited. Its CPU-heavy photo analysis runs lower (bot.analysis).
    worker = None if web_only else ChildProcess("worker", ["worker"], niceness=WORKER_NICENESS)
    stopping = threading.Event()
    # Ctrl-C and SIGTERM only set a flag, and the children are stopped below. An exception raised in a
    # signal handler can land inside a garbage-collector callback, where Python prints and drops it:
    # serve then kept running after SIGTERM.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    base = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    # The web child reports it on /healthz: a server another process started on this port meanwhile is not ours.
    instance = os.environ.setdefault(INSTANCE_ENV, secrets.token_hex(8))
    web.start()
    if worker is not None:
        worker.start()
    only = " (仅网页服务; 任务由 chengguan worker 处理)" if web_only else ""
    try:
        if wait_until_answering(f"{base}/healthz", alive=lambda: not (web_failed.is_set() or stopping.is_set()),
                                instance=instance):
            click.echo(f"chengguan {__version__} 已启动: {base}  数据库: {database}{only}")
            for line in channel_lines(service.config, base):
                click.echo(f"  {line}")
            _echo_calendar_warnings()
            click.echo("按 Ctrl-C 停止")
            while not (web_failed.is_set() or stopping.wait(0.5)):
                pass
        if not stopping.is_set():
            raise ConfigError(f"网页服务未能启动 (退出码 {web.early_exit_code}); 用 chengguan -v serve 查看原因")
        click.echo("正在停止…")
    finally:
        if worker is not None:
            worker.stop()
        web.stop()
    click.echo("已停止")


def _check_web_server() -> None:
    from bot.webserver import UnknownServer, chosen_server

    try:
        chosen_server()
    except UnknownServer as exc:
        raise ConfigError(str(exc)) from None


def _check_analysis_priority() -> None:
    from bot.analysis import UnknownPriority, idle_chosen

    try:
        idle_chosen()
    except UnknownPriority as exc:
        raise ConfigError(str(exc)) from None


@cli.command(hidden=True, help="只运行网页服务 (serve 以子进程方式运行它)。")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64))
def web(host: str, port: int, threads: int, processes: int) -> None:
    from bot import webserver
    from bot.supervisor import exit_when_orphaned

    logging.getLogger("bot").setLevel(logging.INFO)
    exit_when_orphaned()
    webserver.run(host, port, threads, processes=processes)


@cli.command(help="只运行后台任务 (生产环境与 gunicorn 并行, 见 Procfile)。")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, WORKER_THREADS_MAX),
              help="同时处理任务的线程数 (大于 1 需要 PostgreSQL; 更多则多开 worker 进程)")
def worker(concurrency: int) -> None:
    from bot.jobs import job_handlers
    from bot.scheduler import build_scheduler
    from bot.supervisor import PARENT_ENV, exit_when_orphaned
    from bot.worker_pool import check_concurrency, run_workers

    from bot.config import Config

    logging.getLogger("bot").setLevel(logging.INFO)
    check_concurrency(Config.from_env(), concurrency)  # before anything is migrated or started
    _check_analysis_priority()
    service = _ready_service()
    scheduler = build_scheduler(service)
    scheduler.start()
    if not os.environ.get(PARENT_ENV):  # under serve, serve says it once for both
        click.echo(f"chengguan worker 已启动  数据库: {_safe_url(service)}"
                   + (f"  并发: {concurrency}" if concurrency > 1 else ""))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # finish the job in hand, then exit
    exit_when_orphaned()
    gc.freeze()  # as in bot.webserver: no full collection walks the loaded libraries' objects again
    from bot import analysis

    analysis.start(processes=concurrency)  # photo analysis in low-priority children; this process takes the write lock
    try:
        run_workers(service, job_handlers(), concurrency, stop)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=False)
        analysis.stop()


@cli.group(help="数据库结构 (Alembic 迁移)。")
def db() -> None:
    pass


@db.command("upgrade", help="执行所有未执行的数据库迁移。")
def db_upgrade() -> None:
    from bot.config import Config
    from bot.migrate import upgrade

    config = Config.from_env()
    config.ensure_dirs()
    upgrade(config.database_url)
    click.echo("数据库已升级到最新版本")


@cli.command(help="检查本部署: 数据库、迁移版本、工作日历、照片存储、微信和企业微信凭据、城市平台，每项一行")
def doctor() -> None:
    from bot.config import Config
    from bot.doctor import run_checks

    checks = list(run_checks(Config.from_env()))
    for check in checks:
        click.echo(check.line())
    if any(not c.ok and c.fatal for c in checks):
        sys.exit(1)


def _ready_service() -> Service:
    """The embedded default migrates itself; a server database must be upgraded on purpose."""
    from bot.config import Config
    from bot.migrate import pending, upgrade
    from bot.service import Service

    config = Config.from_env()
    service = Service.build(config)
    if config.is_embedded_sqlite:
        upgrade(config.database_url)
    elif pending(service.engine):
        raise ConfigError("数据库结构不是最新版本: 请先运行 chengguan db upgrade")
    return service


def _echo_calendar_warnings() -> None:
    from bot.reminders.calendar_notice import calendar_warnings
    from models import utcnow
    from models.calendar import TZ

    for warning in calendar_warnings(utcnow().astimezone(TZ).date()):
        click.echo(f"注意: {warning}")


def _safe_url(service: Service) -> str:
    return service.engine.url.render_as_string(hide_password=True)


def _attach_commands() -> None:
    """Load every subcommand now (tests walk the whole tree); main() loads only the one named."""
    cli.load_all()
    clitext.install(cli)


def main() -> None:
    clitext.install(cli)
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("已取消", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"配置错误: {exc}", err=True)
        sys.exit(2)
    except NoChineseFont as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except Exception as exc:
        reason = _unreachable_database(exc)
        if reason is None:
            raise
        click.echo(f"数据库连接失败: {reason}; 请检查 DATABASE_URL 并确认数据库服务已启动", err=True)
        sys.exit(3)


def _unreachable_database(exc: Exception) -> str | None:
    """Why the database could not be reached, or None for any other error. Without SQLAlchemy loaded no
    database was touched, and importing it only to check would cost a second of start-up."""
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is None or not isinstance(exc, sqlalchemy_exc.OperationalError):
        return None
    return str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
