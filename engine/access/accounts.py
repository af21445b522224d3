"""Users as the web sees them, password checks slowed down after failures, and the
session version that lets a logout end every copy of a session."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

from engine import model
from engine.clock import Clock, SystemClock
from engine.errors import N_, PlanflowError
from engine.unit_of_work import AbstractUnitOfWork

MAX_USERNAME = 80  # the column's length: a longer name names nobody
MAX_PASSWORD = 1024  # hashing a megabyte-long "password" would tie up a worker


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    unit_id: int | None
    unit_name: str | None
    role: str
    email: str | None
    session_version: int = 1


def hash_password(password: str) -> str:
    return generate_password_hash(password)


class TooManyAttempts(PlanflowError):
    code = "too_many_attempts"


@dataclass(frozen=True)
class LoginPolicy:
    """Failed logins counted per username in the database, so every worker and every
    process of an install shares the count. After `free_failures` in a row, the next
    try must wait `first_delay`, doubling with each failure up to `max_delay`: guessing
    slows to at most one try a `max_delay` (well under ASVS's 100 an hour), while an
    attacker can never lock a colleague out for longer than `max_delay`. A run of
    failures is forgotten `forget_after` the last one, and by a right password."""

    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=1)
    forget_after: timedelta = timedelta(hours=1)

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.free_failures:
            return timedelta(0)
        return min(self.max_delay, self.first_delay * 2 ** (failures - self.free_failures))


def login_key(username: str) -> str:
    return username.strip().lower()[:MAX_USERNAME]


@cache
def _no_such_user_hash() -> str:
    # Checked when the username is unknown, so that answer takes as long as a wrong
    # password: the timing does not tell which usernames exist.
    return generate_password_hash("planflow: no such user")


def authenticate(uow: AbstractUnitOfWork, username: str, password: str,
                 clock: Clock | None = None, policy: LoginPolicy = LoginPolicy()) -> UserView | None:
    """The user, when the password is right; None otherwise. Raises TooManyAttempts
    while this username must wait after failures, whoever sends it and from where."""
    now = (clock or SystemClock()).now()
    key = login_key(username)
    with uow:
        waiting = uow.logins.retry_at(key)
        if waiting is not None and waiting > now:
            raise TooManyAttempts(N_("Too many failed logins for this username. Wait a minute and try again."))
        user = uow.users.by_username(username.strip()) if len(username) <= MAX_USERNAME else None
        stored = user.password_hash if user is not None else _no_such_user_hash()
        right = check_password_hash(stored, password[:MAX_PASSWORD]) and len(password) <= MAX_PASSWORD
        if user is None or not user.active or not right:
            # Unknown names are counted too: known and unknown answer alike.
            failures = uow.logins.count_failure(key, now, forget_before=now - policy.forget_after)
            uow.logins.hold(key, now + policy.wait_after(failures))
            uow.commit()
            return None
        if waiting is not None:
            uow.logins.forget(key)
            uow.commit()
        return _view(uow, user)


def end_sessions(uow: AbstractUnitOfWork, user_id: int) -> None:
    """Log the user out everywhere: every session carries the version it began with,
    and one with an older version is refused (`web/auth.py`)."""
    with uow:
        user = uow.users.get(user_id)
        if user is not None:
            user.session_version += 1
            uow.commit()


def get_user(uow: AbstractUnitOfWork, user_id: int) -> UserView | None:
    """Who a request's session is for (read on every page): one read, without the hash."""
    with uow:
        row = uow.users.profile(user_id)
    if row is None or not row["active"]:
        return None
    return UserView(row["id"], row["username"], row["full_name"], row["unit_id"], row["unit_name"], row["role"],
                    row["email"], row["session_version"])


def _view(uow: AbstractUnitOfWork, user: model.User) -> UserView:
    unit = uow.units.get(user.unit_id) if user.unit_id else None
    return UserView(user.id, user.username, user.full_name, user.unit_id,
                    unit.name if unit else None, user.role, user.email, user.session_version)
