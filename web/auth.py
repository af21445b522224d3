"""Log in and out (Flask-Login), and who the current user is for every blueprint.

Pages use the session cookie. The JSON API also takes HTTP Basic auth for scripts;
see `web/api.py` for why that is safe against CSRF.

The cookie is signed, not stored, so the server decides when a session ends by what
the cookie carries (ASVS V3): the user's session version when it began (a logout
raises it, ending every copy of the session on every machine), when it began (an
absolute limit, `SESSION_ABSOLUTE_HOURS`) and when it was last used (an idle limit,
`SESSION_IDLE_MINUTES`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from engine.access import accounts
from engine.clock import Clock
from engine.ids import whole_number
from web.errors import engine_error_message
from web.extensions import login_manager, uow
from web.forms import LoginForm

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from engine.access.accounts import UserView

bp = Blueprint("auth", __name__, url_prefix="/auth")


class CurrentUser(UserMixin):
    """Flask-Login's view of an `engine.access.accounts.UserView`.

    `via_basic` is True when the API authenticated this request by HTTP Basic auth
    rather than by the session cookie; the API's CSRF rule depends on it.
    """

    def __init__(self, view: UserView, via_basic: bool = False) -> None:
        self.view = view
        self.via_basic = via_basic

    def get_id(self) -> str:
        return str(self.view.id)

    def __getattr__(self, name: str) -> object:
        # id, username, full_name, unit_name, role... read straight from the view.
        return getattr(self.__dict__["view"], name)


SESSION_KEYS = ("_user_id", "_fresh", "_id", "sv", "auth_at", "seen_at")
SEEN_EVERY = 60  # seconds: the last-use time is rewritten at most this often


def clock() -> Clock:
    return current_app.extensions["planflow_clock"]


def _now() -> int:
    return int(clock().now().timestamp())


def start_session(view: UserView) -> None:
    login_user(CurrentUser(view))
    session["sv"], session["auth_at"] = view.session_version, _now()
    session["seen_at"] = session["auth_at"]


def end_session() -> None:
    for key in SESSION_KEYS:
        session.pop(key, None)


def _session_alive(view: UserView) -> bool:
    now, config = _now(), current_app.config
    seen, began = session.get("seen_at"), session.get("auth_at")
    if (session.get("sv") != view.session_version or not isinstance(seen, int) or not isinstance(began, int)
            or now - began > config["SESSION_ABSOLUTE_HOURS"] * 3600
            or now - seen > config["SESSION_IDLE_MINUTES"] * 60):
        return False
    if now - seen >= SEEN_EVERY:
        session["seen_at"] = now
    return True


@login_manager.user_loader
def load_user(user_id: str) -> CurrentUser | None:
    number = whole_number(user_id)
    view = accounts.get_user(uow(), number) if number is not None else None
    if view is None or not _session_alive(view):
        end_session()  # the page then asks to log in again
        return None
    return CurrentUser(view)


@login_manager.request_loader
def load_user_from_basic_auth(req: Request) -> CurrentUser | None:
    """Only the API accepts Basic auth; pages never do, so a browser cannot be tricked
    into sending cached credentials to a form."""
    auth = req.authorization
    if req.blueprint != "api" or auth is None or auth.type != "basic":
        return None
    # A username that must wait raises TooManyAttempts: a 429 in JSON (web/errors.py).
    view = accounts.authenticate(uow(), auth.username or "", auth.password or "", clock())
    return CurrentUser(view, via_basic=True) if view else None


def _safe_next(target: str | None) -> str:
    """Follow `?next=` only to a path on this site (no open redirect). A backslash or a
    control character is refused too: browsers read "/" + backslash + "evil.example", and
    "/" + tab + "/evil.example", as "//evil.example", another site."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isprintable() and not urlsplit(target).netloc):
        return target
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | tuple[str, int] | Response:
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            view = accounts.authenticate(uow(), form.username.data, form.password.data, clock())
        except accounts.TooManyAttempts as error:
            form.password.errors.append(engine_error_message(error))
            return render_template("auth/login.html", form=form), 429
        if view is not None:
            start_session(view)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    # POST with a CSRF token: a link elsewhere cannot log the user out. Every session
    # of this user ends, a copied cookie's too.
    accounts.end_sessions(uow(), current_user.id)
    logout_user()
    end_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
