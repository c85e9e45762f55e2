"""Log lines an operator can follow: each line of a webhook request carries its request id, each line of an
outbox job its job id, and both the number of the case they are about. `CHENGGUAN_LOG_FORMAT=json` writes
one JSON object per line (python-json-logger: a formatter for the standard logging module, which the whole
project and its libraries already log through; structlog would mean a second logging API beside it).

The context lives in contextvars, so threads (gunicorn's gthread worker) and jobs never see each other's
ids; a logging.Filter on the handler copies it into every record. The case is the first one a request or
job loads or creates, once that request or job has said it is about one case (`scope(bind_case=True)`):
a chat message or a job is about one case; a console page listing many is not.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


FORMAT_ENV = "CHENGGUAN_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "message")
CONTEXT_FIELDS = ("request_id", "job_id", "case_number")
REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_job_id: ContextVar[int | None] = ContextVar("job_id", default=None)
_case_number: ContextVar[str | None] = ContextVar("case_number", default=None)
_binds_case: ContextVar[bool] = ContextVar("binds_case", default=False)


class ContextFilter(logging.Filter):
    """Puts the request id, job id and case number of the current context on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id, record.job_id, record.case_number = _request_id.get(), _job_id.get(), _case_number.get()
        return True


def configure(level: int, log_format: str | None = None) -> None:
    """Our root handler, to stderr, at `level`; replaces the one set before (a command run twice in one
    process) and leaves other handlers alone (a test run's log capture)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "chengguan", False)]:
        root.removeHandler(old)
    ours = handler(log_format)
    ours.chengguan = True  # type: ignore[attr-defined]
    ours.setLevel(level)  # a library logger set to DEBUG elsewhere does not print through it
    root.addHandler(ours)
    root.setLevel(level)


def handler(log_format: str | None = None, stream: Any = None) -> logging.Handler:
    """A handler whose lines carry the context: JSON objects for `json`, else the plain text lines."""
    out = logging.StreamHandler(stream or sys.stderr)
    out.addFilter(ContextFilter())
    if (log_format or "").strip().lower() == "json":
        from pythonjsonlogger.json import JsonFormatter  # only with CHENGGUAN_LOG_FORMAT=json

        out.setFormatter(JsonFormatter(list(JSON_FIELDS + CONTEXT_FIELDS), json_ensure_ascii=False,
                                       rename_fields={"levelname": "level", "asctime": "time", "name": "logger"}))
    else:
        out.setFormatter(logging.Formatter(TEXT_FORMAT))
    return out


@contextmanager
def scope(*, request_id: str | None = None, job_id: int | None = None, bind_case: bool = False) -> Iterator[None]:
    """The context of one request or job; everything logged inside carries its ids."""
    tokens = (_request_id.set(request_id), _job_id.set(job_id), _case_number.set(None), _binds_case.set(bind_case))
    try:
        yield
    finally:
        for var, token in zip((_request_id, _job_id, _case_number, _binds_case), tokens, strict=True):
            var.reset(token)


def request_id_from(header: str | None) -> str:
    """The id a proxy in front gave the request (nginx's $request_id), when it is a plain token; else a new one."""
    if header and _SAFE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex[:16]


def bind_case(number: str | None) -> None:
    """Name the case this request or job is about (the first one named stays)."""
    if number and _binds_case.get() and _case_number.get() is None:
        _case_number.set(number)


def current_request_id() -> str | None:
    return _request_id.get()


def watch_cases() -> None:
    """Bind the first case a scope loads or creates (idempotent)."""
    from sqlalchemy import event  # here: `chengguan --help` loads this module without SQLAlchemy

    from models.cases import Case

    if not event.contains(Case, "load", _on_case):
        event.listen(Case, "load", _on_case)
        event.listen(Case, "after_insert", _on_new_case)


def _on_case(target: Any, _context: Any) -> None:
    bind_case(target.number)


def _on_new_case(_mapper: Any, _connection: Any, target: Any) -> None:
    bind_case(target.number)


def install(app: Any, case_endpoints: frozenset[str] = frozenset()) -> None:
    """Give every request of the app a request id (logged on each of its lines, returned as X-Request-Id).
    Requests to `case_endpoints` (the chat webhooks) are about one case and log its number too."""
    from flask import g, request

    watch_cases()

    def begin() -> None:
        g.log_scope = scope(request_id=request_id_from(request.headers.get(REQUEST_ID_HEADER)),
                            bind_case=request.endpoint in case_endpoints)
        g.log_scope.__enter__()

    def answer(response: Any) -> Any:
        request_id = current_request_id()
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    def end(_error: BaseException | None) -> None:
        log_scope = g.pop("log_scope", None)
        if log_scope is not None:
            log_scope.__exit__(None, None, None)

    app.before_request_funcs.setdefault(None, []).insert(0, begin)  # first: other hooks' lines carry the id
    app.after_request(answer)
    app.teardown_request(end)
