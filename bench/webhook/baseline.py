"""The baseline: a bare Flask endpoint that only checks WeChat's signature and echoes a text reply,
served the same way as `chengguan serve` serves the app (bot.webserver, same thread count)."""

from __future__ import annotations

import sys
from functools import partial

from flask import Flask, abort, request
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot import webserver


def make_app(token: str) -> Flask:
    app = Flask("baseline")

    @app.post("/wechat/mp")
    def echo() -> str:
        try:
            check_signature(token, request.args.get("signature", ""), request.args.get("timestamp", ""),
                            request.args.get("nonce", ""))
        except InvalidSignatureException:
            abort(403)
        message = parse_message(request.get_data())
        return str(TextReply(content="收到", message=message).render())

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app


if __name__ == "__main__":
    token, port, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    processes = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    webserver.run("127.0.0.1", port, threads, factory=partial(make_app, token), processes=processes)
