"""Outputs are written atomically: a failed or killed write leaves the previous file or none."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from govscore.engine.diagnostics import EngineError
from govscore.engine.plugins import Registration
from govscore.engine.writing import atomic_open, write_output


def test_a_completed_write_replaces_the_file(tmp_path):
    target = tmp_path / "out" / "r.csv"
    with atomic_open(target) as stream:
        stream.write(b"new")
    assert target.read_bytes() == b"new" and os.listdir(target.parent) == ["r.csv"]
    # the temporary file is private while written; the result has the permissions any new file gets
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "r.csv"
    target.write_bytes(b"previous")

    def half_then_fail(result, stream, params):
        stream.write(b"half of the")
        raise RuntimeError("disk full")

    output = Registration("output", "broken", half_then_fail, "", None, "test", "test")
    with pytest.raises(EngineError) as exc:
        write_output(None, output, str(target), {})
    assert exc.value.diagnostics[0].code == "E_PLUGIN_FAILED"
    assert target.read_bytes() == b"previous" and os.listdir(tmp_path) == ["r.csv"]


def test_a_killed_write_leaves_the_previous_file(tmp_path):
    target = tmp_path / "r.csv"
    target.write_bytes(b"previous")
    script = textwrap.dedent(f"""
        import sys, time
        from govscore.engine.writing import atomic_open
        with atomic_open({str(target)!r}) as stream:
            stream.write(b"x" * 1000)
            stream.flush()
            print("writing", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert target.read_bytes() == b"previous"
