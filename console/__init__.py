"""The staff web console under /console/: a Flask blueprint with server-rendered Chinese pages.

It decides nothing itself: scope and roles come from handlers/cases.py, every step goes through the
handler functions the chat commands use (handlers/review.py) and so through Case.transition().
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded by the web app anyway; `chengguan console --help` needs neither
    from flask import Flask

    from bot.service import Service

SESSION_HOURS = 12


def install(app: Flask, service: Service) -> None:
    """Mount the console on the app: the signed session cookie, CSRF checks on its forms, its pages."""
    from flask_wtf.csrf import CSRFProtect

    from bot.uplink.signing import secret_key
    from console.views import bp

    app.secret_key = secret_key(service.config)  # the service's key (env or generated file), as for media links
    app.config.update(
        SESSION_COOKIE_NAME="chengguan_console",
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=service.config.platform.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_CHECK_DEFAULT=False,  # only the console's forms; the WeChat callbacks are signed instead
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    CSRFProtect(app)  # checked by the blueprint's before_request (console/views.py) on every POST
    app.register_blueprint(bp)
