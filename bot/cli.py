"""The `chengguan` command. `main()` turns configuration errors into one clear line, not a traceback."""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading

import click
from sqlalchemy.exc import OperationalError

from bot import __version__
from bot.config import Config, ConfigError
from bot.service import Service


@click.group(help="城管随手拍与整改核查服务 (chengguan-bot)")
@click.version_option(__version__, prog_name="chengguan")
def cli() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per photo download and platform call is noise


@cli.command(help="Run the web server and the worker (SQLite and a local photo folder by default).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="web request threads")
@click.option("--web-only", is_flag=True, help="no worker: run `chengguan worker` elsewhere (PostgreSQL, several hosts)")
def serve(host: str, port: int, threads: int, web_only: bool) -> None:
    from bot.supervisor import WORKER_NICENESS, ChildProcess

    service = _ready_service()  # migrates the embedded database before the children start
    database = _safe_url(service)
    service.engine.dispose()  # each child builds its own
    web_failed = threading.Event()
    web = ChildProcess("web server", ["web", "--host", host, "--port", str(port), "--threads", str(threads)],
                       on_early_exit=web_failed)
    # Lower priority for the worker: under load the CPU goes to answering WeChat first; photo work
    # may lag a little (media stay downloadable for three days), a webhook reply may not.
    worker = None if web_only else ChildProcess("worker", ["worker"], niceness=WORKER_NICENESS)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # so the children are stopped on the way out
    web.start()
    if worker is not None:
        worker.start()
    only = " (仅网页服务; 任务由 chengguan worker 处理)" if web_only else ""
    click.echo(f"chengguan {__version__} 已启动: http://{host}:{port}  数据库: {database}{only}")
    _echo_calendar_warnings()
    try:
        while not web_failed.wait(1.0):
            pass
        raise ConfigError(f"网页服务未能启动 (退出码 {web.early_exit_code}); 端口 {port} 是否已被占用? "
                          f"换一个: chengguan serve --port 8001")
    finally:
        if worker is not None:
            worker.stop()
        web.stop()


@cli.command(hidden=True, help="Run only the web server (serve runs it as a child process).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def web(host: str, port: int, threads: int) -> None:
    from bot import webserver
    from bot.supervisor import exit_when_orphaned

    exit_when_orphaned()
    webserver.run(host, port, threads)


@cli.command(help="Run only the outbox worker (production: next to gunicorn, see Procfile).")
def worker() -> None:
    from bot.jobs import job_handlers
    from bot.scheduler import build_scheduler
    from bot.supervisor import exit_when_orphaned
    from bot.worker import Worker

    service = _ready_service()
    scheduler = build_scheduler(service)
    scheduler.start()
    click.echo(f"chengguan worker 已启动  数据库: {_safe_url(service)}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # finish the job in hand, then exit
    exit_when_orphaned()
    worker = Worker(service, job_handlers())
    gc.freeze()  # as in bot.webserver: no full collection walks the loaded libraries' objects again
    try:
        worker.run_forever(stop)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=False)


@cli.group(help="Database schema (Alembic migrations).")
def db() -> None:
    pass


@db.command("upgrade", help="Apply all pending migrations.")
def db_upgrade() -> None:
    from bot.migrate import upgrade

    config = Config.from_env()
    config.ensure_dirs()
    upgrade(config.database_url)
    click.echo("数据库已升级到最新版本")


@cli.command(help="检查本部署: 数据库、迁移版本、工作日历，每项一行")
def doctor() -> None:
    from bot.doctor import run_checks

    checks = list(run_checks(Config.from_env()))
    for check in checks:
        click.echo(check.line())
    if any(not c.ok and c.fatal for c in checks):
        sys.exit(1)


def _exit_on_sigterm(*_: object) -> None:
    raise SystemExit(0)


def _ready_service() -> Service:
    """The embedded default migrates itself; a server database must be upgraded on purpose."""
    from bot.migrate import pending, upgrade

    config = Config.from_env()
    service = Service.build(config)
    if config.is_embedded_sqlite:
        upgrade(config.database_url)
    elif pending(service.engine):
        raise ConfigError("the database schema is not up to date; run `chengguan db upgrade` first")
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
    from bot.admin_cli import staff, streets, units
    from bot.calendar_cli import calendar_cli
    from bot.jobs_cli import jobs_cli
    from bot.notices.cli import notices_cli
    from bot.reminders.cli import groups_cli
    from bot.reports.cli import report_cli
    from bot.simulator.chat import chat_command
    from bot.uplink.cli import platform_cli
    from photocheck.cli import photocheck_cli

    for command in (chat_command, staff, streets, units):
        cli.add_command(command)
    for name, group in (("platform", platform_cli), ("groups", groups_cli), ("report", report_cli),
                        ("photocheck", photocheck_cli), ("calendar", calendar_cli), ("jobs", jobs_cli),
                        ("notices", notices_cli)):
        cli.add_command(group, name)


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
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        click.echo(f"数据库连接失败: {reason}; check DATABASE_URL and that the server is running", err=True)
        sys.exit(3)
