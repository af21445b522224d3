"""Log in and out (Flask-Login), and who the current user is for every blueprint.

Pages use the session cookie. The JSON API also takes HTTP Basic auth for scripts;
see `web/api.py` for why that is safe against CSRF.
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
    url_for,
)
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from engine.access import accounts
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


@login_manager.user_loader
def load_user(user_id: str) -> CurrentUser | None:
    if not user_id.isdigit():
        return None
    view = accounts.get_user(uow(), int(user_id))
    return CurrentUser(view) if view else None


@login_manager.request_loader
def load_user_from_basic_auth(req: Request) -> CurrentUser | None:
    """Only the API accepts Basic auth; pages never do, so a browser cannot be tricked
    into sending cached credentials to a form."""
    auth = req.authorization
    if req.blueprint != "api" or auth is None or auth.type != "basic":
        return None
    # A locked-out username raises TooManyAttempts: a 429 in JSON (web/errors.py).
    view = accounts.authenticate(uow(), auth.username or "", auth.password or "", login_throttle(),
                                 req.remote_addr or "")
    return CurrentUser(view, via_basic=True) if view else None


def login_throttle() -> accounts.LoginThrottle:
    return current_app.extensions["planflow_logins"]


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
            view = accounts.authenticate(uow(), form.username.data, form.password.data, login_throttle(),
                                         request.remote_addr or "")
        except accounts.TooManyAttempts as error:
            form.password.errors.append(engine_error_message(error))
            return render_template("auth/login.html", form=form), 429
        if view is not None:
            login_user(CurrentUser(view))
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong username or password."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    # POST with a CSRF token: a link elsewhere cannot log the user out.
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
