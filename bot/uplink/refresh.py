"""Reading the platform again: its services.json (the category mapping) and what it supports.
Run by `chengguan platform sync-services` and once a day by the scheduler."""

from __future__ import annotations

import logging

from bot.db import transaction
from bot.service import Service
from bot.uplink.capabilities import store_discovered
from bot.uplink.capability_text import summary_line
from bot.uplink.client import Open311Client, PlatformRejected, PlatformUnavailable
from bot.uplink.discovery import discover
from bot.uplink.services import SyncReport, sync_services
from models.base import utcnow

log = logging.getLogger(__name__)
EVERY_HOURS = 24


def refresh_platform(service: Service) -> tuple[SyncReport, str]:
    """(the services sync, one line on the capabilities). Raises PlatformUnavailable / PlatformRejected."""
    with Open311Client(service.config.platform) as client:
        items = client.services()
        found = discover(client, items)
    with transaction(service.sessions) as session:
        report = sync_services(session, items)
        row = store_discovered(session, found, service.config.platform.open311_url)
        row.last_success_at = utcnow()
        return report, summary_line(row)


def scheduled_refresh(service: Service) -> None:
    if not service.config.platform.open311_enabled:
        return
    try:
        report, summary = refresh_platform(service)
    except (PlatformUnavailable, PlatformRejected) as exc:
        log.warning("platform refresh failed: %s", exc)
        return
    log.info("platform refreshed: %d services, %d categories unmapped; %s",
             report.services, len(report.unmapped), summary)
