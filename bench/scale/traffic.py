"""The webhook load: bench.webhook's open-loop generator and message mix (60 % text, 20 % location,
20 % image), with message i sent to base URL i mod n, so the web processes share the load; each
resident's messages go to any of them, as behind a load balancer without sticky sessions."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from bench.webhook.load import LightHTTP, RunResult, run
from bench.scale.topology import TOKEN
from bot.simulator.user import Reply, WeChatUser
from handlers.report import MAX_PHOTOS

RESIDENTS = 300  # new ones per rate, as bench.webhook
TOO_MANY_PHOTOS = f"最多{MAX_PHOTOS}张照片"


@dataclass
class Answers:
    """What the webhooks answered, by message kind: a passive reply, an empty 200, or an error."""
    sent: Counter[str] = field(default_factory=Counter)
    replied: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    photos_refused: int = 0  # a draft's 4th photo and beyond: answered, not kept (handlers.report)

    def note(self, kind: str, reply: Reply) -> None:
        self.sent[kind] += 1
        if reply.status != 200:
            self.failed[kind] += 1
        elif reply.text:
            self.replied[kind] += 1
            self.photos_refused += kind == "image" and TOO_MANY_PHOTOS in reply.text


def sweep(bases: list[str], pictures: list[tuple[str, str]], rates: list[float], seconds: float,
          label: str) -> tuple[list[RunResult], Answers]:
    http = LightHTTP(connections=64)
    answers = Answers()
    results = []
    for rate in rates:
        openids = [f"o_{label}_{int(rate)}_{n}" for n in range(RESIDENTS)]
        users = [[WeChatUser(base, TOKEN, openid, http=http) for base in bases] for openid in openids]
        result = run(_sender(users, pictures, answers), rate, seconds)
        print(f"{label:14} {rate:5.0f}/s  p50 {result.p50:7.1f} ms  p99 {result.percentile(99):7.1f} ms  "
              f"ok {result.ok}/{result.sent}  sustained {result.achieved:6.1f}/s", flush=True)
        results.append(result)
    return results, answers


def _sender(users: list[list[WeChatUser]], pictures: list[tuple[str, str]], answers: Answers):  # type: ignore[no-untyped-def]
    kinds = itertools.cycle(["text", "text", "text", "location", "image"])
    lock = threading.Lock()

    def send(i: int) -> int:
        with lock:
            kind = next(kinds)
        resident = users[i % len(users)]
        user = resident[(i // len(users)) % len(resident)]  # the next round, the next web process
        if kind == "text":
            reply = user.send_text(random.choice(["帮助", "查询", "路口有人占道经营"]))
        elif kind == "location":
            reply = user.send_location(39.9 + random.random() / 100, 116.3 + random.random() / 100, "某路")
        else:
            reply = user.send_image(*pictures[i % len(pictures)])
        with lock:
            answers.note(kind, reply)
        return reply.status

    return send
