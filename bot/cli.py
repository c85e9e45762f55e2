"""The `chengguan` command. `main()` turns configuration errors into one clear line, not a traceback."""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading

import click
from sqlalchemy.exc import OperationalError

from bot import __version__, logs
from bot.config import Config, ConfigError
from bot.reports.fonts import NoChineseFont
from bot.service import Service
from bot.worker_pool import MAX_CONCURRENCY


@click.group(help="城管随手拍与整改核查服务 (chengguan-bot)")
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
@click.option("--web-only", is_flag=True, help="不运行后台任务: 由别处的 chengguan worker 处理 (PostgreSQL, 多台主机)")
def serve(host: str, port: int, threads: int, web_only: bool) -> None:
    from bot.channels.readiness import channel_lines
    from bot.startup import port_taken, wait_until_answering
    from bot.supervisor import WORKER_NICENESS, ChildProcess

    logging.getLogger("bot").setLevel(logging.INFO)
    if port_taken(host, port):
        raise ConfigError(f"端口 {port} 已被占用: 换一个端口, 如 chengguan serve --port {port + 1}")
    service = _ready_service()  # migrates the embedded database before the children start
    database = _safe_url(service)
    service.dispose()  # each child builds its own
    web_failed = threading.Event()
    web = ChildProcess("web server", ["web", "--host", host, "--port", str(port), "--threads", str(threads)],
                       on_early_exit=web_failed)
    # Lower priority for the worker: under load the CPU goes to answering WeChat first; photo work
    # may lag a little (media stay downloadable for three days), a webhook reply may not.
    worker = None if web_only else ChildProcess("worker", ["worker"], niceness=WORKER_NICENESS)
    stopping = threading.Event()
    # Ctrl-C and SIGTERM only set a flag, and the children are stopped below. An exception raised in a
    # signal handler can land inside a garbage-collector callback, where Python prints and drops it:
    # serve then kept running after SIGTERM.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    base = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    web.start()
    if worker is not None:
        worker.start()
    only = " (仅网页服务; 任务由 chengguan worker 处理)" if web_only else ""
    try:
        if wait_until_answering(f"{base}/healthz", alive=lambda: not (web_failed.is_set() or stopping.is_set())):
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


@cli.command(hidden=True, help="只运行网页服务 (serve 以子进程方式运行它)。")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def web(host: str, port: int, threads: int) -> None:
    from bot import webserver
    from bot.supervisor import exit_when_orphaned

    logging.getLogger("bot").setLevel(logging.INFO)
    exit_when_orphaned()
    webserver.run(host, port, threads)


@cli.command(help="只运行后台任务 (生产环境与 gunicorn 并行, 见 Procfile)。")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, MAX_CONCURRENCY),
              help="同时处理任务的线程数 (大于 1 需要 PostgreSQL; 更多则多开 worker 进程)")
def worker(concurrency: int) -> None:
    from bot.jobs import job_handlers
    from bot.scheduler import build_scheduler
    from bot.supervisor import PARENT_ENV, exit_when_orphaned
    from bot.worker_pool import check_concurrency, run_workers

    logging.getLogger("bot").setLevel(logging.INFO)
    check_concurrency(Config.from_env(), concurrency)  # before anything is migrated or started
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
    try:
        run_workers(service, job_handlers(), concurrency, stop)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=False)


@cli.group(help="数据库结构 (Alembic 迁移)。")
def db() -> None:
    pass


@db.command("upgrade", help="执行所有未执行的数据库迁移。")
def db_upgrade() -> None:
    from bot.migrate import upgrade

    config = Config.from_env()
    config.ensure_dirs()
    upgrade(config.database_url)
    click.echo("数据库已升级到最新版本")


@cli.command(help="检查本部署: 数据库、迁移版本、工作日历、照片存储、微信和企业微信凭据、城市平台，每项一行")
def doctor() -> None:
    from bot.doctor import run_checks

    checks = list(run_checks(Config.from_env()))
    for check in checks:
        click.echo(check.line())
    if any(not c.ok and c.fatal for c in checks):
        sys.exit(1)


def _ready_service() -> Service:
    """The embedded default migrates itself; a server database must be upgraded on purpose."""
    from bot.migrate import pending, upgrade

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
    from bot import clitext
    from bot.admin_cli import staff, streets, units
    from bot.calendar_cli import calendar_cli
    from bot.grids_cli import grids
    from bot.wechat_cli import wechat_cli
    from bot.jobs_cli import jobs_cli
    from bot.notices.cli import notices_cli
    from bot.privacy.cli import privacy_cli
    from bot.reminders.cli import groups_cli
    from bot.reports.cli import report_cli
    from bot.simulator.chat import chat_command
    from bot.uplink.cli import platform_cli
    from console.cli import console_cli
    from photocheck.cli import photocheck_cli

    for command in (chat_command, staff, streets, units, grids):
        cli.add_command(command)
    for name, group in (("platform", platform_cli), ("groups", groups_cli), ("report", report_cli),
                        ("photocheck", photocheck_cli), ("calendar", calendar_cli), ("jobs", jobs_cli),
                        ("console", console_cli), ("notices", notices_cli), ("wechat", wechat_cli),
                        ("privacy", privacy_cli)):
        cli.add_command(group, name)
    clitext.install(cli)


def main() -> None:
    _attach_commands()
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
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        click.echo(f"数据库连接失败: {reason}; 请检查 DATABASE_URL 并确认数据库服务已启动", err=True)
        sys.exit(3)
