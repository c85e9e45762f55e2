"""What every /open311/v2/ request passes before its view: NUL refused, anonymous reads admitted
(bot.open311.throttle), and the read guards this app keeps (throttle, listing cache)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, g, request
from flask.blueprints import BlueprintSetupState

from bot.open311.caching import ListingCache
from bot.open311.errors import Open311Error
from bot.open311.throttle import ReadThrottle
from bot.xmltext import has_nul

EXTENSION = "chengguan.open311"


@dataclass(frozen=True)
class ReadGuards:
    throttle: ReadThrottle
    listings: ListingCache
    max_age: int  # seconds, Cache-Control of read answers


def install(bp: Blueprint) -> None:
    bp.record_once(_create)
    bp.before_request(refuse_nul)
    bp.before_request(admit_read)
    bp.teardown_request(end_read)


def guards() -> ReadGuards:
    found: ReadGuards = current_app.extensions[EXTENSION]
    return found


def refuse_nul() -> None:
    """PostgreSQL cannot store or compare text with NUL in it (the query fails); nothing needs one."""
    pairs = [*request.args.items(multi=True), *request.form.items(multi=True), *(request.view_args or {}).items()]
    if any(has_nul(key) or has_nul(str(value)) for key, value in pairs):
        raise Open311Error(400, "a parameter contains a NUL character (\\0); remove it and send again")


def admit_read() -> None:
    """Anonymous reads are admitted before any work; POSTs are limited per key (bot.open311.quota)."""
    if request.method in ("GET", "HEAD"):
        guards().throttle.admit(request.remote_addr or "unknown")
        g.open311_read_admitted = True


def end_read(_error: BaseException | None) -> None:
    if g.pop("open311_read_admitted", False):
        guards().throttle.done()


def _create(state: BlueprintSetupState) -> None:
    limits = state.app.extensions["chengguan"].config.open311
    state.app.extensions[EXTENSION] = ReadGuards(
        ReadThrottle(limits.reads_per_address), ListingCache(limits.cache_seconds), limits.cache_seconds)
