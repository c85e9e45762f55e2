"""Callbacks must be fresh: a timestamp inside the window (both channels), and in plain mode, where
the signature does not cover the body, a signature never used before for another body."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import abort

from bot.service import current_service
from models.nonces import WINDOW, Delivery, claim

MAX_NONCE_CHARS = 64  # WeChat's nonces are about 10 digits; longer ones would only fill the table


@dataclass(frozen=True)
class Signed:
    """The signed query parameters of one callback."""

    timestamp: int
    nonce: str
    signature: str

    def delivery(self, channel: str, body: bytes) -> Delivery:
        if len(self.nonce) > MAX_NONCE_CHARS or len(self.signature) > MAX_NONCE_CHARS:
            abort(403)
        return Delivery(channel, self.timestamp, self.nonce, self.signature, body)


def require_fresh(timestamp: str) -> int:
    """The callback's timestamp as a number; 403 when it is not one or outside the window."""
    try:
        value = int(timestamp)
    except ValueError:
        abort(403)
    if abs(time.time() - value) > WINDOW.total_seconds():
        abort(403, "callback timestamp outside the 5-minute window (check this server's clock)")
    return value


def claim_alone(delivery: Delivery) -> None:
    """Claim a delivery that stores nothing else (the GET echo check) in its own transaction."""
    with current_service().engine.begin() as connection:
        claim(connection, delivery)
