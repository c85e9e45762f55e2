"""GeoReport errors: a list of {code, description} with the matching HTTP status (404 missing,
403 api_key, 429 too many requests with Retry-After, 400 anything else), in the format the client asked for."""

from __future__ import annotations

from flask import Response

from bot.open311.formats import error_items, render

FORMATS = ("json", "xml")


class Open311Error(Exception):
    def __init__(self, status: int, description: str, code: int | str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.code = status, description, code or status
        self.retry_after = retry_after  # seconds, sent as Retry-After with a 429


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, f"format .{fmt} is not served; use .json or .xml")
    return fmt


def error_response(error: Open311Error, fmt: str) -> Response:
    body, content_type = render(error_items([(error.code, error.description)]), "errors",
                                fmt if fmt in FORMATS else "json")
    response = Response(body, status=error.status, content_type=content_type)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response
