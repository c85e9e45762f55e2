"""The uplink against a peer-like GeoReport server (tests/uplink/peer.py): no updates, tokens without a
tokens/ endpoint, `address` instead of `address_string`, {code, detail} errors, 100 per page. Every case
arrives once, nothing that could succeed stays parked, what is parked says why in one line."""

from __future__ import annotations

from sqlalchemy import select

from bot import photostore
from bot.db import transaction
from bot.uplink.capabilities import current, set_by_hand
from models import AuditEvent, Case, CaseStatus, JobStatus, Photo, PhotoRedaction, Role
from models.platform import PlatformDelivery
from tests.factories import make_user
from tests.uplink.helpers import accepted_cases, drain, jobs, new_case, take_steps

S = CaseStatus


def deliveries(service) -> dict[str, PlatformDelivery]:  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return {number: d for d, number in s.execute(
            select(PlatformDelivery, Case.number).join(Case, Case.id == PlatformDelivery.case_id)).all()}


def capabilities(service):  # type: ignore[no-untyped-def]
    with service.sessions() as s:
        return current(s)


def address_only_case(service, address: str = "东街100号", category: str = "E0102") -> str:  # type: ignore[no-untyped-def]
    with transaction(service.sessions) as s:
        case = new_case(s, category, description="占道经营", address=address, lat=None, lon=None)
        case.transition(S.ACCEPTED, make_user(s, Role.REVIEWER), note="受理")
        return case.number


