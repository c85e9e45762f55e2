"""The console's pages: sign-in, the queue, a case with its photos and actions, the photos themselves."""

from __future__ import annotations

from typing import Any

from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, send_file,
                   session, url_for)
from flask_wtf.csrf import CSRFError

from bot.db import transaction
from bot.service import current_service
from bot.redaction.rights import PHOTOS_ORIGINAL, has_right
from bot.redaction.store import existing_copy, make_copy
from bot.uplink.media import inside_folder
from console import casepage, queue
from console.actions import REWORK_CODES, ActionRefused, perform
from console.auth import SignInRefused, login_required, safe_next, sign_in, start_session
from handlers.catalog import categories
from handlers.context import StaffAction
from handlers.dispatch import street_units
from models import CaseSource, CaseStatus, Photo, utcnow
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
    return render_template("login.html", error=error), 200 if not error else 401


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
                           is_overdue=queue.is_overdue, category_label=queue.category_label, local=_local)


@bp.get("/cases/<number>")
@login_required
def case_page(number: str) -> Any:
    case = casepage.case_for(g.db, g.user, number)
    if case is None:
        abort(404, "没有找到该案件, 或该案件不在您负责的范围内。")
    now = utcnow()
    units = street_units(g.db, case.street_id) if case.status == CaseStatus.ACCEPTED else []
    return render_template("case.html", v=casepage.view(g.db, case), now=now, overdue=queue.is_overdue(case, now),
                           units=units,
                           category_label=queue.category_label, local=_local, verdict=casepage.verdict_lines,
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
    path = inside_folder(current_service().config.photo_dir, stored) if stored else None
    if path is None or not path.is_file():
        abort(404, "照片不存在或不在您负责的范围内。")
    response = send_file(path, mimetype="image/jpeg" if path.suffix.lower() in (".jpg", ".jpeg") else None,
                         max_age=3600, conditional=True)
    response.cache_control.private = True
    response.cache_control.public = False
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
