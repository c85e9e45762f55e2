"""`chengguan doctor`: one line per check of this deployment, so an admin sees what needs doing: the
database and its schema, the working-day calendar, then the photo store, the WeChat and WeCom
credentials and the city platform (bot/doctor_remote.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import text

from bot.config import Config
from bot.migrate import pending
from bot.reminders.calendar_notice import calendar_warnings
from bot.service import Service
from models import utcnow
from models.calendar import TZ


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fatal: bool = True  # a failed non-fatal check is a warning: the service runs, but someone must act

    def line(self) -> str:
        mark = "正常" if self.ok else ("错误" if self.fatal else "注意")
        return f"[{mark}] {self.name}: {self.detail}"


def run_checks(config: Config) -> Iterator[Check]:
    service = Service.build(config)
    try:
        yield from _database(service)
        yield from _calendar()
        from bot.doctor_remote import remote_checks  # it imports Check from here

        yield from remote_checks(config)
    finally:
        service.engine.dispose()


def _database(service: Service) -> Iterator[Check]:
    url = service.engine.url.render_as_string(hide_password=True)
    try:
        with service.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        behind = pending(service.engine)
    except Exception as exc:  # any driver's error: shown in one line, not a traceback
        yield Check("数据库", False, f"{url} 无法连接（{type(exc).__name__}）；检查 DATABASE_URL 和数据库服务")
        return
    yield Check("数据库", True, url)
    yield Check("数据库版本", not behind, "需要升级: chengguan db upgrade" if behind else "已是最新")


def _calendar() -> Iterator[Check]:
    warnings = calendar_warnings(utcnow().astimezone(TZ).date())
    if not warnings:
        yield Check("工作日历", True, "今年和近期的国务院放假安排已知")
    for warning in warnings:
        yield Check("工作日历", False, warning, fatal=False)
