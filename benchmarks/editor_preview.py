"""How long the editor's preview takes after a change: the whole answer to one change of a ruleset of
10,000 units (format, read, compile, load the CSV, score, rank, grade, summarise), in-process and as the
browser gets it over HTTP from `engine edit`, against reading the same CSV and doing the same maths in a
hand-written numpy script, in the same invocation.

    python benchmarks/editor_preview.py                  # 10,000 units × 40 indicators (target: ≤ 1 s)
    python benchmarks/editor_preview.py --units 100000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import baselines  # noqa: E402
from generate import generate  # noqa: E402
from run import in_turns, timed  # noqa: E402

from govscore.editor.session import Editing  # noqa: E402
from govscore.engine.plugins import load_plugins  # noqa: E402


def baseline(data_file: Path, k: int):
    """Read the CSV and score it by hand: what any preview must do at the least."""
    _, _, codes, columns = baselines.numpy_load(str(data_file))
    return baselines.numpy_score(codes, columns, k)


def over_http(ruleset_file: Path, document: dict, repeat: int) -> float:
    env = {**os.environ, "GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "govscore.engine.cli", "edit", str(ruleset_file), "--no-browser"],
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", proc.stderr.readline())
        base, token = f"http://127.0.0.1:{found.group(1)}", found.group(2)
        body = json.dumps({"document": document}).encode()

        def ask():
            request = urllib.request.Request(base + "/api/check", data=body, headers={
                "X-Govscore-Token": token, "Origin": base, "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.loads(response.read())
            assert answer["preview"]["ok"], answer
        ask()  # the first answer loads what the server imports lazily
        return min(timed(ask)[0] for _ in range(repeat))
    finally:
        proc.terminate()
        proc.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    k = args.indicators
    data_file, ruleset_file = generate(Path(__file__).parent / "data", args.units, k)
    os.environ["GOVSCORE_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    editing = Editing(ruleset_file, ruleset_file.parent, load_plugins())
    document = editing.open()["document"]
    answer = editing.check(document)
    assert answer["preview"]["ok"] and answer["preview"]["units"] == args.units, answer.get("preview")
    times = in_turns({"preview": lambda: editing.check(document), "numpy": lambda: baseline(data_file, k)}, args.repeat)
    ours, base = min(times["preview"]), min(times["numpy"])
    http = over_http(ruleset_file, document, args.repeat)
    print(f"{args.units:,} units × {k} indicators")
    print(f"{'preview of one change, in-process / read + numpy':50s} {ours:6.3f} s / {base:6.3f} s = {ours / base:5.2f}×")
    print(f"{'preview of one change, over HTTP (target ≤ 1 s)':50s} {http:6.3f} s")
    print(json.dumps({"units": args.units, "indicators": k, "preview_s": ours, "baseline_s": base,
                      "preview_ratio": ours / base, "http_s": http}))


if __name__ == "__main__":
    main()
