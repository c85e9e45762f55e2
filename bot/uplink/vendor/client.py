"""The HTTP side of a vendor platform, as its mapping file describes it: signed JSON calls, a file
upload that answers an id, a query by our case number, and answers in the vendor's own shape
({code, message, data}) sorted into retry-later and cannot-succeed like the Open311 client's."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import httpx

from bot.uplink.client import RETRYABLE_4XX, PlatformRejected, PlatformUnavailable
from bot.uplink.vendor.mapping import VendorMapping

MAX_MESSAGE = 200


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """HMAC-SHA256 (hex) over method, path, timestamp, nonce and the body's SHA-256, one per line."""
    text = "\n".join((method, path, timestamp, nonce, hashlib.sha256(body).hexdigest()))
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def dig(data: Any, path: str) -> Any:
    """data["a"]["b"] for the path "a.b"; None where it stops."""
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


class VendorClient:
    def __init__(self, mapping: VendorMapping, base_url: str, app_key: str, secret: str,
                 timeout: float, http: httpx.Client | None = None) -> None:
        self.mapping, self.base_url = mapping, base_url.rstrip("/")
        self.app_key, self.secret = app_key, secret
        self.http = http or httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0))

    def close(self) -> None:
        self.http.close()

    def upload(self, name: str, content: bytes) -> str:
        answer = self._call("POST", "upload", files={"file": (name, content, "image/jpeg")})
        return self._required(answer, "file_id_path")

    def create(self, fields: dict[str, Any]) -> str:
        return self._required(self._call("POST", "create", body=fields), "id_path")

    def find(self, case_no: str) -> list[dict[str, Any]]:
        """The platform's cases with this number of ours (lookup before a resend; status polls)."""
        items = dig(self._call("GET", "query", params={self.mapping.fields["case_no"]: case_no}),
                    self.mapping.answers["items_path"])
        return [item for item in items or [] if isinstance(item, dict)]

    # --- plumbing -------------------------------------------------------------------------
    def _call(self, method: str, endpoint: str, *, body: dict[str, Any] | None = None,
              files: dict[str, Any] | None = None, params: dict[str, str] | None = None) -> dict[str, Any]:
        path = self.mapping.endpoints[endpoint]
        request = self.http.build_request(
            method, self.base_url + path, params=params, files=files,
            content=json.dumps(body, ensure_ascii=False).encode() if body is not None else None,
            headers={"Content-Type": "application/json"} if body is not None else None)
        request.headers.update(self._auth(method, path, request.read()))
        try:
            response = self.http.send(request)
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(f"平台无法连接: {type(exc).__name__}") from None
        answer = self._json(response)
        if response.status_code >= 500 or response.status_code in RETRYABLE_4XX:
            raise PlatformUnavailable(f"平台暂时不可用 (HTTP {response.status_code}): {self._message(answer, response)}",
                                      response.status_code)
        if response.status_code >= 400 or str(answer.get(self.mapping.answers["ok_field"])) != str(
                self.mapping.answers["ok_value"]):
            raise PlatformRejected(response.status_code, self._message(answer, response))
        return answer

    def _auth(self, method: str, path: str, body: bytes) -> dict[str, str]:
        auth = self.mapping.auth
        if auth["kind"] == "token":
            return {auth.get("header", "Authorization"): f"{auth.get('prefix', 'Bearer')} {self.secret}".strip()}
        headers = {auth.get("app_key_header", "X-App-Key"): self.app_key}
        if auth["kind"] == "hmac":
            timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
            headers[auth["timestamp_header"]], headers[auth["nonce_header"]] = timestamp, nonce
            headers[auth["signature_header"]] = signature(self.secret, method, path, timestamp, nonce, body)
        return headers

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            answer = response.json()
        except ValueError:
            return {}
        return answer if isinstance(answer, dict) else {}

    def _message(self, answer: dict[str, Any], response: httpx.Response) -> str:
        message = answer.get(self.mapping.answers["message_field"])
        code = answer.get(self.mapping.answers["ok_field"])
        text = f"{code} {message}" if message else response.reason_phrase or "无说明"
        return " ".join(str(text).split())[:MAX_MESSAGE]

    def _required(self, answer: dict[str, Any], key: str) -> str:
        value = dig(answer, self.mapping.answers[key])
        if value in (None, ""):
            raise PlatformUnavailable(f"平台应答缺少 {self.mapping.answers[key]}")
        return str(value)
