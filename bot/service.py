"""The running service's shared parts, built once per process by create_app() or the worker."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import reactions, tokens
from bot.cards import queue as card_queue
from bot.config import Config
from bot.db import make_engine, make_read_engine, make_session_factory, webhook_concurrency
from bot.uplink.hooks import install as install_uplink
from models.calendar_days import install_loader as install_calendar_loader


@dataclass
class Service:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    # Anonymous reads: on SQLite their own connections that never take the write lock (bot.db.make_read_engine).
    read_engine: Engine
    reads: sessionmaker[Session]
    # How many webhooks this process handles at once (see bot.db.webhook_concurrency); the others wait.
    webhook_slots: threading.BoundedSemaphore

    @classmethod
    def build(cls, config: Config) -> Service:
        config.ensure_dirs()
        engine = make_engine(config.database_url)
        sessions = make_session_factory(engine)
        reactions.install(sessions)
        card_queue.install(sessions)  # a decision, however taken, settles its cards
        install_calendar_loader(engine)  # imported holiday schedules (chengguan calendar import)
        tokens.share_through(sessions)  # one WeChat/WeCom access token per app for every process
        install_uplink(sessions, config)  # queue platform pushes with accept/verify/close
        read_engine = make_read_engine(config.database_url, engine)
        return cls(config=config, engine=engine, sessions=sessions,
                   read_engine=read_engine, reads=make_session_factory(read_engine),
                   webhook_slots=threading.BoundedSemaphore(webhook_concurrency(engine)))

    def dispose(self) -> None:
        """Close every pooled connection (before a fork, or when done)."""
        self.engine.dispose()
        self.read_engine.dispose()


def current_service() -> Service:
    service: Service = current_app.extensions["chengguan"]
    return service
