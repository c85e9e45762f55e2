"""Where the CPU goes during a rate: utime+stime of each process of `chengguan serve`'s tree and of the
generator's own process, read from /proc before and after (Linux only; elsewhere nothing is reported).

Roles: web (the `bot web` child and the server's processes under it), worker (`bot worker`), analysis (the
worker's children: the photo analysis under SCHED_IDLE), supervisor (`bot serve`), echo (the baseline's
process and its server's), generator (this process: the load's sending threads and, by default, the stand-in
WeChat API / photo host)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
ROLES = ("web", "worker", "analysis", "supervisor", "echo", "generator")


@dataclass(frozen=True)
class Snapshot:
    cpu_s: dict[str, float]  # role -> CPU seconds so far (processes alive at the time)


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, utime+stime in seconds), None when the process is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the name in brackets may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _arguments(pid: int) -> list[str]:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            tree[stat[0]].append(int(entry.name))
    return tree


def _role(arguments: list[str], inherited: str) -> str:
    if inherited in ("web", "analysis", "echo"):
        return inherited
    if inherited == "worker":
        return "analysis"
    if "bench.webhook.baseline" in arguments:
        return "echo"
    for role, command in (("supervisor", "serve"), ("web", "web"), ("worker", "worker")):
        if "bot" in arguments and command in arguments:
            return role
    return inherited


def snapshot(port: int | None = None) -> Snapshot:
    """CPU seconds per role now: the generator's process and the server trees under it (only the one
    listening on `port` when given: its command line names the port)."""
    cpu: dict[str, float] = defaultdict(float)
    if not PROC.is_dir():
        return Snapshot({})
    me = os.getpid()
    own = _stat(me)
    cpu["generator"] = own[1] if own else 0.0
    tree = _children()
    stack = [(child, "") for child in tree.get(me, [])
             if port is None or str(port) in _arguments(child)]
    while stack:
        pid, inherited = stack.pop()
        role = _role(_arguments(pid), inherited)
        stat = _stat(pid)
        if role and stat is not None:
            cpu[role] += stat[1]
        stack += [(child, role) for child in tree.get(pid, [])]
    return Snapshot(dict(cpu))


def used(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """CPU seconds per role between two snapshots (a role that appeared counts from zero)."""
    return {role: after.cpu_s.get(role, 0.0) - before.cpu_s.get(role, 0.0) for role in ROLES if role in after.cpu_s}


def summed(parts: Iterable[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for part in parts:
        for role, seconds in part.items():
            total[role] += seconds
    return dict(total)


def per_message_line(cpu_s: dict[str, float], messages: int) -> str:
    """"web 0.81, worker 0.40, …" in ms of CPU per message sent."""
    return ", ".join(f"{role} {seconds * 1000 / messages:.2f}" for role, seconds in cpu_s.items()) if messages else ""


ROLE_NAMES = {"web": "web", "worker": "worker", "analysis": "analysis child", "supervisor": "supervisor",
              "echo": "echo", "generator": "generator + stand-in"}


def budget_table(runs: list[tuple[str, float, int, float, dict[str, float],
                                  tuple[dict[str, float], int] | None]]) -> str:
    """Rows of (label, rate, messages, seconds, CPU during the rate, (CPU during the photos' drain after it, photos)
    or None): per role, CPU seconds per second of the rate and ms per message; worker + analysis CPU per photo."""
    shown = [r for r in ROLES if r != "supervisor"]
    lines = ["| run | offered (msg/s) | " + " | ".join(ROLE_NAMES[r] for r in shown)
             + " | worker + analysis per photo, to the last stored |",
             "| --- | --- | " + " | ".join("---" for _ in shown) + " | --- |"]
    for label, rate, messages, seconds, during, drain in runs:
        cells = [f"{during[r] / seconds:.2f} / {during[r] * 1000 / messages:.2f}" if r in during else "–"
                 for r in shown]
        lines.append(f"| {label} | {rate:.0f} | " + " | ".join(cells) + f" | {_per_photo(during, drain)} |")
    return "\n".join(lines)


def _per_photo(during: dict[str, float], drain: tuple[dict[str, float], int] | None) -> str:
    if drain is None or not drain[1]:
        return "–"
    after, photos = drain
    worker = (during.get("worker", 0) + after.get("worker", 0)) * 1000 / photos
    both = worker + (during.get("analysis", 0) + after.get("analysis", 0)) * 1000 / photos
    return f"{both:.1f} ms ({worker:.1f} in the worker; {photos} photos)"
