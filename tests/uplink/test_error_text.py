"""Platform error answers in every common shape become one short stored line, never a page of markup."""

from __future__ import annotations

import pytest
from flask import Flask

from bot.config import PlatformConfig
from bot.simulator.serving import serving
from bot.uplink.client import Open311Client, PlatformRejected, PlatformUnavailable
from bot.uplink.error_text import MAX_CHARS, error_text

JSON = "application/json"


@pytest.mark.parametrize(("body", "content_type", "line"), [
    (b'[{"code": 400, "description": "service_code not found"}]', JSON, "400 service_code not found"),
    (b'{"code": "invalid", "detail": "api_key revoked"}', JSON, "invalid api_key revoked"),
    (b'{"detail": "Authentication credentials were not provided."}', JSON,
     "Authentication credentials were not provided."),
    (b'{"message": "lat out of range"}', JSON, "lat out of range"),
    (b'{"error": "rate limited", "code": 429}', JSON, "429 rate limited"),
    (b'{"errors": {"lat": ["not a number"], "long": ["required"]}}', JSON, "lat: not a number; long: required"),
    (b'{"errcode": 40001, "errmsg": "invalid credential"}', JSON, "40001 invalid credential"),
    (b'<?xml version="1.0"?><errors><error><code>403</code><description>bad key</description></error></errors>',
     "text/xml", "403 bad key"),
    (b"<!DOCTYPE html><html><head><title>Server Error (500)</title></head><body><h1>" + b"x" * 5000
     + b"</h1></body></html>", "text/html", "Server Error (500)"),
    (b"upstream connect error", "text/plain", "upstream connect error"),
    (b"", JSON, ""),
])
def test_each_shape_becomes_one_line(body: bytes, content_type: str, line: str) -> None:
    assert error_text(body, content_type) == line


def test_a_long_answer_is_cut_and_entities_are_not_expanded() -> None:
    assert len(error_text(b'{"detail": "' + b"y" * 5000 + b'"}', JSON)) == MAX_CHARS
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><errors><error>&a;</error></errors>'
    assert "aaaa" not in error_text(bomb, "text/xml")


def test_the_client_stores_what_a_peer_like_server_said(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Over real HTTP: a platform answering Django-style {code, detail} and an HTML 500 page."""
    peer = Flask("peer")
    peer.add_url_rule("/v2/requests.json", "post", methods=["POST"], view_func=lambda: (
        {"code": "invalid", "detail": "Unknown service_code 'E0102'"}, 400))
    peer.add_url_rule("/v2/services.json", "services", view_func=lambda: (
        "<html><head><title>502 Bad Gateway</title></head><body>" + "<p>nginx</p>" * 200 + "</body></html>",
        502, {"Content-Type": "text/html"}))
    with serving(peer) as base, Open311Client(PlatformConfig(open311_url=f"{base}/v2", api_key="k")) as client:
        with pytest.raises(PlatformRejected) as rejected:
            client.create({"service_code": "E0102", "lat": "39.9", "long": "116.4", "description": "垃圾"})
        with pytest.raises(PlatformUnavailable) as unavailable:
            client.services()
    assert str(rejected.value) == "平台拒绝 (HTTP 400): invalid Unknown service_code 'E0102'"
    assert str(unavailable.value) == "平台暂时出错 (HTTP 502) 502 Bad Gateway"
