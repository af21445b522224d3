"""planflow's web entrypoint: the Flask app factory, pages and JSON API."""
from __future__ import annotations

from web.app import create_app

__all__ = ["create_app"]
