"""The one ruleset open in the editor: what was read from disk, the engine's word on each change, and
saving it back. Nothing here knows of HTTP; the server only passes requests on."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from govscore.engine.compiler import compile_document
from govscore.engine.diagnostics import Diagnostic, EngineError, said
from govscore.engine.jsonload import MAX_BYTES, load_file, loads
from govscore.engine.jsonwrite import ruleset_text
from govscore.engine.messages import Both
from govscore.engine.plugins import Plugins
from govscore.engine.writing import atomic_open

from .preview import preview

# a new ruleset's name, when the editor was started without one: a plain file name in the folder it was started in
PLAIN_NAME = re.compile(r"^[^./\\:*?\"<>|\x00-\x1f][^/\\:*?\"<>|\x00-\x1f]{0,200}\.json$", re.IGNORECASE)


@dataclass
class Saved:
    ok: bool
    file: str
    diagnostics: list[Diagnostic]
    conflict: bool = False  # the file changed on disk since it was opened: nothing was written


def _digest(raw: bytes | None) -> str | None:
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None


class Editing:
    """``path``: the ruleset (it may not exist yet); None when the editor started without one, in ``folder``."""

    def __init__(self, path: Path | None, folder: Path, plugins: Plugins):
        self.path = path.resolve() if path is not None else None
        self.folder = self.path.parent if self.path is not None else folder.resolve()
        self.plugins = plugins
        self.on_disk: str | None = None  # digest of the file as last read or written: a save checks it is unchanged
        self._scoring = threading.Lock()  # one preview at a time; a newer change waits for the one before

    @property
    def name(self) -> str | None:
        return self.path.name if self.path is not None else None

    def open(self) -> dict:
        """The file as it is on disk: its text and document, or that it does not exist yet."""
        raw = _read(self.path) if self.path is not None else None
        self.on_disk = _digest(raw)
        if raw is None:
            return {"file": self.name, "exists": False}
        try:
            document, _ = load_file(str(self.path))
        except EngineError as exc:  # shown in the JSON pane, where it can be put right
            return {"file": self.name, "exists": True, "text": raw.decode("utf-8", "replace"), "document": None,
                    "diagnostics": [d.to_dict() for d in exc.diagnostics]}
        return {"file": self.name, "exists": True, "text": raw.decode("utf-8"), "document": document}

    def check(self, document=None, text: str | None = None, with_preview: bool = True) -> dict:
        """The engine's word on a change: the diagnostics of compiling it (as ``engine validate``), and with
        none that is an error, the preview. ``text``: the JSON as typed (its own lines are told); else the
        document, told at the lines of the text it is saved as."""
        shown = text if text is not None else ruleset_text(document)
        try:
            document, source_map = loads(shown, file=self.name)
        except EngineError as exc:
            return {"document": None, "diagnostics": [d.to_dict() for d in exc.diagnostics]}
        compiled, diagnostics = compile_document(document, source_map, self.plugins, base_dir=self.folder)
        out = {"document": document, "text": shown, "diagnostics": [d.to_dict() for d in diagnostics]}
        if compiled is not None and with_preview:
            with self._scoring:
                out["preview"] = preview(compiled, self.plugins)
        return out

    def parse(self, text: str) -> dict:
        """A part of the ruleset typed as JSON in a field, read by the engine's own reader (which names
        full-width punctuation, trailing commas and comments as such)."""
        try:
            value, _ = loads(text)
        except EngineError as exc:
            return {"diagnostics": [d.to_dict() for d in exc.diagnostics]}
        return {"value": value}

    def save(self, document, name: str | None = None) -> Saved:
        """Write the document as the engine formats it, atomically, the previous version kept as NAME.bak.
        Refused when the file changed on disk since it was opened or last saved."""
        if self.path is None:
            if not name or not PLAIN_NAME.match(name):
                return Saved(False, name or "", [said("E_OUTPUT", "editor.bad_name", name=name or "", hint=Both(
                    "a name such as evaluation.json, without folders", "例如 evaluation.json，不带文件夹"))])
            path = self.folder / name
            if path.exists():
                return Saved(False, name, [said("E_OUTPUT", "editor.name_taken", name=name, hint=Both(
                    "choose another name, or start engine edit with that file", "请换一个名字，或用该文件启动 engine edit"))])
        else:
            path = self.path
        before = _read(path)
        if _digest(before) != (self.on_disk if path == self.path else None):
            return Saved(False, path.name, [said("E_OUTPUT", "editor.changed_on_disk", file=path.name, hint=Both(
                "reload it to see the other change; to keep yours, copy them from the JSON tab first",
                "请重新载入以查看别处的修改；如需保留您的修改，请先从 JSON 标签页复制出来"))],
                conflict=True)
        text = ruleset_text(document).encode("utf-8")
        try:
            if before is not None and before != text:
                with atomic_open(path.with_name(path.name + ".bak")) as stream:
                    stream.write(before)
            with atomic_open(path) as stream:
                stream.write(text)
        except (EngineError, OSError) as exc:
            problems = exc.diagnostics if isinstance(exc, EngineError) else [
                said("E_OUTPUT", "output.unwritable", location=path.name, reason=exc.strerror or str(exc))]
            return Saved(False, path.name, problems)
        self.path, self.on_disk = path, _digest(text)
        return Saved(True, path.name, [])
