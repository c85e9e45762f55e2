"""A GeoReport v2 client for the city platform: form-encoded POSTs with api_key and jurisdiction_id,
JSON (or XML) answers, and failures sorted into "retry later" and "cannot succeed".

PlatformUnavailable: the platform is down, slow, dropped the connection, or answered 5xx/408/409/429
-> the outbox retries with back-off. PlatformRejected: any other 4xx, with the platform's own error
list in the message -> the job is parked for a person to fix the data or the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from bot.config import PlatformConfig
from bot.open311.formats import parse_items, w3, w3_precise
from bot.uplink.error_text import error_text

RETRYABLE_4XX = frozenset({408, 409, 425, 429})


class PlatformUnavailable(Exception):
    """Retrying later can succeed. `status` is the HTTP status of a 5xx/408/409/429 answer (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PlatformRejected(Exception):
    """The platform refused the request itself; retrying the same request cannot succeed."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"平台拒绝 (HTTP {status}): {detail}")
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class Probe:
    """What a platform answered to a probe of an optional endpoint: the status (None: no answer) and its text."""

    status: int | None
    text: str = ""
    body: Any = None


@dataclass(frozen=True)
class Created:
    service_request_id: str | None
    token: str | None
    notice: str = ""


class Open311Client:
    def __init__(self, config: PlatformConfig, http: httpx.Client | None = None) -> None:
        self.config = config
        self.http = http or httpx.Client(timeout=httpx.Timeout(config.timeout_seconds, connect=5.0))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Open311Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- the spec's methods ---------------------------------------------------------------
    def services(self) -> list[dict[str, Any]]:
        return self._call("GET", "services.json", params=self._jurisdiction())

    def create(self, fields: Mapping[str, str], media: tuple[str, bytes] | None = None) -> Created:
        """POST requests; `media` (file name, JPEG bytes): sent as the multipart file `media`, for platforms
        that take the photo itself (one on a government network often cannot fetch a public URL)."""
        files = {"media": (media[0], media[1], "image/jpeg")} if media else None
        items = self._call("POST", "requests.json", data={**self._credentials(), **fields}, files=files)
        first = items[0] if items else {}
        request_id, token = _text(first.get("service_request_id")), _text(first.get("token"))
        if not request_id and not token:
            raise PlatformUnavailable("平台应答中既无 service_request_id 也无 token, 稍后核对后重试")
        return Created(request_id, None if request_id else token, _text(first.get("service_notice")) or "")

    def resolve_token(self, token: str) -> str | None:
        """The service_request_id behind a token, or None while the platform has not assigned one."""
        return self.token_answer(token)[1]

    def token_answer(self, token: str) -> tuple[bool, str | None]:
        """(the platform knows the token, the service_request_id it has assigned, if any). A 404 is
        "not known": a token not processed yet, or a platform without the tokens endpoint."""
        try:
            items = self._call("GET", f"tokens/{token}.json", params=self._jurisdiction())
        except PlatformRejected as exc:
            if exc.status == 404:
                return False, None
            raise
        return True, next((_text(i.get("service_request_id")) for i in items if i.get("service_request_id")), None)

    def requests(
        self, *, ids: Sequence[str] = (), service_code: str | None = None,
        start: datetime | None = None, end: datetime | None = None, precise: bool = False,
    ) -> list[dict[str, Any]]:
        """`precise`: start and end keep their fractions of a second (for a platform whose times have them)."""
        params = self._jurisdiction()
        if ids:
            params["service_request_id"] = ",".join(ids)
        else:
            if service_code:
                params["service_code"] = service_code
            when = w3_precise if precise else w3
            if start:
                params["start_date"] = when(start) or ""
            if end:
                params["end_date"] = when(end) or ""
        return self._call("GET", "requests.json", params=params)

    def post_update(self, fields: Mapping[str, str]) -> None:
        """POST servicerequestupdates (the FixMyStreet extension of GeoReport v2)."""
        self._call("POST", "servicerequestupdates.json", data={**self._credentials(), **fields})

    def probe(self, path: str, params: Mapping[str, str] | None = None, *, absolute: bool = False) -> Probe:
        """GET an optional endpoint and report what came back, never raising (capability discovery)."""
        url = path if absolute else f"{self.config.open311_url}/{path}"
        try:
            response = self.http.get(url, params={**self._jurisdiction(), **(params or {})})
        except httpx.HTTPError as exc:
            return Probe(None, f"{type(exc).__name__}")
        try:
            body = response.json()
        except ValueError:
            body = None
        return Probe(response.status_code, _errors(response) if response.status_code >= 400 else "", body)

    # --- plumbing -------------------------------------------------------------------------
    def _jurisdiction(self) -> dict[str, str]:
        return {"jurisdiction_id": self.config.jurisdiction_id} if self.config.jurisdiction_id else {}

    def _credentials(self) -> dict[str, str]:
        return {"api_key": self.config.api_key, **self._jurisdiction()}

    def _call(self, method: str, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        url = f"{self.config.open311_url}/{path}"
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise PlatformUnavailable(f"平台超时未应答 ({type(exc).__name__}): {url}") from exc
        except httpx.TransportError as exc:
            raise PlatformUnavailable(f"连不上平台 ({type(exc).__name__}: {exc}): {url}") from exc
        status = response.status_code
        if status >= 500 or status in RETRYABLE_4XX:
            raise PlatformUnavailable(f"平台暂时出错 (HTTP {status}) {_errors(response)}".strip(), status)
        if status >= 400:
            raise PlatformRejected(status, _errors(response) or "平台未说明原因")
        try:
            return parse_items(response.content, response.headers.get("content-type", ""))
        except (ValueError, SyntaxError) as exc:  # JSONDecodeError / defusedxml; XML ParseError
            raise PlatformUnavailable(f"平台应答无法解析 (HTTP {status}): {response.text[:200]!r}") from exc


def _errors(response: httpx.Response) -> str:
    return error_text(response.content, response.headers.get("content-type", ""))


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
