"""Case steps reach the stand-in platform exactly once, whatever the platform does in between."""

from __future__ import annotations

from sqlalchemy import select

from click.testing import CliRunner

from bot.db import transaction
from bot.uplink.cli import retry_cmd
from models import AuditEvent, Case, CaseStatus, JobStatus, Role
from models.platform import PlatformDelivery
from tests.factories import make_user
from tests.uplink.helpers import accepted_cases, drain, jobs, new_case, take_steps

S = CaseStatus


def delivery(service, number: str) -> PlatformDelivery:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return s.scalars(select(PlatformDelivery).join(Case, Case.id == PlatformDelivery.case_id)
                         .where(Case.number == number)).one()


def test_accept_queues_one_push_in_the_same_transaction(uplink) -> None:  # type: ignore[no-untyped-def]
    [number] = accepted_cases(uplink, 1)
    pushes = jobs(uplink, "open311.push")
    assert [(j.payload["action"], j.idempotency_key.split(":")[-1]) for j in pushes] == [("accept", "accept")]
    with transaction(uplink.sessions) as s:  # an unrelated flush of the same case adds nothing
        s.scalars(select(Case).where(Case.number == number)).one().description += "。"
    assert len(jobs(uplink, "open311.push")) == 1


def test_a_rolled_back_accept_queues_nothing(uplink) -> None:  # type: ignore[no-untyped-def]
    try:
        with transaction(uplink.sessions) as s:
            case = new_case(s, lat=39.9, lon=116.3)
            case.transition(S.ACCEPTED, make_user(s, Role.REVIEWER))
            s.flush()
            raise RuntimeError("the reviewer's transaction fails")
    except RuntimeError:
        pass
    assert jobs(uplink) == []


