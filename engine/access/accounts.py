"""Users as the web sees them, and password checks (slowed down after failures)."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from engine import model
from engine.clock import Clock, SystemClock
from engine.errors import N_, PlanflowError
from engine.unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    unit_id: int | None
    unit_name: str | None
    role: str
    email: str | None


def hash_password(password: str) -> str:
    return generate_password_hash(password)


class TooManyAttempts(PlanflowError):
    code = "too_many_attempts"


class LoginThrottle:
    """Failed logins counted per (username, client address): after `max_failures` in a
    row that pair is refused for `lockout`, whatever the password. Guessing a password
    then takes days, while the same person on another machine, or a colleague at the
    same one, still logs in.

    In memory, per process: a restart forgets, and each worker of a scaled-out install
    counts on its own. Enough to slow guessing down; not a hard limit."""

    def __init__(self, max_failures: int = 5, lockout: timedelta = timedelta(minutes=5),
                 clock: Clock | None = None, max_keys: int = 10_000) -> None:
        self.max_failures, self.lockout, self.max_keys = max_failures, lockout, max_keys
        self.clock = clock or SystemClock()
        self._failures: dict[tuple[str, str], tuple[int, datetime]] = {}  # key -> (count, last failure)
        self._lock = threading.Lock()

    def check(self, key: tuple[str, str]) -> None:
        with self._lock:
            count, last = self._failures.get(key, (0, None))
            if count >= self.max_failures and self.clock.now() - last < self.lockout:
                raise TooManyAttempts(N_("Too many failed logins for this username. Wait a few minutes and try again."))

    def failed(self, key: tuple[str, str]) -> None:
        now = self.clock.now()
        with self._lock:
            count, last = self._failures.get(key, (0, now))
            count = 0 if now - last >= self.lockout else count  # an old run of failures is forgiven
            if len(self._failures) >= self.max_keys:  # made-up usernames cannot fill the memory
                self._failures = {k: v for k, v in self._failures.items() if now - v[1] < self.lockout}
            self._failures[key] = (count + 1, now)

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)


def authenticate(uow: AbstractUnitOfWork, username: str, password: str,
                 throttle: LoginThrottle | None = None, address: str = "") -> UserView | None:
    """The user, when the password is right; None otherwise. With a `throttle`, raises
    TooManyAttempts while this username is locked out from `address`."""
    key = (username.strip().lower(), address)
    if throttle is not None:
        throttle.check(key)
    with uow:
        user = uow.users.by_username(username.strip())
        if user is None or not user.active or not check_password_hash(user.password_hash, password):
            if throttle is not None:
                throttle.failed(key)
            return None
        if throttle is not None:
            throttle.succeeded(key)
        return _view(uow, user)


def get_user(uow: AbstractUnitOfWork, user_id: int) -> UserView | None:
    with uow:
        user = uow.users.get(user_id)
        return _view(uow, user) if user is not None and user.active else None


def _view(uow: AbstractUnitOfWork, user: model.User) -> UserView:
    unit = uow.units.get(user.unit_id) if user.unit_id else None
    return UserView(user.id, user.username, user.full_name, user.unit_id,
                    unit.name if unit else None, user.role, user.email)
