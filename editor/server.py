"""Start the editor: a free port on 127.0.0.1, a one-time token, the browser opened at the URL."""

from __future__ import annotations

import secrets
import socket
import webbrowser
from pathlib import Path

import uvicorn

from govscore.engine.plugins import Plugins

from .app import create_app
from .session import Editing


class PortTaken(Exception):
    """The port asked for with --port is in use, or not ours to take."""


def serve(path: str | None, plugins: Plugins, lang: str, open_browser: bool, port: int, say) -> None:
    """Serve until Ctrl-C. ``say``: prints a line for the person who started it (the URL, then that it stopped)."""
    editing = Editing(Path(path) if path else None, Path.cwd(), plugins)
    token = secrets.token_urlsafe(24)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise PortTaken(exc.strerror or str(exc)) from None
    sock.listen(128)  # from now on a browser's request waits for the server rather than being refused
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/?token={token}"
    config = uvicorn.Config(create_app(editing, token, port, lang), log_level="warning", lifespan="off",
                            access_log=False)
    server = uvicorn.Server(config)
    say(url)
    if open_browser:
        webbrowser.open(url)
    server.run(sockets=[sock])