def test_cases_are_filed_with_form_fields_and_signed_photo_links(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    numbers = accepted_cases(uplink, 3, with_photo=True)
    drain(uplink)
    assert [standin.count(n) for n in numbers] == [1, 1, 1]
    request = next(r for r in standin.requests.values() if numbers[0] in r["description"])
    assert request["service_code"] == "G-102" and request["lat"].startswith("39.9")
    assert request["media_url"].startswith("http://127.0.0.1:9/media/")
    assert f"案件编号: {numbers[0]}" in request["description"]
    assert delivery(uplink, numbers[0]).service_request_id == request["service_request_id"]


def test_platform_down_for_hours_then_back(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    standin.stop()
    numbers = accepted_cases(uplink, 5)
    rounds = {"n": 0}

    def come_back_after_a_while() -> None:
        rounds["n"] += 1
        if rounds["n"] == 8:  # back-off 30 s … 1 h: eight rounds stand for hours down
            standin.start()

    drain(uplink, between=come_back_after_a_while)
    assert [standin.count(n) for n in numbers] == [1] * 5
    # eight refused rounds, then one that files: every push ran exactly nine times
    assert ran(uplink) == [("open311.push", JobStatus.DONE, 9)] * 5
    assert standin.posts == 5


def test_500_then_success_sends_once(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    standin.faults.fail_next = 3
    numbers = accepted_cases(uplink, 2)
    drain(uplink)
    assert [standin.count(n) for n in numbers] == [1, 1]
    # round 1: both POSTs get a 500; round 2: the first one's "already filed?" lookup gets the third 500,
    # the second looks up, then files; round 3: the first looks up, then files.
    assert ran(uplink) == [("open311.push", JobStatus.DONE, 3), ("open311.push", JobStatus.DONE, 2)]
    assert standin.posts == 4


def test_connection_dropped_after_the_platform_recorded_it_is_not_sent_twice(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    standin.faults.drop_next = 2
    numbers = accepted_cases(uplink, 3)
    drain(uplink)
    assert [standin.count(n) for n in numbers] == [1, 1, 1]  # the retry found them on the platform
    assert standin.posts == 3
    assert ran(uplink) == [("open311.push", JobStatus.DONE, 2)] * 2 + [("open311.push", JobStatus.DONE, 1)]
    for number in numbers:
        assert delivery(uplink, number).service_request_id


def test_slow_platform_times_out_then_is_found_not_resent(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    standin.faults.slow = 2.5  # longer than PLATFORM_TIMEOUT_SECONDS=2
    [number] = accepted_cases(uplink, 1)

    def speed_up() -> None:
        standin.faults.slow = 0

    drain(uplink, between=speed_up)
    assert standin.count(number) == 1 and standin.posts == 1
    assert ran(uplink) == [("open311.push", JobStatus.DONE, 2)]  # timed out, then found by the lookup


def test_token_answer_is_resolved_into_the_request_id(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    standin.faults.token_mode, standin.faults.token_polls = True, 2
    [number] = accepted_cases(uplink, 1)
    drain(uplink)
    found = delivery(uplink, number)
    assert found.token and found.service_request_id == found.token[1:]
    assert standin.count(number) == 1
    assert ran(uplink) == [("open311.push", JobStatus.DONE, 1), ("open311.token", JobStatus.DONE, 3)]


def test_4xx_is_parked_with_the_platform_error_and_retry_sends_it(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    standin.faults.reject_codes = {"G-102"}
    [number] = accepted_cases(uplink, 1)
    drain(uplink)
    [job] = jobs(uplink, "open311.push")
    assert job.status == JobStatus.PARKED and "service_code G-102 已停用" in job.last_error
    assert job.attempts == 1 and standin.count(number) == 0  # not retried: a 400 stays a 400
    standin.faults.reject_codes = set()  # the platform re-enables the service; a person re-queues
    env = {"DATABASE_URL": str(uplink.engine.url.render_as_string(hide_password=False)),
           "CHENGGUAN_DATA_DIR": str(uplink.config.data_dir)}
    result = CliRunner().invoke(retry_cmd, [], env=env)
    assert result.exit_code == 0, result.output
    drain(uplink)
    assert standin.count(number) == 1 and jobs(uplink, "open311.push")[0].status == JobStatus.DONE


def test_unmapped_category_is_parked_with_the_fix(uplink) -> None:  # type: ignore[no-untyped-def]
    with transaction(uplink.sessions) as s:
        case = new_case(s, "E0101", lat=39.9, lon=116.3)
        case.transition(S.ACCEPTED, make_user(s, Role.REVIEWER))
    drain(uplink)
    [job] = jobs(uplink, "open311.push")
    assert job.status == JobStatus.PARKED and "chengguan platform map E0101" in job.last_error


def test_verify_and_close_follow_as_updates_in_order(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    [number] = accepted_cases(uplink, 1)
    take_steps(uplink, number, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED, S.CLOSED)
    standin.faults.fail_next = 1  # the filing fails once; the updates must wait for it
    drain(uplink)
    request_id = delivery(uplink, number).service_request_id
    assert [(u["service_request_id"], u["status"]) for u in standin.updates] == [
        (request_id, "OPEN"), (request_id, "CLOSED")]
    # the public text of the step; the reviewer's note (测试核查通过) stays internal (#16)
    assert standin.updates[0]["description"].startswith("整改完成, 已核查通过\n")
    assert "测试核查通过" not in standin.updates[0]["description"]
    assert standin.count(number) == 1


def test_platform_close_and_rework_are_applied_as_system_steps(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    from bot.uplink.client import Open311Client
    from bot.uplink.poll import poll_once

    closing, returning, verified_returned = accepted_cases(uplink, 3)
    take_steps(uplink, closing, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED)
    take_steps(uplink, returning, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED)
    take_steps(uplink, verified_returned, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED)
    drain(uplink)
    ids = {n: delivery(uplink, n).service_request_id for n in (closing, returning, verified_returned)}
    standin.set_status(ids[closing], "closed", "已办结")
    standin.set_status(ids[returning], "open", "整改不到位, 返工")
    standin.set_status(ids[verified_returned], "open", "整改图片与问题图片角度不一致, 退回")
    pushes_before = len(jobs(uplink, "open311.push"))
    with Open311Client(uplink.config.platform) as client, transaction(uplink.sessions) as s:
        poll_once(s, client)
    with Open311Client(uplink.config.platform) as client, transaction(uplink.sessions) as s:
        poll_once(s, client)  # a second poll with nothing new changes nothing
    with uplink.sessions() as s:
        status = {c.number: c for c in s.scalars(select(Case))}
        assert status[closing].status == S.CLOSED
        for number in (returning, verified_returned):  # rework from the platform, before or after our check
            assert status[number].status == S.RETURNED and status[number].rework_count == 1
        events = {(status_by_id(s, e.case_id), e.action): e
                  for e in s.scalars(select(AuditEvent).where(AuditEvent.actor_id.is_(None)))}
        assert events[(closing, "close")].note == "平台结案: 已办结"
        assert events[(returning, "return")].note == "平台返工: 整改不到位, 返工"
        assert "角度不一致" in events[(verified_returned, "return")].note
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "platform_return")).all() == []
    assert len(jobs(uplink, "open311.push")) == pushes_before  # the platform's own steps are not echoed back


def test_the_scheduled_poll_job_applies_the_platform_close(uplink, standin) -> None:  # type: ignore[no-untyped-def]
    [number] = accepted_cases(uplink, 1)
    take_steps(uplink, number, S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED)
    drain(uplink)
    polls = [j for j in jobs(uplink, "open311.poll") if j.status == JobStatus.PENDING]
    assert len(polls) == 1 and polls[0].next_try_at > polls[0].created_at  # one poll, at the next slot
    standin.set_status(delivery(uplink, number).service_request_id, "closed", "已办结")
    from sqlalchemy import update
    from models import OutboxJob, utcnow
    with transaction(uplink.sessions) as s:
        s.execute(update(OutboxJob).where(OutboxJob.kind == "open311.poll").values(next_try_at=utcnow()))
    from bot.jobs import job_handlers
    from bot.worker import Worker
    Worker(uplink, job_handlers()).run_until_idle()
    with uplink.sessions() as s:
        assert s.scalars(select(Case).where(Case.number == number)).one().status == S.CLOSED
    assert not [j for j in jobs(uplink, "open311.poll") if j.status == JobStatus.PENDING]  # nothing left open


def ran(service) -> list[tuple[str, JobStatus, int]]:  # type: ignore[no-untyped-def]
    """Every uplink job but the scheduled poll (its slot follows the clock): kind, status, runs."""
    return [(j.kind, j.status, j.attempts) for j in jobs(service) if j.kind != "open311.poll"]


def status_by_id(session, case_id: int) -> str:  # type: ignore[no-untyped-def]
    return session.get_one(Case, case_id).number

