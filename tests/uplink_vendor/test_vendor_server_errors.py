"""A case the vendor platform answers 500 for every time, while it files others, is parked after
PLATFORM_SERVER_ERROR_TRIES with one readable line (bot/uplink/server_errors.py, the Open311 rule);
a platform failing everything, or only the Open311 platform being up, is no reason to give up."""

from __future__ import annotations

from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.cli import _attach_commands, cli
from bot.service import Service
from bot.uplink.capabilities import current, record_success
from bot.uplink.vendor.push import TARGET_VENDOR
from models import JobStatus
from models.platform import TARGET_OPEN311, PlatformCapabilities
from tests.uplink.helpers import drain, jobs
from tests.uplink_vendor.standin import APP_KEY, SECRET, VendorStandIn
from tests.uplink_vendor.test_vendor_delivery import INSIDE, _accepted


def platform_cli(service: Service, vendor: VendorStandIn, *args: str) -> list[str]:
    _attach_commands()
    env = {"DATABASE_URL": service.engine.url.render_as_string(hide_password=False),
           "CHENGGUAN_DATA_DIR": str(service.config.data_dir), "PLATFORM_VENDOR_URL": vendor.url,
           "PLATFORM_VENDOR_APP_KEY": APP_KEY, "PLATFORM_VENDOR_SECRET": SECRET,
           "CHENGGUAN_PUBLIC_URL": "http://127.0.0.1:9", "CHENGGUAN_SECRET_KEY": "test-secret"}
    result: Result = CliRunner(env=env).invoke(cli, ["platform", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_a_case_the_platform_always_crashes_on_is_parked_while_others_file(vendor_uplink, vendor) -> None:  # type: ignore[no-untyped-def]
    crashing = _accepted(vendor_uplink, INSIDE)
    others = [_accepted(vendor_uplink, INSIDE, with_photo=False) for _ in range(2)]
    vendor.faults.crash_numbers = {crashing}
    drain(vendor_uplink)

    push = next(j for j in jobs(vendor_uplink, "vendor.push") if j.status != JobStatus.DONE)
    assert push.status == JobStatus.PARKED and push.attempts == 5  # PLATFORM_SERVER_ERROR_TRIES
    assert push.last_error.startswith("平台对此请求连续 5 次答 HTTP 500 (其他请求正常)")
    assert "E500 系统内部错误" in push.last_error and "chengguan platform retry" in push.last_error
    assert "\n" not in push.last_error
    assert [len(vendor.reports_of(n)) for n in (crashing, *others)] == [0, 1, 1]
    with vendor_uplink.sessions() as s:
        assert current(s, TARGET_VENDOR).last_success_at is not None
        assert s.scalar(select(PlatformCapabilities).where(PlatformCapabilities.target == TARGET_OPEN311)) is None

    stuck = platform_cli(vendor_uplink, vendor, "stuck")
    assert stuck[0] == "平台上报: 1 项卡住, 请处理:"
    assert stuck[1].startswith(f"- 案件 {crashing} 受理上报: 已搁置, 需人工处理 (任务 {push.id}, 已试 5 次")
    assert stuck[2].startswith("  原因: 平台对此请求连续 5 次答 HTTP 500")

    vendor.faults.crash_numbers = set()  # the vendor fixed its bug: a retry starts a fresh count and files once
    assert platform_cli(vendor_uplink, vendor, "retry", str(push.id)) == ["已重新排队 1 项"]
    (retried,) = [j for j in jobs(vendor_uplink, "vendor.push") if j.id == push.id]
    assert "server_errors" not in retried.payload
    drain(vendor_uplink)
    assert len(vendor.reports_of(crashing)) == 1
    assert platform_cli(vendor_uplink, vendor, "stuck") == ["平台上报: 没有卡住的案件。"]


def test_a_platform_failing_everything_is_not_given_up_on(vendor_uplink, vendor) -> None:  # type: ignore[no-untyped-def]
    number = _accepted(vendor_uplink, INSIDE, with_photo=False)
    vendor.faults.fail_next = 8  # every call, whichever case: an outage, then it heals

    def open311_platform_is_fine() -> None:  # another adapter's platform answering says nothing of this one
        record_success(vendor_uplink.sessions, None, TARGET_OPEN311)

    drain(vendor_uplink, between=open311_platform_is_fine)
    (push,) = jobs(vendor_uplink, "vendor.push")
    assert push.status == JobStatus.DONE and push.attempts == 9  # eight 500s: nothing else worked, so not parked
    assert len(vendor.reports_of(number)) == 1
    with vendor_uplink.sessions() as s:
        assert current(s, TARGET_VENDOR).last_failure_at is not None
        assert "HTTP 500" in current(s, TARGET_VENDOR).last_error
        assert current(s, TARGET_OPEN311).last_failure_at is None
