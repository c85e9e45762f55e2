"""The baseline: a bare Flask endpoint that only checks WeChat's signature and echoes a text reply,
served by the same server (waitress, same thread count) as `chengguan serve`."""

from __future__ import annotations

import sys

import waitress
from flask import Flask, abort, request
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature


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
    waitress.serve(make_app(token), host="127.0.0.1", port=port, threads=threads)
