"""The console's pages: sign-in, the queue, a case with its photos and actions, the photos themselves."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

from flask import (Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, render_template, request,
                   send_file, session, url_for)
from flask_wtf.csrf import CSRFError

from bot.db import transaction
from bot.service import current_service
from bot.photoserve import photo_response
from bot.photostore import PhotoMissing, store_for
from bot.redaction.rights import PHOTOS_ORIGINAL, has_right
from bot.redaction.store import existing_copy, make_copy
from console import aligned, casepage, dashboard, mapdata, queue, wecom_login
from console.actions import REWORK_CODES, ActionRefused, perform
from console.auth import SignInRefused, login_required, safe_next, sign_in, start_session
from handlers.catalog import categories, category_label
from handlers.context import StaffAction
from handlers.case_changes import REASSIGNABLE
from handlers.dispatch import street_units
from models import CaseSource, CaseStatus, Photo, PhotoRole, utcnow
from models.calendar import TZ

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@bp.before_request
def _check_csrf() -> None:
    if request.method == "POST":
        current_app.extensions["csrf"].protect()  # Flask-WTF: the form's token must match the session's


@bp.after_request
def _secure_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    tiles = tile_origin(current_service().config.map_tiles)
    if tiles:  # the map's tiles come from the configured tile server, and from nowhere else
        response.headers["Content-Security-Policy"] = response.headers["Content-Security-Policy"].replace(
            "img-src 'self'", f"img-src 'self' {tiles}")
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def _csrf_refused(_error: CSRFError) -> Any:
    return render_template("error.html", message="页面已过期或来源不明, 请返回刷新页面后再提交。"), 400


@bp.errorhandler(404)
def _not_found(error: Any) -> Any:
    return render_template("error.html", message=error.description), 404


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = ""
    if request.method == "POST":
        with transaction(current_service().sessions) as db:  # commits the attempt, failed ones too
            try:
                user = sign_in(db, request.form.get("login", "")[:64], request.form.get("password", "")[:200],
                               request.remote_addr or "?")
                start_session(user)
            except SignInRefused as exc:
                error = str(exc)
        if not error:
            return redirect(safe_next(request.args.get("next")))
    return _login_page(error)


def _login_page(error: str = "") -> Any:
    config = current_service().config
    inside_wecom = "wxwork" in request.headers.get("User-Agent", "").lower()
    return render_template("login.html", error=error, wecom=wecom_login.available(config),
                           inside_wecom=inside_wecom), 200 if not error else 401


@bp.get("/login/wecom")
def wecom_start() -> Any:
    """网页授权 (inside WeCom's browser) or, with ?qr=1, 扫码登录 (desktop)."""
    config = current_service().config
    if not wecom_login.available(config):
        return _login_page("本系统尚未开通企业微信登录, 请用用户名和密码登录。")
    return redirect(wecom_login.start(config, qr=request.args.get("qr") == "1"))


@bp.get("/login/wecom/callback")
def wecom_callback() -> Any:
    config = current_service().config
    try:
        wecom_login.check_state(request.args.get("state", ""))
        userid = wecom_login.member_userid(config, request.args.get("code", ""))
        with current_service().sessions() as db:
            user = wecom_login.staff_for(db, userid)
            start_session(user)
    except wecom_login.WeComLoginRefused as exc:
        return _login_page(str(exc))
    return redirect(url_for("console.queue"))


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    flash("已退出登录。")
    return redirect(url_for("console.login"))


@bp.get("/", endpoint="queue")
@login_required
def queue_page() -> Any:
    streets = queue.visible_streets(g.db, g.user)
    filters = queue.Filters.parse(request.args.to_dict(), streets)
    for problem in filters.problems:
        flash(problem, "error")
    now = utcnow()
    page = queue.load(g.db, g.user, filters, now)
    return render_template("queue.html", page=page, filters=filters, tabs=queue.TABS, streets=streets,
                           categories=list(categories()), sources=list(CaseSource), now=now,
                           is_overdue=queue.is_overdue, category_label=category_label, local=_local)


@bp.get("/cases/<number>")
@login_required
def case_page(number: str) -> Any:
    case = casepage.case_for(g.db, g.user, number)
    if case is None:
        abort(404, "没有找到该案件, 或该案件不在您负责的范围内。")
    now = utcnow()
    units = street_units(g.db, case.street_id)
    return render_template("case.html", v=casepage.view(g.db, case), now=now, overdue=queue.is_overdue(case, now),
                           units=units, categories=list(categories()), reassignable=REASSIGNABLE,
                           tiles=current_service().config.map_tiles,
                           category_label=category_label, local=_local, verdict=casepage.verdict_lines,
                           rework_codes=REWORK_CODES, Status=CaseStatus)


@bp.post("/cases/<number>/<action>")
@login_required
def case_action(number: str, action: str) -> Any:
    if casepage.case_for(g.db, g.user, number) is None:
        abort(404, "没有找到该案件, 或该案件不在您负责的范围内。")
    try:
        message = perform(StaffAction(g.db, current_service().config, g.user), number, action, request.form)
    except ActionRefused as exc:
        g.db.rollback()
        flash(str(exc), "error")
    else:
        g.db.commit()
        flash(message)
    return redirect(url_for("console.case_page", number=number))


@bp.get("/photos/<int:photo_id>")
@login_required
def photo(photo_id: int) -> Any:
    found = casepage.photo_for(g.db, g.user, photo_id)
    stored = _shown_file(found) if found else None
    if not stored:
        abort(404, "照片不存在或不在您负责的范围内。")
    response = photo_response(current_service().config, stored)
    response.cache_control.private = True
    response.cache_control.public = False
    return response


@bp.get("/map")
@login_required
def map_page() -> Any:
    return render_template("map.html", tiles=current_service().config.map_tiles, statuses=list(CaseStatus))


@bp.get("/map.json")
@login_required
def map_data() -> Any:
    """GeoJSON for the map (open cases and streets in scope), or with ?case= for one case's small map."""
    now = utcnow()
    number = request.args.get("case", "")
    if number:
        case = casepage.case_for(g.db, g.user, number)
        if case is None:
            return jsonify(error="没有找到该案件, 或该案件不在您负责的范围内。"), 404
        data = mapdata.one_case(g.db, case, now)
    else:
        data = mapdata.open_cases(g.db, g.user, now)
    response = jsonify(data)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/dashboard")
@login_required
def dashboard_page() -> Any:
    from bot.reports.table import HEADERS, row_values, total_values

    now = utcnow()
    month, problem = dashboard.month_from(request.args.get("month", ""), now)
    if problem:
        flash(problem, "error")
    report = dashboard.scoped_report(g.db, g.user, month)
    return render_template("dashboard.html", report=report, month=month, months=dashboard.recent_months(now),
                           headers=HEADERS, row_values=row_values, total_values=total_values,
                           district=dashboard.district_wide(g.user))


@bp.get("/dashboard/chart.png")
@login_required
def dashboard_chart() -> Any:
    from bot.reports.chart import ranking_png
    from bot.reports.fonts import NoChineseFont

    month, _ = dashboard.month_from(request.args.get("month", ""), utcnow())
    try:
        png = ranking_png(dashboard.scoped_report(g.db, g.user, month))
    except NoChineseFont:
        abort(404, "服务器没有中文字体, 无法画排名图; 请管理员安装 fonts-noto-cjk。")
    return Response(png, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


@bp.get("/dashboard/ledger.xlsx")
@login_required
def dashboard_ledger() -> Any:
    month, _ = dashboard.month_from(request.args.get("month", ""), utcnow())
    data = dashboard.ledger_bytes(dashboard.scoped_report(g.db, g.user, month))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"台账-{month}.xlsx", max_age=0,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def tile_origin(template: str) -> str:
    """The tile server's origin for the CSP ("https://{s}.tile.example" -> "https://*.tile.example")."""
    if not template:
        return ""
    parts = urlsplit(template.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


@bp.get("/photos/<int:photo_id>/aligned.jpg")
@login_required
def aligned_photo(photo_id: int) -> Any:
    """The rectification photo warped onto the case's problem photo (rendered once, then cached)."""
    rectified = casepage.photo_for(g.db, g.user, photo_id)
    problem = casepage.problem_photo_of(g.db, rectified.case_id) if rectified and rectified.case_id else None
    if (problem is None or rectified is None or rectified.role != PhotoRole.RECTIFICATION
            or not problem.storage_path or not rectified.storage_path):
        abort(404, "照片不存在或不在您负责的范围内。")
    try:
        jpeg = aligned.aligned_jpeg(store_for(current_service().config),
                                    (problem.sha256 or str(problem.id), problem.storage_path),
                                    (rectified.sha256 or str(rectified.id), rectified.storage_path))
    except PhotoMissing:
        abort(404, "照片不存在或不在您负责的范围内。")
    if jpeg == aligned.NOT_ALIGNED:
        abort(404, "两张照片无法自动对齐 (角度相差太大或画面特征太少)。")
    response = Response(jpeg, mimetype="image/jpeg")
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response


def _shown_file(photo: Photo) -> str | None:
    """The original for users with the photos.original right, else the redacted copy (made on first view)."""
    if has_right(g.user, PHOTOS_ORIGINAL):
        return photo.storage_path
    g.db.commit()  # no transaction held while the copy is made (it takes a while; SQLite's lock)
    make_copy(current_service(), photo.id)
    copy = existing_copy(g.db, photo.id)
    return copy.storage_path if copy else None


def _local(moment: Any) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if moment else "—"
