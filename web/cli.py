"""The `planflow` command: one entry point for operators and the set-up scripts."""
from __future__ import annotations

import click

from adapters.storage import Storage


def _storage() -> Storage:
    """The storage the web app would use: same configuration, same database."""
    from web.app import create_app

    return create_app().extensions["planflow"]


@click.group()
def main() -> None:
    """planflow: run the tasks of government plans to the end."""


@main.group()
def plan() -> None:
    """Plans: import and inspect."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    storage = _storage()
    storage.upgrade()
    click.echo(f"Schema up to date: {storage.engine.url.render_as_string(hide_password=True)}")


@main.group()
def demo() -> None:
    """The demo office, its people and plans."""


@demo.command("load")
def demo_load() -> None:
    """Load the demo data into an empty database (does nothing if it is loaded)."""
    from adapters.demo import DEMO_PASSWORD, load_demo
    from engine.clock import SystemClock

    storage = _storage()
    if load_demo(storage.uow, SystemClock()):
        click.echo(f"Demo loaded. Password for every demo user: {DEMO_PASSWORD}")
    else:
        click.echo("Demo data already present; nothing loaded.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve planflow (the embedded default: one process, threads)."""
    from werkzeug.serving import run_simple

    from web.app import create_app

    app = create_app()
    click.echo(f"planflow is running at http://{host}:{port}/  (Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True, use_reloader=False)
