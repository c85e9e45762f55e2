"""The GeoReport v2 endpoints under /open311/v2/, in .json and .xml. Reading service requests needs
an api_key unless CHENGGUAN_OPEN311_PUBLIC_READ=1, and what a reader sees depends on its key's scope
(bot.open311.readers); services and discovery are open. Filing a request or an update needs an api_key
(see `chengguan platform add-key`)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import transaction
from bot.open311.caching import Rendered, cacheable, data_stamp
from bot.open311.errors import Open311Error, check_format, error_response
from bot.open311.formats import parse_w3, render
from bot.open311.guards import guards
from bot.open311.guards import install as install_guards
from bot.open311.keys import authenticate
from bot.open311.quota import count_post
from bot.open311.readers import Reader, reader
from bot.open311.serialize import category_table, find_category, request_items, service_item
from bot.open311.submit import add_update, create_request
from bot.service import current_service
from bot.uplink.media import media_blueprint
from models.base import utcnow
from models.cases import Case
from models.lifecycle import FINAL
from models.platform import Open311Submission

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000


def platform_blueprint() -> Blueprint:
    """Everything the platform and other systems reach: /open311/v2/… and the signed /media/… links."""
    parent = Blueprint("platform", __name__)
    parent.register_blueprint(open311_blueprint())
    parent.register_blueprint(media_blueprint())
    return parent


def open311_blueprint() -> Blueprint:
    bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
    bp.add_url_rule("/discovery.<fmt>", "discovery", discovery)
    bp.add_url_rule("/services.<fmt>", "services", services)
    bp.add_url_rule("/services/<code>.<fmt>", "service_definition", service_definition)
    bp.add_url_rule("/requests.<fmt>", "requests", list_requests, methods=["GET"])
    bp.add_url_rule("/requests.<fmt>", "create", post_request, methods=["POST"])
    bp.add_url_rule("/requests/<number>.<fmt>", "request", one_request)
    bp.add_url_rule("/tokens/<token>.<fmt>", "token", token)
    bp.add_url_rule("/servicerequestupdates.<fmt>", "update", post_update, methods=["POST"])
    install_guards(bp)  # NUL refused, reads admitted, this app's throttle and listing cache
    bp.register_error_handler(Open311Error, lambda e: error_response(e, (request.view_args or {}).get("fmt", "json")))
    return bp


def _answer(items, root: str, fmt: str, status: int = 200, last_modified=None) -> Response:  # type: ignore[no-untyped-def]
    body, content_type = render(items, root, check_format(fmt))
    if request.method != "GET" or status != 200:
        return Response(body, status=status, content_type=content_type)
    return cacheable(Rendered(body, content_type, last_modified), request, guards().max_age)


def discovery(fmt: str) -> Response:
    # From configuration, never from the Host header (a client could point other clients anywhere).
    base = current_service().config.platform.public_url + "/open311/v2"
    body = {"changeset": "2026-11-22T00:00:00+08:00", "contact": "城管随手拍平台管理员",
            "key_service": "chengguan platform add-key",
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                           "changeset": "2026-11-22T00:00:00+08:00", "type": "production",
                           "formats": ["application/json", "text/xml"]}]}
    check_format(fmt)
    if fmt == "xml":
        raise Open311Error(404, "discovery is served as .json")
    return _answer(body, "discovery", fmt)


def services(fmt: str) -> Response:
    return _answer([service_item(c) for c in category_table()], "services", fmt)


def service_definition(code: str, fmt: str) -> Response:
    check_format(fmt)
    if find_category(code) is None:
        raise Open311Error(404, f"service_code {code} was not found")
    return _answer({"service_code": code, "attributes": []}, "service_definition", fmt)


def list_requests(fmt: str) -> Response:
    check_format(fmt)
    args = request.args
    query = select(Case).order_by(Case.created_at.desc(), Case.id.desc()).limit(MAX_RESULTS)
    ids = _csv(args.get("service_request_id"))
    if ids:
        query = query.where(Case.number.in_(ids))
    else:
        end = _date(args.get("end_date"), "end_date") or utcnow()
        start = _date(args.get("start_date"), "start_date") or _before(end, MAX_SPAN)
        if end - start > MAX_SPAN:
            raise Open311Error(400, "start_date to end_date may span at most 90 days")
        query = query.where(Case.created_at >= start, Case.created_at <= end)
        if codes := _csv(args.get("service_code")):
            query = query.where(Case.category_code.in_(codes))
        query = _status_filter(query, _csv(args.get("status")))
    return _cached_listing(query, fmt)


def one_request(number: str, fmt: str) -> Response:
    check_format(fmt)
    with current_service().reads() as session:  # never the write lock: see bot.db.make_read_engine
        who = _reader(session)
        rendered = _render_cases(session, select(Case).where(Case.number == number), fmt, who,
                                 missing=f"service_request_id {number}")
    return cacheable(rendered, request, guards().max_age, shared=not who.keyed)


def _cached_listing(query, fmt: str) -> Response:  # type: ignore[no-untyped-def]
    """A listing is built once per change of the data and per audience, however many clients poll it
    (see caching); the key itself is not part of the cache key, so every key of an audience shares it."""
    args = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if k != "api_key"))
    with current_service().reads() as session:
        who = _reader(session)
        rendered = guards().listings.get((fmt, who.audience, args), data_stamp(session),
                                         lambda: _render_cases(session, query, fmt, who))
    return cacheable(rendered, request, guards().max_age, shared=not who.keyed)


def _reader(session: Session) -> Reader:
    return reader(session, request, current_service().config.open311)


def _render_cases(session: Session, query, fmt: str, who: Reader, missing: str | None = None) -> Rendered:  # type: ignore[no-untyped-def]
    cases = list(session.scalars(query))
    if missing and not cases:
        raise Open311Error(404, f"{missing} was not found")
    items = request_items(session, current_service().config, cases, who.audience)
    body, content_type = render(items, "service_requests", check_format(fmt))
    return Rendered(body, content_type, max((c.updated_at for c in cases), default=None))


def post_request(fmt: str) -> Response:
    check_format(fmt)
    service = current_service()
    with transaction(service.sessions) as session:
        key = authenticate(session, request.form.get("api_key"))
        count_post(session, key, service.config.open311, utcnow())
        receipt = create_request(session, key, request.form, service.config.open311)
    return _answer([receipt], "service_requests", fmt)


def post_update(fmt: str) -> Response:
    check_format(fmt)
    service = current_service()
    with transaction(service.sessions) as session:
        key = authenticate(session, request.form.get("api_key"))
        count_post(session, key, service.config.open311, utcnow())
        receipt = add_update(session, key, request.form)
    return _answer([receipt], "service_request_updates", fmt)


def token(token: str, fmt: str) -> Response:
    check_format(fmt)
    with current_service().reads() as session:
        number = session.scalar(select(Case.number).join(Open311Submission, Open311Submission.case_id == Case.id)
                                .where(Open311Submission.token == token))
    if number is None:
        raise Open311Error(404, f"token {token} was not found")
    return _answer([{"service_request_id": number, "token": token}], "service_requests", fmt)


def _csv(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _date(raw: str | None, name: str):  # type: ignore[no-untyped-def]
    if not raw:
        return None
    try:
        return parse_w3(raw)
    except (ValueError, OverflowError):  # OverflowError: the zone moves it out of years 1-9999
        raise Open311Error(400, f"{name}={raw} is not a W3C datetime such as 2026-11-01T00:00:00+08:00") from None


def _before(end, span: timedelta):  # type: ignore[no-untyped-def]
    try:
        return end - span
    except OverflowError:
        raise Open311Error(400, "end_date is too early; send a date after 0001-04-01") from None


def _status_filter(query, statuses: list[str]):  # type: ignore[no-untyped-def]
    wanted = {s.lower() for s in statuses}
    if wanted - {"open", "closed"}:
        raise Open311Error(400, "status must be open and/or closed")
    if wanted == {"open"}:
        return query.where(Case.status.not_in(FINAL))
    if wanted == {"closed"}:
        return query.where(Case.status.in_(FINAL))
    return query
