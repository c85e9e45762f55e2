"""/metrics speaks the Prometheus text format (parsed here by the client's own parser), only to a bearer of
CHENGGUAN_METRICS_TOKEN, with webhook latency by channel and the database's outbox and verdict gauges, and the
photocheck time histogram that workers on any host leave with each verdict."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from bot.app import create_app
from bot.db import make_engine, transaction
from bot.metrics import CHECK_SECONDS
from bot.notices.queue import KIND as NOTICE, UNDELIVERABLE_PREFIX
from models import OutboxJob, Photo, PhotoRole, PhotoStatus, utcnow
from models.outbox import JobStatus, enqueue
from tests.staff.scenario import SAME_ANGLE, case_in_rectification, send_photo

METRICS_TOKEN = "metrics-token-for-tests"


@pytest.fixture
def metrics_service(mp_service):  # type: ignore[no-untyped-def]
    mp_service.config = dataclasses.replace(mp_service.config, metrics_token=METRICS_TOKEN)
    return mp_service


def scrape(http) -> list[Sample]:  # type: ignore[no-untyped-def]
    answer = http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain; version=")
    return [sample for family in text_string_to_metric_families(answer.text) for sample in family.samples]


def sample(samples: list[Sample], name: str, **labels: str) -> float | None:
    """The one sample of that name whose labels include `labels`; None when there is none."""
    found = [s.value for s in samples if s.name == name and s.labels.items() >= labels.items()]
    assert len(found) <= 1, found
    return found[0] if found else None


def test_metrics_need_the_token_and_do_not_exist_without_it(metrics_service, mp_service) -> None:  # type: ignore[no-untyped-def]
    client = create_app(service=metrics_service).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    metrics_service.config = dataclasses.replace(metrics_service.config, metrics_token="")
    assert create_app(service=metrics_service).test_client().get(
        "/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_webhook_latency_outbox_depth_and_verdicts(metrics_service, new_user, http, wechat_api) -> None:  # type: ignore[no-untyped-def]
    resident = new_user()
    resident.send_text("帮助")
    resident.send_text("查询")
    with transaction(metrics_service.sessions) as s:
        enqueue(s, "notify.text", {"x": 1})
        retrying = enqueue(s, "notify.text", {"x": 2})
        parked = enqueue(s, "uplink.open311", {"x": 3})
        s.flush()
        retrying.attempts = 2
        parked.status = JobStatus.PARKED
        old = enqueue(s, "photo.fetch", {"x": 4})
        failed = enqueue(s, "open311.push", {"x": 5})
        gone = enqueue(s, NOTICE, {"x": 6})
        running = enqueue(s, "open311.push", {"x": 7})
        s.flush()
        failed.attempts, failed.last_error = 1, "PlatformUnavailable: 503"
        gone.status, gone.last_error = JobStatus.PARKED, UNDELIVERABLE_PREFIX + "客服窗口已关闭"
        running.attempts, running.locked_until = 1, utcnow() + timedelta(minutes=1)  # claimed, not failed
        old.created_at = utcnow() - timedelta(minutes=10)
        for ok in (True, True, False):
            s.add(Photo(role=PhotoRole.RECTIFICATION, status=PhotoStatus.STORED, check_result={"ok": ok}))
        s.add(Photo(role=PhotoRole.PROBLEM, status=PhotoStatus.STORED))

    families = scrape(http)
    assert sample(families, "chengguan_webhook_seconds_count", channel="mp") == 2
    assert sample(families, "chengguan_webhook_seconds_bucket", channel="mp", le="5.0") == 2
    assert sample(families, "chengguan_webhook_answers_total", channel="mp", status="200") == 2
    assert sample(families, "chengguan_outbox_jobs", kind="notify.text", state="pending") == 1
    assert sample(families, "chengguan_outbox_jobs", kind="notify.text", state="retrying") == 1
    assert sample(families, "chengguan_outbox_jobs", kind="uplink.open311", state="parked") == 1
    assert 590 < sample(families, "chengguan_outbox_oldest_pending_age_seconds", kind="photo.fetch") < 900
    assert sample(families, "chengguan_photocheck_verdicts", verdict="pass") == 2
    assert sample(families, "chengguan_photocheck_verdicts", verdict="fail") == 1
    assert sample(families, "chengguan_webhook_seconds_count", channel="work") is None
    assert sample(families, "chengguan_outbox_failing_jobs", kind="open311.push") == 1
    assert sample(families, "chengguan_outbox_failing_jobs", kind="notify.text") is None  # retrying, no error kept
    assert sample(families, "chengguan_notices_undeliverable") == 1


def test_a_scrape_does_not_wait_for_a_writer(metrics_service, database_url) -> None:  # type: ignore[no-untyped-def]
    client = create_app(service=metrics_service).test_client()
    writer = make_engine(database_url)  # another process's write transaction holds the lock meanwhile
    answers: list = []
    scraper = threading.Thread(target=lambda: answers.append(client.get(
        "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})), daemon=True)
    try:
        with writer.begin() as connection:
            connection.exec_driver_sql("UPDATE outbox SET attempts = attempts")
            scraper.start()
            scraper.join(timeout=20)
            assert not scraper.is_alive(), "the scrape waited for the writer"
    finally:
        scraper.join(timeout=60)
        writer.dispose()
    assert [a.status_code for a in answers] == [200]


def test_photocheck_time_is_a_histogram_by_verdict(metrics_service, http) -> None:  # type: ignore[no-untyped-def]
    with transaction(metrics_service.sessions) as s:
        for ok, seconds in ((True, 0.3), (True, 1.5), (False, 12.0)):
            s.add(Photo(role=PhotoRole.RECTIFICATION, status=PhotoStatus.STORED,
                        check_result={"ok": ok, CHECK_SECONDS: seconds}))
        s.add(Photo(role=PhotoRole.RECTIFICATION, status=PhotoStatus.STORED, check_result={"ok": False}))  # unchecked

    families = scrape(http)
    assert sample(families, "chengguan_photocheck_seconds_count", verdict="pass") == 2
    assert sample(families, "chengguan_photocheck_seconds_sum", verdict="pass") == pytest.approx(1.8)
    assert sample(families, "chengguan_photocheck_seconds_bucket", verdict="pass", le="0.25") == 0
    assert sample(families, "chengguan_photocheck_seconds_bucket", verdict="pass", le="0.5") == 1
    assert sample(families, "chengguan_photocheck_seconds_bucket", verdict="pass", le="2.0") == 2
    assert sample(families, "chengguan_photocheck_seconds_bucket", verdict="pass", le="+Inf") == 2
    assert sample(families, "chengguan_photocheck_seconds_bucket", verdict="fail", le="10.0") == 0
    assert sample(families, "chengguan_photocheck_seconds_bucket", verdict="fail", le="30.0") == 1
    assert sample(families, "chengguan_photocheck_seconds_count", verdict="fail") == 1
    assert sample(families, "chengguan_photocheck_verdicts", verdict="fail") == 2  # the counter counts both


def test_the_check_that_runs_in_the_worker_is_timed(metrics_service, http, wechat_api, new_user, new_staff,  # type: ignore[no-untyped-def]
                                                    run_worker) -> None:
    number, _, officer = case_in_rectification(metrics_service, wechat_api, new_user, new_staff, run_worker)
    assert sample(scrape(http), "chengguan_photocheck_seconds_count", verdict="pass") is None
    send_photo(officer, wechat_api, SAME_ANGLE)
    run_worker()
    assert "核验通过" in wechat_api.wait_for_message(officer.openid)[-1]

    families = scrape(http)
    assert sample(families, "chengguan_photocheck_seconds_count", verdict="pass") == 1
    assert 0 < sample(families, "chengguan_photocheck_seconds_sum", verdict="pass") < 60
    assert sample(families, "chengguan_photocheck_seconds_count", verdict="fail") is None
