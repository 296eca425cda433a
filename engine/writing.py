"""Writing outputs atomically: to a temporary file beside the target, renamed into place only
when complete, so a run that is killed leaves the previous file or none, never half of one."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

from .diagnostics import EngineError, plugin_failed, said
from .messages import Both
from .plugins import Registration


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike):
    """A binary stream that becomes ``path`` when the block ends without an error; ``-`` is stdout."""
    if str(path) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes the file private; an output gets the usual permissions
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_output(result, output: Registration, path: str, params: dict, inputs: list[str] = ()) -> None:
    """Write ``result`` with an output plugin; refuse to overwrite an input file."""
    if path != "-":
        resolved = Path(path).resolve()
        if any(resolved == Path(i).resolve() for i in inputs):
            raise EngineError([said("E_OUTPUT", "output.is_input", location=path,
                                    hint=Both("write the results to another file", "请把结果写到另一个文件"))])
    try:
        with atomic_open(path) as stream:
            output.impl(result, stream, params)
    except EngineError:
        raise
    except OSError as exc:
        raise EngineError([said("E_OUTPUT", "output.unwritable", location=path, reason=exc.strerror or str(exc))]) from None
    except Exception as exc:
        raise EngineError([plugin_failed(output, path, exc)]) from None
