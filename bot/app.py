"""Flask app factory. Nothing is created at import time; gunicorn calls create_app()."""

from __future__ import annotations

import logging
import os

from flask import Flask, Request, current_app, jsonify
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import logs
from bot.channels import mp, work
from bot.config import Config
from bot.health import health
from bot.open311.routes import platform_blueprint
from bot.dispatcher import Dispatcher
from bot.metrics import WEBHOOK_ENDPOINTS, Metrics
from bot.notices import consent_route
from bot.redact import install_log_redaction
from bot.service import Service, current_service
from bot.startup import INSTANCE_ENV, INSTANCE_HEADER
from console import install as install_console
from handlers import resident, staff
from models.users import CHANNEL_MP, CHANNEL_WORK

log = logging.getLogger(__name__)
CALLBACK_PATHS = frozenset({"/wechat/mp", "/wechat/work"})
PLAIN_MODE_WARNING = "未设置 WECHAT_ENCODING_AES_KEY: 公众号为明文模式, 仅供开发测试; 正式使用请设置它 (安全模式)"


def create_app(config: Config | None = None, service: Service | None = None) -> Flask:
    service = service or Service.build(config or Config.from_env())
    install_log_redaction(service.config)
    if service.config.wechat.token and not service.config.wechat.safe_mode:
        log.warning(PLAIN_MODE_WARNING)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = service.config.max_body_bytes
    app.extensions["chengguan"] = service
    app.extensions["chengguan.dispatcher"] = Dispatcher(service, {CHANNEL_MP: resident.route, CHANNEL_WORK: staff.route})
    app.config["INSTANCE"] = os.environ.get(INSTANCE_ENV, "")  # which start of serve this is (bot.startup)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.register_blueprint(platform_blueprint())  # /open311/v2/… and signed /media/… links
    app.register_blueprint(mp.bp)
    app.register_blueprint(work.bp)
    app.register_blueprint(consent_route.bp)  # /wechat/subscribe, WeChat's redirect after a consent
    install_console(app, service)  # the staff web console under /console/
    app.session_interface = CallbacksWithoutSession()
    app.register_error_handler(HTTPException, _plain_http_error)
    Metrics(service.reads).install(app, service.config.metrics_token)  # scrapes never take the write lock
    if service.config.proxies:
        # Behind nginx every request comes from nginx: per-address limits (Open311 reads, console sign-in)
        # must count the address nginx puts in X-Forwarded-For. Without a proxy the header is ignored,
        # so a client cannot pick its own address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=service.config.proxies, x_proto=service.config.proxies)  # type: ignore[method-assign]
    logs.install(app, frozenset(WEBHOOK_ENDPOINTS))  # request ids on log lines and in X-Request-Id
    return app


class CallbacksWithoutSession(SecureCookieSessionInterface):
    """The console's signed cookie session, not opened for the WeChat/WeCom callbacks: they carry no cookie,
    and building the cookie's signer cost each webhook about as much as one of its SQL statements."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path in CALLBACK_PATHS:
            return None  # Flask's read-only null session
        return super().open_session(app, request)


def healthz():  # type: ignore[no-untyped-def]
    body, status = health(current_service())
    return jsonify(body), status, {INSTANCE_HEADER: current_app.config["INSTANCE"]}


def _plain_http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    # Short plain-text errors: no HTML page, no traceback, nothing for a scanner to read.
    text = f"{error.code} {error.name}"
    if error.description and error.description != type(error).description:
        text += f": {error.description}"  # our own explanation, e.g. which setting is missing
    return text + "\n", error.code or 500, {"Content-Type": "text/plain; charset=utf-8"}
