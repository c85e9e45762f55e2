"""A/B of a code cut on the webhook's hot path, in one process: `python -m bench.webhook.cutab CUT [--users N]
[--rounds R]`.

The app runs through WSGI as bench.webhook.inprocess measures it; each round sends every message kind once per
resident with the old code (A: the cut undone by a patch) and then with the new (B), alternating which goes
first, so whatever else the shared machine does falls on both alike. Prints the median CPU time per message of
each kind (the median over rounds of each round's median) and B/A; `--write` puts them in bench/RESULTS.md.
- reply: wechatpy's TextReply (A) against the fixed template of bot.channels.reply_xml (B).
- parse: the callback read as before, by wechatpy's parse_message (xmltodict and its message classes) and the
  channels' previous to_inbound (bot/channels/xml.py as `git show BASE:...` has it, run in this process), its reply
  by TextReply (A), against bot.channels.callback_xml and the template (B).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import types
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache
from unittest import mock

from bench.results import machine, write_section
from bench.webhook.inprocess import KINDS, TimedApp, service_app


def _wechatpy_render(content: str, *, sender: str, recipient: str, now: float | None = None) -> str:
    from wechatpy.replies import TextReply

    return str(TextReply(content=content, source=sender, target=recipient).render())


@contextmanager
def _wechatpy_reply() -> Iterator[None]:
    with mock.patch("bot.channels.common.text_reply", _wechatpy_render):
        yield


@contextmanager
def _wechatpy_parse(base: str = "19eb9a3") -> Iterator[None]:
    from wechatpy import parse_message

    old = _module_at(base, "bot/channels/xml.py")

    with mock.patch.multiple("bot.channels.common", parsed=lambda body: old.parsed(parse_message, body),
                             to_inbound=old.to_inbound, text_field=lambda message, _name: str(message.target),
                             text_reply=_wechatpy_render):
        yield


@cache
def _module_at(commit: str, path: str) -> types.ModuleType:
    """A module's source as `commit` had it, as a module of its own (the current one stays as it is)."""
    source = subprocess.run(["git", "show", f"{commit}:{path}"], capture_output=True, text=True, check=True).stdout
    module = types.ModuleType(f"at_{commit}_{path.replace('/', '_')}")
    exec(compile(source, f"{commit}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own history
    return module


CUTS: dict[str, Callable[[], AbstractContextManager[None]]] = {"reply": _wechatpy_reply, "parse": _wechatpy_parse}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("cut", choices=sorted(CUTS))
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="write the section to bench/RESULTS.md")
    args = parser.parse_args()
    old = CUTS[args.cut]
    cpu: dict[tuple[str, str], list[float]] = {}
    with service_app() as flask_app:
        app = TimedApp(flask_app)
        people = app.residents(args.users)
        for person in people:
            KINDS["first message"](person)
        for round_ in range(args.rounds):
            order = ("A", "B") if round_ % 2 == 0 else ("B", "A")
            for name, send in KINDS.items():
                if name == "first message":
                    continue
                for side in order:
                    app.cpu_ms.clear()
                    with old() if side == "A" else nullcontext():
                        for person in people:
                            send(person)
                    cpu.setdefault((name, side), []).append(statistics.median(app.cpu_ms))
    rows = []
    for name in KINDS:
        if name == "first message":
            continue
        a, b = statistics.median(cpu[(name, "A")]), statistics.median(cpu[(name, "B")])
        rows.append(f"| {name} | {a:.3f} | {b:.3f} | {b / a:.3f} |")
    table = "\n".join(["| kind | A: before | B: after | B/A |", "| --- | --- | --- | --- |", *rows])
    body = (f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end.\n\n"
            f"`python -m bench.webhook.cutab {args.cut}`: median CPU ms per message in one process, {args.users} "
            f"residents x {args.rounds} rounds, A and B alternating.\n\n{table}\n")
    print(body)
    if args.write:
        write_section(f"webhook code cut: {args.cut}", body)


if __name__ == "__main__":
    main()
