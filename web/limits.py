"""Size limits on what a request may carry, before any view reads it (ASVS V5.1.4).

Files go up to `MAX_CONTENT_LENGTH` (20 MB). A JSON body is commands, not files: at
most `MAX_JSON_BYTES` (a process diagram is tens of KB), else 413, and nested at most
`MAX_JSON_DEPTH` deep (an import draft, the deepest, is 5), else malformed (400). A form field is
text a person typed: at most `MAX_FIELD_CHARS`, else 400 naming the field. The
engine keeps its own, tighter limits on what it stores (`engine/text_limits.py`).

No text may hold a NUL, in the query, a form or a JSON body: nobody types one, SQLite
would store it and PostgreSQL refuses it mid-query, so it is a 400 here, before either.
Nor half a UTF-16 pair (a lone surrogate), which only JSON's `\ud800` escape can send:
no UTF-8 text holds one, so a page showing it failed for everybody once it was stored.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, request

from engine.errors import N_, InvalidInput

MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_FIELD_CHARS = 50_000
MAX_JSON_DEPTH = 32
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def init_app(app: Flask) -> None:
    app.before_request(limit_request_body)
    app.before_request(refuse_unstorable)


def limit_request_body() -> None:
    if request.is_json or request.mimetype in ("application/xml", "text/xml"):
        request.max_content_length = MAX_JSON_BYTES  # read lazily: a 413 when the view reads it
        return
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        too_long = {name: N_("This text is too long.") for name, value in request.form.items(multi=True)
                    if len(value) > MAX_FIELD_CHARS}
        if too_long:
            raise InvalidInput(too_long, N_("A field is too long; shorten it and send again."))


def json_depth(value: Any) -> int:
    """How deep lists and objects nest in a parsed JSON value; walked with a list, not
    recursion, so that no depth can exhaust the stack."""
    deepest, waiting = 0, [(value, 1)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            waiting += [(child, depth + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return deepest


def refuse_unstorable() -> None:
    fields = [*request.args.items(multi=True)]
    if request.is_json:
        fields.append(("json", request.get_json(silent=True)))
    elif request.method in ("POST", "PUT", "PATCH"):
        fields += request.form.items(multi=True)
    holding = {name: N_("This text holds a character that cannot be stored.") for name, value in fields
               if _holds_unstorable(value)}
    if holding:
        raise InvalidInput(holding, N_("A field holds a character that cannot be stored; remove it and send again."))


def _holds_unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_unstorable(k) or _holds_unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_unstorable(v) for v in value)
    return False
