"""A throwaway PostgreSQL server for the test session.

Debian's binaries, a `mktemp -d` data directory and a loopback port. As root the
server runs as the `postgres` user (`initdb` and `pg_ctl` refuse root), and the
directory is handed to that user: pytest's own temp root is mode 700 and would not
be reachable by `postgres`.

A pytest that is killed rather than ended never runs the fixture's `stop`; a watcher
in a session of its own stops the server once the pipe from its pytest closes, as it
does when that process ends in any way (`_watch`).
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from .net import free_port

SERVER_SETTINGS = (
    # Durability is pointless for a test database; these make it fast.
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)


class PostgresError(RuntimeError):
    """A PostgreSQL tool failed; the message has its output (and the server log)."""


def find_bindir() -> Path | None:
    """The newest `/usr/lib/postgresql/*/bin` that has `pg_ctl`, or None."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")]
    if not found:
        return None

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", p.parent.name))

    return max(found, key=version)


class PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.host = "127.0.0.1"
        self.port = 0
        self.dir: Path | None = None
        self._as_root = os.geteuid() == 0
        self._watcher: subprocess.Popen | None = None

    # -- life cycle -------------------------------------------------------------
    def start(self, attempts: int = 3) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="planflow-pg-"))
        if self._as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", self.datadir, "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C.UTF-8", "-N")
        # The port is only free "a moment ago": retry with another if taken.
        for attempt in range(attempts):
            self.port = free_port()
            try:
                self._run("pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w",
                          "-t", "30", "-o",
                          f"-p {self.port} -k {self.dir} {SERVER_SETTINGS}", "start")
                break
            except PostgresError as exc:
                if attempt == attempts - 1:
                    raise PostgresError(
                        f"PostgreSQL did not start: {exc}\n"
                        f"--- {self.logfile} ---\n{self.log()}"
                    ) from exc
        self._watch()
        self.create_database("test")

    def stop(self) -> None:
        if self.dir is None:
            return
        if self._watcher is not None:
            self._watcher.kill()  # stopped here; the watcher must not race this stop
            self._watcher.wait()
            self._watcher = None
        try:
            self._run("pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop")
        except PostgresError:
            pass  # already gone; still remove the directory
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def _watch(self) -> None:
        """Start a shell that waits for end of file on a pipe only this process (and what it forks) holds,
        then stops the server at once and removes its directory. Its own session keeps
        it out of a signal sent to pytest's process group."""
        stop = " ".join(self._command("pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop"))
        script = f"cat >/dev/null; {stop}; rm -rf '{self.dir}'"
        # Not pytest's output: a pipe reading it would wait for the watcher to end.
        self._watcher = subprocess.Popen(["sh", "-c", script], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, cwd="/", start_new_session=True)

    # -- use --------------------------------------------------------------------
    def url(self, dbname: str = "test") -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a fresh name when None); return its URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        self._run("createdb", "-h", self.host, "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        # FORCE (PostgreSQL 13+) ends connections a test left open.
        self._run("psql", "-h", self.host, "-p", str(self.port), "-U", "postgres",
                  "-d", "postgres", "-qAt", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log(self) -> str:
        try:
            return Path(self.logfile).read_text(errors="replace")
        except OSError:
            return "(no server log)"

    @property
    def datadir(self) -> str:
        return str(self.dir / "data")

    @property
    def logfile(self) -> str:
        return str(self.dir / "server.log")

    def _command(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / tool), *args]
        return ["runuser", "-u", "postgres", "--", *cmd] if self._as_root else cmd

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        cmd = self._command(tool, *args)
        # cwd: postgres cannot read root's working directory; / is harmless.
        done = subprocess.run(cmd, cwd="/", capture_output=True, text=True)
        if done.returncode != 0:
            raise PostgresError(f"{' '.join(cmd)} exited {done.returncode}:\n"
                                f"{done.stdout}{done.stderr}")
        return done
