"""Serve a WSGI app (a Flask app) over real HTTP in a thread, for browser tests."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server


@contextlib.contextmanager
def serve(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Yield the base URL (no trailing slash) of `app` served on a free port.

    Port 0 lets the OS choose, so there is no race for the port. `threaded=True`
    because a browser opens several connections at once (page, css, js).
    """
    server = make_server(host, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
