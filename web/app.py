"""The Flask app factory: configuration, extensions, blueprints, error pages.

Nothing is built at import: `create_app` makes the storage (one SQLAlchemy engine)
and keeps it at `app.extensions["planflow"]`; views reach it through
`web.extensions.uow()`.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import format_date, format_datetime, gettext, lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from adapters.storage import Storage
from engine.clock import SystemClock
from engine.errors import N_
from engine.ids import MAX_ID
from engine.process.step_forms import MAX_UPLOAD_BYTES
from web import (  # noqa: F401  imports_api: routes on the API blueprint
    api,
    auth,
    calendar_admin,
    dashboard,
    date_changes,
    designer,
    headers,
    i18n,
    imports,
    imports_api,
    incidents,
    inbox,
    jobs,
    limits,
    notices,
    plans,
    steps,
    work,
)
from web.config import Settings
from web.errors import register_error_handlers
from web.extensions import csrf, login_manager

ROLE_LABELS = {
    "leader": _l("Leader"),
    "unit_head": _l("Unit head"),
    "staff": _l("Staff"),
    "monitor": _l("Plan monitor"),
    "designer": _l("Process designer"),
}


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: an id past the column's range is a 404, not the
    driver's OverflowError (a 500) on `/tasks/99999999999999999999`."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class JSONProvider(DefaultJSONProvider):
    """Dates go out as ISO 8601 (`2024-03-31`), not Flask's default RFC 822 text; a
    body nested deeper than a command ever is comes in as malformed JSON."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        # `[[[[…` nested a thousand deep raised RecursionError, which `get_json` does not
        # count as malformed (only ValueError): a 500 on every route, from a 2 KB body.
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if limits.json_depth(value) > limits.MAX_JSON_DEPTH:
            raise ValueError("JSON nested too deeply")
        return value

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, (date, datetime)):
            return o.isoformat()
        if isinstance(o, bytes):  # attachment bodies never go out as JSON
            return None
        return DefaultJSONProvider.default(o)


def create_app(config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Build the app. `settings` default to the environment's (`web/config.py`);
    `config` overrides Flask's values (tests pass `DATABASE_URL`, `TESTING`,
    `WTF_CSRF_ENABLED`, `MAX_CONTENT_LENGTH`, `TODAY`)."""
    settings = settings or Settings.from_environ()
    app = Flask(__name__, instance_relative_config=True)
    app.json = JSONProvider(app)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.from_mapping(
        PLANFLOW_SETTINGS=settings,
        DATABASE_URL=settings.database_url or f"sqlite:///{Path(app.instance_path) / 'planflow.sqlite3'}",
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",  # a second fence against cross-site POSTs
        # Served over HTTPS (its public address says so): the cookie never goes out in clear.
        SESSION_COOKIE_SECURE=settings.served_over_https,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: forms are long
        # ASVS 3.3.2 (level 2): log in again after 30 idle minutes, or 12 hours in all.
        SESSION_IDLE_MINUTES=settings.session_idle_minutes,
        SESSION_ABSOLUTE_HOURS=settings.session_absolute_hours,
    )
    app.config.from_mapping(config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app)

    app.extensions["planflow"] = Storage(app.config["DATABASE_URL"])
    app.extensions["planflow_clock"] = SystemClock()  # sessions and logins; tests move it

    i18n.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # A plain msgid translated at flash time: a lazy string cannot go into the session.
    login_manager.login_message = N_("Log in to continue.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"

    for blueprint in (auth.bp, inbox.bp, steps.bp, plans.bp, api.bp, dashboard.bp, designer.bp,
                      calendar_admin.bp):
        app.register_blueprint(blueprint)
    # deadlines: notices, extensions, dates
    for blueprint in (notices.bp, date_changes.bp, imports.bp, work.bp, incidents.bp, jobs.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # the API applies its own rule: see web/api.py
    register_error_handlers(app)
    headers.init_app(app)
    limits.init_app(app)
    _register_template_helpers(app)
    return app


def _instance_secret(app: Flask) -> str:
    """No `PLANFLOW_SECRET_KEY`: keep a random key in the instance folder, so sessions
    survive a restart and every worker of one install shares it. Tests get a fresh one."""
    if app.testing:
        return secrets.token_hex(32)
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def switch_lang_url(lang: str) -> str:
    """This page again, with its query (a search's filters) kept, in `lang`. Built by
    `url_for`, never from the raw path, so an error page for `//other.site` cannot
    link off-site."""
    if request.endpoint is None or request.endpoint == "static":
        return url_for("inbox.index", lang=lang)
    # The route's own values win over a query argument of the same name.
    return url_for(request.endpoint, **{**request.args.to_dict(), **(request.view_args or {}), "lang": lang})


# The step names of processes/plan_task.bpmn (version 1), with their English labels.
DEFAULT_STEP_NAMES = {
    "Phân công người thực hiện": N_("Assign a staff member"),
    "Đơn vị phối hợp góp ý": N_("Coordinating unit's contribution"),
    "Báo cáo kết quả": N_("Report the result"),
    "Báo cáo lại theo yêu cầu": N_("Report again as asked"),
    "Xem xét, đánh giá kết quả": N_("Review the result"),
}


def _register_template_helpers(app: Flask) -> None:
    @app.template_filter("day")
    def day(value: date | None) -> str:
        # dd/mm/yyyy is how Vietnamese offices write dates, in either language.
        return format_date(value, "dd/MM/yyyy") if value else ""

    @app.template_filter("moment")
    def moment(value: datetime | None) -> str:
        return format_datetime(value, "dd/MM/yyyy HH:mm") if value else ""

    @app.template_filter("filesize")
    def filesize(size: int | None) -> str:
        size = size or 0
        if size < 1024:
            return f"{size} B"
        return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"

    @app.template_filter("step_label")
    def step_label(name: str | None) -> str:
        # Step names come from the BPMN, in Vietnamese; the shipped process's names are
        # shown in English when the page is. A designer's own names are shown as written.
        if not name or i18n.select_locale() == "vi" or name not in DEFAULT_STEP_NAMES:
            return name or ""
        return gettext(DEFAULT_STEP_NAMES[name])

    @app.context_processor
    def layout_values() -> dict[str, Any]:
        return {
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "current_lang": i18n.select_locale(),
            "switch_lang_url": switch_lang_url,
        }