def test_tokens_are_resolved_from_the_listing_and_updates_are_skipped_not_parked(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    numbers = accepted_cases(peer_uplink, 3, with_photo=True)
    take_steps(peer_uplink, numbers[0], S.DISPATCHED, S.RECTIFYING, S.SUBMITTED, S.VERIFIED, S.CLOSED)
    drain(peer_uplink)
    assert [peer.count(n) for n in numbers] == [1, 1, 1] and peer.posts == 3
    found = deliveries(peer_uplink)
    for number in numbers:  # the token was answered; the id came from requests.json by the case number
        request = next(r for r in peer.requests.values() if number in r["description"])
        assert found[number].token == f"tok-{request['service_request_id']}"
        assert found[number].service_request_id == request["service_request_id"]
    assert all(j.status == JobStatus.DONE for j in jobs(peer_uplink) if j.kind != "open311.poll")
    assert peer.updates == [] and capabilities(peer_uplink).updates == "no"  # learned from the 404
    with peer_uplink.sessions() as s:
        notes = s.scalars(select(AuditEvent.note).where(AuditEvent.action == "platform_skipped")
                          .order_by(AuditEvent.id)).all()
    assert notes == ["核查结果未上报 (平台不支持更新: 已跳过); 平台结案或返工仍由状态查询同步",
                     "结案未上报 (平台不支持更新: 已跳过); 平台结案或返工仍由状态查询同步"]


def test_one_walk_through_the_request_list_resolves_the_tokens_of_many_cases(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    numbers = accepted_cases(peer_uplink, 30)
    drain(peer_uplink)
    found = deliveries(peer_uplink)
    assert all(found[n].service_request_id for n in numbers) and [peer.count(n) for n in numbers] == [1] * 30
    assert peer.listing_reads <= 3  # not one walk per case
    assert [j.status for j in jobs(peer_uplink, "open311.token")] == [JobStatus.DONE] * 30


def test_a_backlog_of_tokens_is_resolved_by_one_deep_walk(peer_uplink, peer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """After an outage: every token job runs after every POST, the oldest case far down the newest-first list.
    The usual page bound (3 here, 40 in use) would never reach it; the walk goes deeper with the backlog."""
    import bot.uplink.token_batch

    monkeypatch.setattr(bot.uplink.token_batch, "MAX_PAGES", 3)
    peer.clock_step = 0.02  # 50 requests a second: each page of 100 gets the window about 50 further
    numbers = accepted_cases(peer_uplink, 300)
    drain(peer_uplink, rounds=3)  # the POSTs, then the token jobs: one walk resolves them all
    found = deliveries(peer_uplink)
    assert sum(1 for n in numbers if found[n].service_request_id) == 300
    assert all(j.attempts == 1 for j in jobs(peer_uplink, "open311.token"))  # none waited for a second walk
    assert peer.listing_reads <= 15


def test_tokens_are_resolved_when_more_than_a_page_was_filed_within_one_second(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    """A batched outbox files hundreds of cases a second. Narrowed by whole seconds, the window could not get
    past the newest 100 of one second; the platform's own times carry fractions, so the window follows them."""
    peer.clock_step = 0.001  # 1,000 requests a second, stamped with their milliseconds
    numbers = accepted_cases(peer_uplink, 300)
    drain(peer_uplink, rounds=6)
    found = deliveries(peer_uplink)
    assert sum(1 for n in numbers if found[n].service_request_id) == 300
    assert [peer.count(n) for n in numbers] == [1] * 300


def test_a_token_is_found_beyond_the_first_page_of_100(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    peer.add_old_requests(120)  # sync learns the page size from a full first answer
    from tests.uplink.test_platform_cli import run

    assert run(peer_uplink, "sync-services").exit_code == 0 and capabilities(peer_uplink).page_size == 100
    [number] = accepted_cases(peer_uplink, 1)
    worker_rounds = {"n": 0}

    def others_file_150_after_ours() -> None:
        worker_rounds["n"] += 1
        if worker_rounds["n"] == 1:  # after our POST, before our token job
            peer.add_old_requests(150, seconds_apart=1)
            peer.listing_reads = 0

    drain(peer_uplink, between=others_file_150_after_ours)
    request = next(r for r in peer.requests.values() if number in r["description"])
    assert deliveries(peer_uplink)[number].service_request_id == request["service_request_id"]
    assert peer.listing_reads == 2  # the newest 100, then the rest of the narrowed window (ours among them)


def test_a_refusal_in_code_detail_form_is_parked_as_one_line(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    peer.faults.reject_codes = {"G-102"}
    accepted_cases(peer_uplink, 1)
    drain(peer_uplink)
    [push] = jobs(peer_uplink, "open311.push")
    assert (push.status, push.attempts) == (JobStatus.PARKED, 1)
    assert push.last_error == "平台拒绝 (HTTP 400): invalid Unknown service_code 'G-102'"


def test_an_address_only_case_is_sent_with_address_and_the_platform_is_remembered(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    first = address_only_case(peer_uplink)
    drain(peer_uplink)
    request = next(r for r in peer.requests.values() if first in r["description"])
    assert request["address"] == "东街100号" and request["lat"] is None
    assert peer.crashes == 1 and capabilities(peer_uplink).address_field == "address"
    second = address_only_case(peer_uplink, "西街2号")
    drain(peer_uplink)
    assert peer.count(second) == 1 and peer.crashes == 1  # sent with `address` at once
    assert [j.attempts for j in jobs(peer_uplink, "open311.push")] == [2, 1]


def test_a_request_the_platform_always_crashes_on_is_parked_while_others_go_through(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    from tests.uplink.helpers import map_category

    map_category(peer_uplink, "E0101", "G-101")
    peer.crash_codes = {"G-101"}
    with transaction(peer_uplink.sessions) as s:
        set_by_hand(s, "address_field", "address")
        crashing = new_case(s, "E0101", lat=39.9, lon=116.3, address="北街1号")
        crashing.transition(S.ACCEPTED, make_user(s, Role.REVIEWER))
    others = accepted_cases(peer_uplink, 2)
    drain(peer_uplink)
    push = next(j for j in jobs(peer_uplink, "open311.push") if j.payload["case_id"] == crashing.id)
    assert push.status == JobStatus.PARKED and push.attempts == 5  # PLATFORM_SERVER_ERROR_TRIES
    assert push.last_error.startswith("平台对此请求连续 5 次答 HTTP 500 (其他请求正常)")
    assert "Server Error (500)" in push.last_error and "\n" not in push.last_error and "<" not in push.last_error
    assert [peer.count(n) for n in others] == [1, 1]
    assert capabilities(peer_uplink).last_success_at is not None


def test_a_platform_failing_everything_is_not_given_up_on(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    peer.crash_codes = {"G-102"}
    accepted_cases(peer_uplink, 1)
    rounds = {"n": 0}

    def heal_after_eight_rounds() -> None:
        rounds["n"] += 1
        if rounds["n"] == 8:
            peer.crash_codes = set()

    drain(peer_uplink, between=heal_after_eight_rounds)
    [push] = jobs(peer_uplink, "open311.push")
    assert push.status == JobStatus.DONE and push.attempts == 9  # eight 500s: nothing else worked, so not parked
    assert capabilities(peer_uplink).last_failure_at is not None


def test_a_platform_that_takes_uploads_gets_the_photo_itself(peer_uplink, peer) -> None:  # type: ignore[no-untyped-def]
    with transaction(peer_uplink.sessions) as s:
        set_by_hand(s, "media", "upload")
    numbers = accepted_cases(peer_uplink, 2, with_photo=True)  # their redacted copies are made
    with transaction(peer_uplink.sessions) as s:
        copies = {number: s.scalars(select(PhotoRedaction).join(Photo, Photo.id == PhotoRedaction.photo_id)
                                    .join(Case, Case.id == Photo.case_id).where(Case.number == number)).one()
                  for number in numbers}
        copies[numbers[1]].storage_path = None  # as when a photo cannot be redacted: it never leaves
        first_copy = copies[numbers[0]].storage_path
    drain(peer_uplink)
    sent = {n: next(r for r in peer.requests.values() if n in r["description"]) for n in numbers}
    redacted = photostore.store_for(peer_uplink.config).get(first_copy)
    assert (sent[numbers[0]]["media"], sent[numbers[0]]["media_url"]) == (redacted, None)
    assert sent[numbers[1]]["media"] is None and sent[numbers[1]]["media_url"] is None
    assert peer.count(numbers[0]) == 1 and peer.count(numbers[1]) == 1
