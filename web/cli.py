"""The `planflow` command: one entry point for operators and the set-up scripts."""
from __future__ import annotations

import click


@click.group()
def main() -> None:
    """planflow: run the tasks of government plans to the end."""


@main.group()
def plan() -> None:
    """Plans: import and inspect."""
