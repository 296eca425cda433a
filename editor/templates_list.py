"""What a new ruleset can start from: each ruleset shipped with govscore, or an empty one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from govscore.engine.diagnostics import EngineError
from govscore.engine.jsonload import loads

EMPTY = "empty"


def _shipped() -> dict[str, Path]:
    """The shipped rulesets: govscore.rulesets is a folder of data, not of code (a namespace package, so its
    spec lists folders; an editable install adds an entry that is none)."""
    spec = importlib.util.find_spec("govscore.rulesets")
    folders = [Path(p) for p in (spec.submodule_search_locations or []) if Path(p).is_dir()] if spec else []
    return {path.stem: path for folder in folders for path in sorted(folder.glob("*.json"))}


def _empty(lang: str) -> dict:
    return {"format": "govscore/1", "id": "my-evaluation", "title": "", "language": "zh-CN" if lang == "zh" else "en",
            "units": {"source": "data", "id": "id"}, "sources": {"data": {"format": "csv", "path": "data.csv"}},
            "indicators": {}, "nodes": {}, "score": ""}


def template(name: str, lang: str) -> dict | None:
    """The document to start from (without its $schema, whose relative path would not hold in another folder)."""
    if name == EMPTY:
        return _empty(lang)
    entry = _shipped().get(name)
    if entry is None:
        return None
    try:
        document, _ = loads(entry.read_text(encoding="utf-8"))
    except EngineError:
        return None
    document.pop("$schema", None)
    return document


def templates(lang: str) -> list[dict]:
    """Each template's name, title and description, the empty one first."""
    out = [{"name": EMPTY, "title": "空白规则集" if lang == "zh" else "An empty ruleset", "description": ""}]
    for name in _shipped():
        document = template(name, lang) or {}
        out.append({"name": name, "title": document.get("title", name), "description": document.get("description", "")})
    return out
