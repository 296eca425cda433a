"""The editor's web application: a page, its static files and a small JSON API over :mod:`.session`.

Every request must carry the session's token (in the URL, or the X-Govscore-Token header for the API)
and come to 127.0.0.1 or localhost on our port from our own origin; everything else is refused before
it reaches a route. No route takes a path: the only file is the one the editor was started with (or,
started without one, a plain new name in its folder)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from govscore.engine.schema import published_schema

from .session import Editing
from .templates_list import template, templates

HERE = Path(__file__).parent
MAX_BODY = 6_000_000  # a ruleset is at most 5 MB, as engine run reads it

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",  # the token is in the URL
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}


class Guard:
    """Refuse, before any route: a wrong Host (DNS rebinding), a foreign Origin, a missing or wrong token."""

    def __init__(self, app: ASGIApp, token: str, port: int):
        self.app, self.token, self.port = app, token, port
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        problem = self.refused(request)
        if problem is not None:
            return await JSONResponse({"error": problem}, status_code=403, headers=SECURITY_HEADERS)(scope, receive, send)

        async def secured(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *[(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]]
            await send(message)
        await self.app(scope, receive, secured)

    def refused(self, request: Request) -> str | None:
        if request.headers.get("host") not in self.hosts:
            return "host"
        origin = request.headers.get("origin")
        if origin is not None and origin not in self.origins:
            return "origin"
        if request.method not in ("GET", "HEAD") and origin is None:
            return "origin"
        given = request.headers.get("x-govscore-token") or request.query_params.get("token") or ""
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return "token"
        return None


async def _body(request: Request) -> dict:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ValueError("too large")
    body = json.loads(raw or b"{}")
    if not isinstance(body, dict):
        raise ValueError("not an object")
    return body


def create_app(editing: Editing, token: str, port: int, lang: str) -> ASGIApp:
    pages = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))

    async def page(request: Request):
        html = pages.get_template("editor.html").render(token=token, lang=lang, file=editing.name or "")
        return HTMLResponse(html)

    def language(request: Request) -> str:
        return "zh" if request.query_params.get("lang", lang) == "zh" else "en"

    async def start(request: Request):
        """The file as it is on disk (what a save checks against from now on), or the templates to start from."""
        fresh = editing.path is None or not editing.path.exists()
        return JSONResponse({**editing.open(), "templates": templates(language(request)) if fresh else []})

    async def schema(request: Request):
        return JSONResponse(published_schema(editing.plugins, language(request)))

    async def chosen(request: Request):
        body = await _body(request)
        document = template(str(body.get("name", "")), language(request))
        if document is None:
            return JSONResponse({"error": "no such template"}, status_code=404)
        return JSONResponse({"document": document})

    async def check(request: Request):
        body = await _body(request)
        if "text" in body and isinstance(body["text"], str):
            return JSONResponse(await _in_thread(editing.check, text=body["text"]))
        return JSONResponse(await _in_thread(editing.check, document=body.get("document")))

    async def parse(request: Request):
        body = await _body(request)
        return JSONResponse(editing.parse(str(body.get("text", ""))))

    async def save(request: Request):
        body = await _body(request)
        name = body.get("name") if isinstance(body.get("name"), str) else None
        saved = await _in_thread(editing.save, body.get("document"), name)
        return JSONResponse({"ok": saved.ok, "file": saved.file, "conflict": saved.conflict,
                             "diagnostics": [d.to_dict() for d in saved.diagnostics]},
                            status_code=200 if saved.ok else 409 if saved.conflict else 400)


    async def bad_request(request: Request, exc: Exception):
        return JSONResponse({"error": "the request is not a JSON object"}, status_code=400)

    routes = [
        Route("/", page),
        Route("/api/start", start),
        Route("/api/schema", schema),
        Route("/api/template", chosen, methods=["POST"]),
        Route("/api/check", check, methods=["POST"]),
        Route("/api/parse", parse, methods=["POST"]),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/reload", start, methods=["POST"]),  # read the file again: the same answer as at the start
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={ValueError: bad_request})
    return Guard(app, token, port)


async def _in_thread(f, *args, **kwargs):
    """Scoring is CPU work: off the event loop, so the server still answers (and Ctrl-C still stops it)."""
    return await run_in_threadpool(f, *args, **kwargs)
