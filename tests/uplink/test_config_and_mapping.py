"""Uplink settings fail with the fix named; the service-code table follows services.json but keeps
what a person mapped by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.config import Config, ConfigError
from bot.db import transaction
from bot.uplink.services import service_code_for, set_mapping, sync_services
from models.platform import PlatformService


@pytest.mark.parametrize(("env", "says"), [
    ({"PLATFORM_OPEN311_URL": "platform.example"}, "应以 https:// 开头"),
    ({"PLATFORM_OPEN311_URL": "https://p.example/open311/v2"}, "PLATFORM_API_KEY 为空"),
    ({"PLATFORM_WEBHOOK_URL": "https://p.example/hook"}, "PLATFORM_WEBHOOK_SECRET 为空"),
    ({"PLATFORM_OPEN311_URL": "https://p.example/v2", "PLATFORM_API_KEY": "k"}, "CHENGGUAN_PUBLIC_URL 为空"),
    ({"CHENGGUAN_MEDIA_LINK_DAYS": "0"}, "应大于 0"),
    ({"PLATFORM_SERVER_ERROR_TRIES": "0"}, "PLATFORM_SERVER_ERROR_TRIES"),
])
def test_bad_uplink_settings_name_the_fix(env, says) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=says):
        Config.from_env(env)


def test_uplink_settings_are_read() -> None:
    platform = Config.from_env({"PLATFORM_OPEN311_URL": "https://p.example/open311/v2/", "PLATFORM_API_KEY": "k",
                                "PLATFORM_JURISDICTION_ID": "sz.gov.cn", "CHENGGUAN_PUBLIC_URL": "https://cg/"}).platform
    assert (platform.open311_url, platform.public_url, platform.open311_enabled, platform.webhook_enabled) == (
        "https://p.example/open311/v2", "https://cg", True, False)


def test_sync_maps_by_code_or_name_and_keeps_hand_mappings(service) -> None:  # type: ignore[no-untyped-def]
    items = [{"service_code": "E0101", "service_name": "违法建设"},
             {"service_code": "A7", "service_name": "暴露垃圾", "type": "batch"},
             {"service_code": "B9", "service_name": "道路不洁"}]
    with transaction(service.sessions) as s:
        report = sync_services(s, items)
    assert {("E0101", "E0101"), ("E0102", "A7"), ("E0104", "B9")} <= set(report.mapped)
    assert "E0103" in report.unmapped
    with transaction(service.sessions) as s:
        set_mapping(s, "E0103", "B9")
        with pytest.raises(ValueError, match="sync-services"):
            set_mapping(s, "E0103", "NOPE")
    with transaction(service.sessions) as s:
        report = sync_services(s, items[:2])  # B9 was withdrawn by the platform
    with service.sessions() as s:
        assert report.removed == ["B9"] and service_code_for(s, "E0104") is None
        assert service_code_for(s, "E0103") == "B9"  # by hand: a person decides, not the sync
        assert s.scalar(select(PlatformService.type).where(PlatformService.service_code == "A7")) == "batch"
