"""Users as the web sees them, and password checks."""
from __future__ import annotations

from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

from engine import model
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


def authenticate(uow: AbstractUnitOfWork, username: str, password: str) -> UserView | None:
    with uow:
        user = uow.users.by_username(username.strip())
        if user is None or not user.active or not check_password_hash(user.password_hash, password):
            return None
        return _view(uow, user)


def get_user(uow: AbstractUnitOfWork, user_id: int) -> UserView | None:
    with uow:
        user = uow.users.get(user_id)
        return _view(uow, user) if user is not None and user.active else None


def _view(uow: AbstractUnitOfWork, user: model.User) -> UserView:
    unit = uow.units.get(user.unit_id) if user.unit_id else None
    return UserView(user.id, user.username, user.full_name, user.unit_id,
                    unit.name if unit else None, user.role, user.email)
