"""Security headers on every response (ASVS V14.4).

The policy allows only this site's own scripts: no inline script, no `eval`, and no
other origin. bpmn-js and Chart.js are served from `static/vendor`; they set element
styles from script, which `style-src` does not govern, but the diagram's SVG carries
style attributes, hence `'unsafe-inline'` for styles only (styles cannot run code).
bpmn-js draws its icons from `data:` URLs. No page may be framed (`frame-ancestors`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, request

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # ids in our addresses never go to another site
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    https = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.after_request
    def security_headers(response: Response) -> Response:
        # A downloaded attachment sets its own, stricter policy (a sandbox): kept.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            # Pages show plans and people: no shared or back-button cache keeps them.
            response.headers.setdefault("Cache-Control", "no-store")
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
