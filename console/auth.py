"""Who is signed in to the console: password sign-in, the session, and the guard on every page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from console import passwords, ratelimit
from models import Role, User, utcnow

CONSOLE_ROLES = (Role.REVIEWER, Role.ADMIN)


class SignInRefused(Exception):
    """The message says why, in Chinese, without telling which of name or password was wrong."""


def sign_in(db: Session, login: str, password: str, address: str) -> User:
    """The user, when the name and password match an active reviewer or admin; SignInRefused otherwise."""
    login = login.strip()
    now = utcnow()
    if not login or not password:
        raise SignInRefused("请输入用户名和密码。")
    if ratelimit.blocked(db, login, address, now):
        raise SignInRefused(f"登录失败次数过多, 请 {int(ratelimit.WINDOW.total_seconds() // 60)} 分钟后再试。")
    user = db.scalars(select(User).where(User.login == login)).one_or_none()
    ok = passwords.verify(user.password_hash if user else None, password)
    ok = ok and user is not None and user.has_role(*CONSOLE_ROLES)
    ratelimit.record(db, login, address, ok, now)
    if not ok or user is None:
        raise SignInRefused("用户名或密码不正确, 请重试; 忘记密码请联系管理员。")
    return user


def start_session(user: User) -> None:
    session.clear()  # nothing from before sign-in survives (no session fixation)
    session.permanent = True
    session["staff"] = user.id
    session["stamp"] = passwords.stamp(user.password_hash)


def signed_in_user(db: Session) -> User | None:
    """The session's user, if still active, still a reviewer or admin, and with the same password."""
    staff_id = session.get("staff")
    if not isinstance(staff_id, int):
        return None
    user = db.get(User, staff_id)
    if user is None or not user.has_role(*CONSOLE_ROLES) or session.get("stamp") != passwords.stamp(user.password_hash):
        return None
    return user


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view runs with g.db (a session, committed by the view if it writes) and g.user; else to the login page."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        from bot.service import current_service

        with current_service().sessions() as db:
            user = signed_in_user(db)
            if user is None:
                session.clear()
                return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
            g.db, g.user = db, user
            return view(*args, **kwargs)

    return guarded


def safe_next(target: str | None) -> str:
    """Only a path inside the console; anything else (another host, //evil) goes to the queue."""
    if target and target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("console.queue")
