"""Headless Chromium driven over the DevTools protocol on a pipe, and a loopback file server.

No browser driver package: Chromium's ``--remote-debugging-pipe`` reads NUL-terminated JSON
commands on file descriptor 3 and writes replies and events on 4. Every host but 127.0.0.1
resolves to nothing (``--host-resolver-rules``), so a page that renders here renders offline.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from types import TracebackType

CHROMIUM_NAMES = ("chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """The Chromium executable on PATH (Debian's package installs /usr/bin/chromium)."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


_ON_THREE_AND_FOUR = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)


def _above_nine(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Requests are not logged: the test reports what it found."""


class SiteServer:
    """The built site over HTTP on 127.0.0.1 (a free port), in a background thread."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(root))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The site's base URL, ending in a slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class Browser:
    """One headless Chromium with one page, driven by DevTools protocol commands."""

    def __init__(self, executable: str, *, timeout: float = 60.0) -> None:
        self._timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="ordercore-chromium-")
        to_browser, self._commands = os.pipe()
        self._replies, from_browser = os.pipe()
        # Moved above 9 first, so that putting one on 3 cannot overwrite the other.
        to_browser, from_browser = (_above_nine(fd) for fd in (to_browser, from_browser))
        # The protocol's descriptors must be 3 and 4 in the browser: a small Python step puts
        # them there and execs Chromium (a POSIX shell's redirections take single digits only).
        self._process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                sys.executable,
                "-c",
                _ON_THREE_AND_FOUR,
                str(to_browser),
                str(from_browser),
                executable,
                *FLAGS,
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._reader = os.fdopen(self._replies, "rb")
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        """Every protocol event received so far (``{"method": ..., "params": ...}``)."""
        try:
            target = self.send("Target.createTarget", url="about:blank")["targetId"]
            self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            self.send("Page.enable", session=True)
            self.send("Runtime.enable", session=True)
            self.send("Network.enable", session=True)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        with contextlib.suppress(OSError, RuntimeError):  # already gone
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        os.close(self._commands)
        self._reader.close()
        self._profile.cleanup()

    def _messages(self) -> Iterator[dict[str, Any]]:
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._replies, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
            message, self._buffer = self._buffer.split(b"\0", 1)
            yield json.loads(message)

    def send(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = self._session
        os.write(self._commands, json.dumps(command).encode() + b"\0")
        for message in self._messages():
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)
        raise AssertionError("unreachable")  # pragma: no cover

    def open(self, url: str) -> None:
        """Navigate the page to `url`."""
        self.send("Page.navigate", session=True, url=url)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page (awaited if a promise)."""
        found = self.send(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in found:
            raise RuntimeError(f"{expression}: {found['exceptionDetails']}")
        return found["result"].get("value")

    def requested(self) -> list[str]:
        """The URL of every request the page made so far (failed ones included)."""
        return [
            event["params"]["request"]["url"]
            for event in self.events
            if event["method"] == "Network.requestWillBeSent"
        ]

    def document(self) -> dict[str, Any]:
        """The page's whole DOM tree, shadow roots (closed ones too) included."""
        root: dict[str, Any] = self.send("DOM.getDocument", session=True, depth=-1, pierce=True)[
            "root"
        ]
        return root

    def wait_for(self, condition: Callable[[], Any], *, what: str) -> Any:
        """Poll `condition` until it returns something truthy, or fail after the timeout."""
        deadline = time.monotonic() + self._timeout
        while True:
            found = condition()
            if found:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"gave up waiting for {what} after {self._timeout:.0f} s")
            time.sleep(0.2)


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a `Browser.document` tree, shadow roots' contents included."""
    yield node
    for child in (*node.get("shadowRoots", ()), *node.get("children", ())):
        yield from walk(child)


def attributes(node: dict[str, Any]) -> dict[str, str]:
    """A DOM node's attributes as a dict (the protocol sends them as a flat list)."""
    flat = node.get("attributes", [])
    return dict(zip(flat[::2], flat[1::2], strict=True))
