"""Writing outputs: the one place every command writes through.

An output is written into a scratch folder beside the target (``.NAME.PID.XXXX.tmp``), which also
holds any temporary files the writer makes (XlsxWriter's), and renamed into place only when complete,
so a run that is stopped leaves the previous file or none, never half of one. Stopped by Ctrl-C or a
termination signal, the scratch folder is removed; after a kill that leaves no chance to, the next
write to the same place removes the scratch folders of processes that no longer run. An output that
is one of the run's inputs is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from .confine import same_file
from .diagnostics import EngineError, plugin_failed, said
from .messages import Both
from .plugins import Registration


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()
_SCRATCH = re.compile(r"\.(\d+)\.[^.]+\.tmp$")  # NAME.PID.XXXX.tmp


def refuse_inputs(path: str, inputs) -> None:
    """An output may never be an input of the run (the ruleset, a data file), however it is spelt."""
    if path != "-" and any(same_file(path, i) for i in inputs):
        raise EngineError([said("E_OUTPUT", "output.is_input", location=path,
                                hint=Both("write the results to another file", "请把结果写到另一个文件"))])


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, under another user
        return True
    return True


def remove_stale(folder: Path, prefix: str) -> None:
    """Remove the scratch folders ``prefix.PID.XXXX.tmp`` left in ``folder`` by processes that were killed."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            found = _SCRATCH.search(entry.name)
            if entry.name.startswith(prefix + ".") and found and not _running(int(found.group(1))):
                shutil.rmtree(entry.path, ignore_errors=True)


@contextlib.contextmanager
def _scratch(folder: Path, prefix: str):
    """A folder of our own for one write, also where the writer's own temporary files go. Those are sent
    there through the process's temporary folder, which only the main thread may switch: writes on other
    threads at once (a Dask worker's) leave it alone, and their writers' temporary files go where it says."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale(folder, prefix)
    scratch = Path(tempfile.mkdtemp(prefix=f"{prefix}.{os.getpid()}.", suffix=".tmp", dir=folder))
    switch = threading.current_thread() is threading.main_thread()
    before = tempfile.tempdir
    if switch:
        tempfile.tempdir = str(scratch)
    try:
        yield scratch
    finally:
        if switch:
            tempfile.tempdir = before
        shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, inputs=()):
    """A binary stream that becomes ``path`` when the block ends without an error; ``-`` is stdout.
    ``inputs``: the files the run read, which the output may not be."""
    if "\x00" in str(path):
        raise EngineError([said("E_OUTPUT", "output.unwritable", location=repr(str(path)),
                                reason=Both("a path cannot hold a NUL character", "路径中不能含有 NUL 字符"))])
    refuse_inputs(str(path), inputs)
    if str(path) == "-":
        with _scratch(Path(tempfile.gettempdir()), ".govscore-stdout"):
            yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    with _scratch(target.parent, f".{target.name}") as scratch:
        part = scratch / "output"
        with open(part, "wb") as stream:
            os.chmod(part, _FILE_MODE)
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(part, target)


def write_output(result, output: Registration, path: str, params: dict, inputs=()) -> None:
    """Write ``result`` with an output plugin; refuse to overwrite an input file."""
    try:
        with atomic_open(path, inputs) as stream:
            output.call(result, stream, params)
    except (EngineError, BrokenPipeError):  # a reader that stopped early (engine run ... | head) is no failure
        raise
    except OSError as exc:
        raise EngineError([said("E_OUTPUT", "output.unwritable", location=path, reason=exc.strerror or str(exc))]) from None
    except Exception as exc:
        raise EngineError([plugin_failed(output, path, exc)]) from None
