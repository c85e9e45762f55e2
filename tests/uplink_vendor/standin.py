"""A 数字城管-style vendor interface on 127.0.0.1 (docs/platforms/szcg.md), strict like a real one.

Every call is signed (X-App-Key, X-Timestamp within 5 minutes, X-Nonce used once, X-Signature =
HMAC-SHA256 over method, path, timestamp, nonce, body hash); every field of a report is checked
(types, the GB/T 30428 code tables, 15-digit grid code under its 12-digit community under the
district, CGCS2000 zone-39 coordinates inside the district, attachment ids it issued). Errors come in
its own shape, {"code": "E...", "message": ...}, with HTTP 200 for data and 401 for auth. It never
deduplicates: a second report of one case is a second case, so tests see duplicates.
Faults: `fail_next` (next N answers 500), `drop_next` (next N reports recorded, the connection then
closed without an answer), `crash_numbers` (reports of these case numbers answer 500 every time, as a
vendor server does when one case's data trips a bug in it).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pyproj import Transformer

from tests.uplink.standin import _free_port, _multipart, _QuietServer

APP_KEY, SECRET = "szcg-app", "szcg-secret"
DISTRICT, STREETS = "110105", {"110105001", "110105002"}
BOUNDS = (116.2, 39.8, 116.5, 40.0)  # the district, WGS-84 lon/lat
ZONE_39 = Transformer.from_crs("EPSG:4527", "EPSG:4326", always_xy=True)  # CGCS2000 GK zone 39 -> lon/lat
CATEGORIES = Path(__file__).resolve().parents[2] / "models" / "data" / "categories.csv"
TEXT_FIELDS = ("sourceCaseNo", "caseSourceCode", "caseTypeCode", "mainTypeCode", "subTypeCode", "caseConditionCode",
               "timeLimitAreaCode", "districtCode", "streetCode", "communityCode", "cellGridCode", "address",
               "caseDesc", "reportTime")
CLOSED, REWORK, OPEN = "90", "65", "10"


def _code_table() -> set[tuple[str, str]]:
    """(案件类型, 小类) pairs: 01 部件, 02 事件, 小类 = 大类 (2 digits) + 2 digits."""
    with CATEGORIES.open(encoding="utf-8") as handle:
        return {("02" if row["kind"] == "event" else "01", row["code"]) for row in csv.DictReader(handle)}


@dataclass
class VendorFaults:
    fail_next: int = 0
    drop_next: int = 0
    crash_numbers: set[str] = field(default_factory=set)  # reports of these case numbers always answer 500


class VendorStandIn:
    def __init__(self) -> None:
        self.faults = VendorFaults()
        self.lock = threading.Lock()
        self.cases: dict[str, dict[str, Any]] = {}   # caseId -> the report as received, plus statusCode/opinion
        self.files: dict[str, bytes] = {}
        self.nonces: set[str] = set()
        self.posts = 0  # case reports received, valid or not
        self.codes = _code_table()
        self.port = _free_port()
        self._server: _QuietServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> VendorStandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _QuietServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.drop_connections()
            self._server = None

    def reports_of(self, number: str) -> list[dict[str, Any]]:
        with self.lock:
            return [case for case in self.cases.values() if case["sourceCaseNo"] == number]

    def set_status(self, case_id: str, status: str, opinion: str) -> None:
        with self.lock:
            self.cases[case_id].update(statusCode=status, opinion=opinion)

    # --- behaviour --------------------------------------------------------------------------
    def check_auth(self, method: str, path: str, headers: Any, body: bytes) -> str | None:
        timestamp, nonce = headers.get("X-Timestamp", ""), headers.get("X-Nonce", "")
        if headers.get("X-App-Key") != APP_KEY:
            return "E401 app key 无效"
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return "E402 时间戳无效或超过 5 分钟"
        expected = hmac.new(SECRET.encode(), "\n".join(
            (method, path, timestamp, nonce, hashlib.sha256(body).hexdigest())).encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-Signature", "")):
            return "E403 签名错误"
        with self.lock:
            if not nonce or nonce in self.nonces:
                return "E404 nonce 重复"
            self.nonces.add(nonce)
        return None

    def upload(self, files: dict[str, bytes]) -> dict[str, Any]:
        content = files.get("file", b"")
        if not content.startswith(b"\xff\xd8"):
            return _error("E201", "附件必须是 JPEG 文件 (字段 file)")
        with self.lock:
            file_id = f"F{len(self.files) + 1:06d}"
            self.files[file_id] = content
        return {"code": "0", "message": "成功", "data": {"fileId": file_id}}

    def report(self, body: Any) -> dict[str, Any]:
        with self.lock:
            self.posts += 1
        problem = self._invalid(body)
        if problem:
            return _error("E100", problem)
        with self.lock:
            case_id = f"SZCG{len(self.cases) + 1:08d}"
            self.cases[case_id] = {**body, "caseId": case_id, "statusCode": OPEN, "opinion": ""}
        return {"code": "0", "message": "成功", "data": {"caseId": case_id}}

    def query(self, number: str) -> dict[str, Any]:
        if not number:
            return _error("E100", "sourceCaseNo 必填")
        found = [{key: case[key] for key in ("caseId", "sourceCaseNo", "statusCode", "opinion")}
                 for case in self.reports_of(number)]
        return {"code": "0", "message": "成功", "data": {"list": found}}

    def _invalid(self, body: Any) -> str | None:
        if not isinstance(body, dict):
            return "请求体必须是 JSON 对象"
        for name in TEXT_FIELDS:
            if not isinstance(body.get(name), str) or (name not in ("address", "caseDesc") and not body[name]):
                return f"{name} 必填且为字符串"
        kind, main, sub = body["caseTypeCode"], body["mainTypeCode"], body["subTypeCode"]
        if (kind, sub) not in self.codes or sub[:2] != main:
            return f"案件类型/大类/小类 {kind}/{main}/{sub} 不在编码表中"
        if body["caseConditionCode"] != sub + "01":
            return f"立案条件 {body['caseConditionCode']} 不属于小类 {sub}"
        if not re.fullmatch(r"0[1-9]", body["caseSourceCode"]) or body["timeLimitAreaCode"] not in ("1", "2", "3"):
            return "案件来源或时限区域代码无效"
        if body["districtCode"] != DISTRICT or body["streetCode"] not in STREETS:
            return "区或街道编码无效"
        community, grid = body["communityCode"], body["cellGridCode"]
        if not re.fullmatch(r"\d{12}", community) or not community.startswith(body["streetCode"]):
            return f"社区编码 {community} 应为所属街道下的 12 位数字"
        if not re.fullmatch(r"\d{15}", grid) or not grid.startswith(community):
            return f"单元网格编码 {grid} 应为所属社区下的 15 位数字"
        x, y = body.get("coordinateX"), body.get("coordinateY")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y)):
            return "coordinateX/coordinateY 必须是数字 (CGCS2000 3 度带 39 带, 米)"
        lon, lat = ZONE_39.transform(x, y)
        if not (BOUNDS[0] <= lon <= BOUNDS[2] and BOUNDS[1] <= lat <= BOUNDS[3]):
            return f"坐标 ({x}, {y}) 不在本区范围内"
        if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body["reportTime"]):
            return "reportTime 格式应为 yyyy-MM-dd HH:mm:ss"
        attachments = body.get("attachIds")
        if not isinstance(attachments, list) or any(a not in self.files for a in attachments):
            return "attachIds 必须是已上传附件的编号列表"
        return None


def _error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "data": None}


class _Handler(BaseHTTPRequestHandler):
    standin: VendorStandIn
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # the body must not wait for the client's delayed ACK (see tests.uplink.standin)

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if not self._authorized("GET", url.path, b"") or self._fail():
            return
        if url.path != "/api/v1/case/query":
            return self._json(404, _error("E404", "接口不存在"))
        self._json(200, self.standin.query(parse_qs(url.query).get("sourceCaseNo", [""])[0]))

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self._authorized("POST", path, body) or self._fail():
            return
        if path == "/api/v1/file/upload":
            _, files = _multipart(self.headers.get("Content-Type", ""), body)
            return self._json(200, self.standin.upload(files))
        if path != "/api/v1/case/report":
            return self._json(404, _error("E404", "接口不存在"))
        try:
            report = json.loads(body)
        except ValueError:
            return self._json(200, _error("E100", "请求体不是 JSON"))
        if isinstance(report, dict) and report.get("sourceCaseNo") in self.standin.faults.crash_numbers:
            return self._json(500, _error("E500", "系统内部错误: java.lang.NullPointerException"))
        answer = self.standin.report(report)
        with self.standin.lock:
            drop = answer["code"] == "0" and self.standin.faults.drop_next > 0
            self.standin.faults.drop_next -= drop
        if drop:  # recorded, but the client never hears back
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self._json(200, answer)

    def _authorized(self, method: str, path: str, body: bytes) -> bool:
        problem = self.standin.check_auth(method, path, self.headers, body)
        if problem:
            self._json(401, _error(problem.split()[0], problem.split(" ", 1)[1]))
        return problem is None

    def _fail(self) -> bool:
        with self.standin.lock:
            failing = self.standin.faults.fail_next > 0
            self.standin.faults.fail_next -= failing
        if failing:
            self._json(500, _error("E500", "系统繁忙"))
        return failing

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
