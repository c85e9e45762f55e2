"""Prometheus metrics at /metrics, for an operations team that wants numbers rather than logs.

Two kinds: what this web process measures itself (webhook latency and answers by channel), and what
the database knows for every process at once (outbox depth and age by job kind, parked jobs, photo
verdicts), read when the endpoint is scraped, so several web and worker processes need no shared
metrics directory. The endpoint answers only with `Authorization: Bearer $CHENGGUAN_METRICS_TOKEN`;
without the setting it does not exist (404).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterator

from flask import Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.notices.queue import KIND as NOTICE, UNDELIVERABLE_PREFIX
from models import OutboxJob, Photo, PhotoRole, utcnow
from models.outbox import JobStatus

WEBHOOK_ENDPOINTS = {"wechat_mp.callback": "mp", "wechat_work.callback": "work"}
# WeChat gives up after 5 s; the buckets resolve the part that matters, well under it.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# A pair check takes a fraction of a second to a few seconds on 2 cores; the officer waits for it.
CHECK_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
CHECK_SECONDS = "seconds"  # the key of Photo.check_result that keeps how long the check took


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time, with one short read-only session."""

    def __init__(self, read_session: Callable[[], Session]) -> None:
        self._read_session = read_session

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily("chengguan_outbox_jobs", "Outbox jobs not done, by kind and state "
                                 "(pending: never failed; retrying: failed before; parked: waits for a person)",
                                 labels=["kind", "state"])
        oldest = GaugeMetricFamily("chengguan_outbox_oldest_pending_age_seconds",
                                   "Age of the oldest pending job, by kind", labels=["kind"])
        verdicts = GaugeMetricFamily("chengguan_photocheck_verdicts",
                                     "Rectification photos checked, by verdict", labels=["verdict"])
        failing = GaugeMetricFamily("chengguan_outbox_failing_jobs", "Pending jobs whose last try failed and that "
                                    "wait for their next try, by kind (open311.*/webhook.*: the platform's errors)",
                                    labels=["kind"])
        check_time = HistogramMetricFamily("chengguan_photocheck_seconds", "Time to check a rectification "
                                           "photo against its problem photo, by verdict", labels=["verdict"])
        undeliverable = GaugeMetricFamily("chengguan_notices_undeliverable",
                                          "Notices to residents parked as undeliverable (no window, no subscription)")
        now = utcnow()
        with self._read_session() as session:
            for kind, state, count in session.execute(_job_counts()):
                jobs.add_metric([kind, state], count)
            for kind, first in session.execute(_oldest_pending()):
                oldest.add_metric([kind], max((now - first).total_seconds(), 0.0))
            for ok, count in session.execute(_verdict_counts()):
                verdicts.add_metric(["pass" if ok else "fail"], count)
            for kind, count in session.execute(_failing_counts()):
                failing.add_metric([kind], count)
            for ok, *at_most, checked, total in session.execute(_check_time_buckets()):
                buckets = [(str(bound), n) for bound, n in zip(CHECK_BUCKETS, at_most, strict=True)]
                check_time.add_metric(["pass" if ok else "fail"], [*buckets, ("+Inf", checked)], total or 0.0)
            undeliverable.add_metric([], session.scalar(_undeliverable_count()) or 0)
        yield from (jobs, oldest, verdicts, check_time, failing, undeliverable)


def _job_counts():  # type: ignore[no-untyped-def]
    state = case((OutboxJob.status == JobStatus.PARKED, "parked"), (OutboxJob.attempts > 0, "retrying"),
                 else_="pending")
    return (select(OutboxJob.kind, state, func.count()).where(OutboxJob.status != JobStatus.DONE)
            .group_by(OutboxJob.kind, state))


def _oldest_pending():  # type: ignore[no-untyped-def]
    return (select(OutboxJob.kind, func.min(OutboxJob.created_at)).where(OutboxJob.status == JobStatus.PENDING)
            .group_by(OutboxJob.kind))


def _failing_counts():  # type: ignore[no-untyped-def]
    return (select(OutboxJob.kind, func.count())
            .where(OutboxJob.status == JobStatus.PENDING, OutboxJob.attempts > 0, OutboxJob.last_error.is_not(None),
                   OutboxJob.locked_until.is_(None))
            .group_by(OutboxJob.kind))


def _undeliverable_count():  # type: ignore[no-untyped-def]
    return (select(func.count()).select_from(OutboxJob)
            .where(OutboxJob.kind == NOTICE, OutboxJob.status == JobStatus.PARKED,
                   OutboxJob.last_error.startswith(UNDELIVERABLE_PREFIX)))


def _verdict_counts():  # type: ignore[no-untyped-def]
    ok = Photo.check_result["ok"].as_boolean()
    return (select(ok, func.count()).where(Photo.role == PhotoRole.RECTIFICATION, ok.is_not(None))
            .group_by(ok))


def _check_time_buckets():  # type: ignore[no-untyped-def]
    """Per verdict: the cumulative count at or under each bound, the count of all, and their sum."""
    seconds = Photo.check_result[CHECK_SECONDS].as_float()
    ok = Photo.check_result["ok"].as_boolean()
    at_most = [func.count(case((seconds <= bound, 1))) for bound in CHECK_BUCKETS]
    return (select(ok, *at_most, func.count(), func.sum(seconds))
            .where(Photo.role == PhotoRole.RECTIFICATION, seconds.is_not(None)).group_by(ok))


class Metrics:
    def __init__(self, read_session: Callable[[], Session]) -> None:
        self.registry = CollectorRegistry()
        self.webhook_seconds = Histogram(
            "chengguan_webhook_seconds", "Time to answer a WeChat/WeCom callback, by channel",
            ["channel"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.webhook_answers = Counter(
            "chengguan_webhook_answers", "Callbacks answered, by channel and HTTP status",
            ["channel", "status"], registry=self.registry)
        self.registry.register(DatabaseCollector(read_session))

    def install(self, app: Flask, token: str) -> None:
        app.before_request(self._start)
        app.after_request(self._observe)
        if token:
            app.add_url_rule("/metrics", "metrics", lambda: self._scrape(token))

    def _start(self) -> None:
        g.metrics_started = time.perf_counter()

    def _observe(self, response: Response) -> Response:
        channel = WEBHOOK_ENDPOINTS.get(request.endpoint or "")
        started = g.get("metrics_started")
        if channel is not None and started is not None:
            self.webhook_seconds.labels(channel).observe(time.perf_counter() - started)
            self.webhook_answers.labels(channel, str(response.status_code)).inc()
        return response

    def _scrape(self, token: str) -> Response:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(offered.encode(), token.encode()):
            abort(401)
        return Response(generate_latest(self.registry), content_type=CONTENT_TYPE_LATEST)
