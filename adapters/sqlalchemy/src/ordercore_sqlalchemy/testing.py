"""A throwaway PostgreSQL server for test runs and benchmarks, and the contract on this adapter.

`TemporaryPostgres` runs `initdb` into a fresh temporary folder and starts a server that
listens only on a Unix socket in that folder (no TCP port, nothing another user of the
machine can reach), with a collation that is not bytewise (ICU's English, when the server
has ICU), so that tests notice SQL that sorts by locale. Durability is switched off
(`fsync=off`): the data is thrown away when the server stops.

PostgreSQL refuses to run as root. Under root (as CI runs) the server runs as the
unprivileged user `nobody`, through `runuser`, in a folder owned by that user.

Examples:
    >>> TemporaryPostgres.find_binaries() is None or TemporaryPostgres.find_binaries().is_dir()
    True
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final, Self

from ordercore.errors import ConfigurationError

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["ENABLE_HINT", "TemporaryPostgres"]

ENABLE_HINT: Final = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install them "
    "(Debian/Ubuntu: apt-get install postgresql) or put their folder on PATH to run these tests"
)
"""What to do when the binaries are missing (tests that skip print it)."""

_DEBIAN: Final = Path("/usr/lib/postgresql")
_UNPRIVILEGED: Final = "nobody"


class TemporaryPostgres:
    """A PostgreSQL server in a temporary folder, started and stopped by its owner.

    Use it as a context manager, or call `start` and `stop`. `url` is a SQLAlchemy URL for
    psycopg 3 (``postgresql+psycopg://...``) to its database `ordercore`.

    Args:
        binaries: The folder holding `initdb` and `pg_ctl`; found by `find_binaries` if
            omitted.

    Raises:
        ConfigurationError: From `start`, if no binaries are found or the server fails to
            start (the message quotes its log).
    """

    user: Final = "ordercore"
    database: Final = "ordercore"
    port: Final = 5432

    def __init__(self, binaries: Path | None = None) -> None:
        self._binaries = binaries
        self._folder: Path | None = None

    @staticmethod
    def find_binaries() -> Path | None:
        """The folder of `initdb` and `pg_ctl`: on PATH, else Debian's newest version."""
        on_path = shutil.which("pg_ctl")
        if on_path and shutil.which("initdb"):
            return Path(on_path).resolve().parent
        versions = sorted(
            (
                p
                for p in _DEBIAN.glob("*/bin")
                if (p / "initdb").exists() and (p / "pg_ctl").exists()
            ),
            key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0),
        )
        return versions[-1] if versions else None

    @property
    def socket_folder(self) -> Path:
        """Where the server's Unix socket is (raises if the server is not started)."""
        if self._folder is None:
            raise ConfigurationError("the server is not started", component="TemporaryPostgres")
        return self._folder

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database `ordercore`."""
        return self.url_of(self.database)

    def url_of(self, database: str) -> str:
        """The SQLAlchemy URL of another database on this server."""
        return (
            f"postgresql+psycopg://{self.user}@/{database}"
            f"?host={self.socket_folder}&port={self.port}"
        )

    def _run_as_owner(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", _UNPRIVILEGED, "--"] if os.geteuid() == 0 else []
        return subprocess.run(  # noqa: S603 - fixed programs, arguments built here
            [*prefix, *command],
            capture_output=True,
            text=True,
            check=False,
            cwd=self._folder,
        )

    def start(self) -> str:
        """Create the cluster, start the server, create the database; return `url`."""
        binaries = self._binaries or self.find_binaries()
        if binaries is None:
            raise ConfigurationError(ENABLE_HINT, component="TemporaryPostgres")
        # A short path: a Unix socket's path must stay under ~100 bytes.
        self._folder = Path(tempfile.mkdtemp(prefix="ordercore-pg-", dir="/tmp"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam(_UNPRIVILEGED)
            os.chown(self._folder, owner.pw_uid, owner.pw_gid)
        data = self._folder / "data"
        base = [
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "-N",
        ]
        made = self._run_as_owner(
            [*base, "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US"]
        )
        if made.returncode != 0:  # a server built without ICU: bytewise is then the default
            shutil.rmtree(data, ignore_errors=True)
            made = self._run_as_owner([*base, "--locale=C.UTF-8"])
        if made.returncode != 0:
            self._fail("initdb", made.stdout + made.stderr)
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={self._folder} "
            f"-c port={self.port} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        started = self._run_as_owner(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self._folder / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ]
        )
        if started.returncode != 0:
            log = (self._folder / "server.log").read_text(errors="replace")[-2000:]
            self._fail("pg_ctl start", started.stdout + started.stderr + log)
        self._binaries = binaries
        self.create_database(self.database)
        return self.url

    def create_database(self, name: str) -> str:
        """Create another database on this server; return its URL."""
        import psycopg  # noqa: PLC0415 - only a started server needs the driver
        from psycopg import sql  # noqa: PLC0415

        with psycopg.connect(
            host=str(self.socket_folder),
            port=self.port,
            user=self.user,
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_of(name)

    def stop(self) -> None:
        """Stop the server at once and delete its folder (safe to call twice)."""
        if self._folder is None:
            return
        if self._binaries is not None and (self._folder / "data" / "postmaster.pid").exists():
            self._run_as_owner(
                [
                    str(self._binaries / "pg_ctl"),
                    "-D",
                    str(self._folder / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]
            )
        shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None

    def _fail(self, step: str, output: str) -> None:
        folder = self._folder
        with contextlib.suppress(OSError):
            self.stop()
        raise ConfigurationError(
            f"{step} failed in {folder}: {output.strip()[-1500:]}", component="TemporaryPostgres"
        )

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
