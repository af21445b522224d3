"""Read models built a page of rows at a time."""
from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def built(cls: type[T], **fields: Any) -> T:
    """`cls(**fields)` for a frozen dataclass given every one of its fields, without its
    `__init__`: that sets each field through `object.__setattr__`, about seven times the
    cost of filling the instance's dict, and a page builds fifty rows or more. The object
    is equal to, hashes and prints as the one `__init__` would build, and stays frozen."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def built_of(cls: type[T], names: tuple[str, ...], values: tuple[Any, ...]) -> T:
    """`built` of every field's name in `names` and value in `values`, in the same order:
    for a row whose values one `itemgetter` picks, without a dict of keywords."""
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values))
    return obj


def built_from(cls: type[T], fields: dict[str, Any]) -> T:
    """`built` of a dict of every field the caller wrote as one literal: that dict becomes
    the instance's own, with no keywords gathered and copied (a fifth less for a page's
    tasks than `built`). The caller gives up the dict."""
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", fields)
    return obj
