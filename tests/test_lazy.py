"""What checking a ruleset imports: no Arrow, no pandas, no report stack (each costs a share of a second)."""

import subprocess
import sys
from pathlib import Path

from govscore.engine import lazy


def test_a_lazy_module_is_imported_on_first_use():
    name = "colorsys"  # a standard module nothing here imports
    sys.modules.pop(name, None)
    mod = lazy.module(name)
    assert name not in sys.modules and "first use" in repr(mod)
    assert mod.rgb_to_hsv(1, 0, 0) == (0.0, 1.0, 1.0)
    assert name in sys.modules


def test_checking_a_ruleset_imports_no_table_library():
    ruleset = Path(__file__).parents[1] / "rulesets" / "governance.json"
    code = (f"import sys; from govscore.engine.cli import main; sys.argv = ['engine', 'validate', {str(ruleset)!r}]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            "print(sorted(m for m in ('pyarrow', 'pandas', 'jsonschema', 'scipy', 'jinja2', 'openpyxl', 'duckdb', 'SALib',"
            " 'matplotlib', 'docx', 'highspy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": ""}).stdout
    assert out.strip().splitlines()[-1] == "[]"


def _imported_by(args: list[str], modules: tuple[str, ...]) -> list[str]:
    code = (f"import sys; from govscore.engine.cli import main; sys.argv = ['engine', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
            f"print(sorted(m for m in {modules!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"GOVSCORE_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": ""}).stdout
    return eval(out.strip().splitlines()[-1])


def test_a_run_and_its_reports_do_not_import_pandas(tmp_path):
    """pyarrow imports pandas (0.3 s) on its first conversion unless told there is none; a plugin that
    converts to pandas still gets it."""
    ruleset = Path(__file__).parents[1] / "rulesets" / "governance.json"
    outputs = [arg for ext in ("csv", "json", "html", "xlsx") for arg in ("-o", str(tmp_path / f"out.{ext}"))]
    assert _imported_by(["run", str(ruleset), *outputs, "-q"], ("pandas", "pyarrow")) == ["pyarrow"]


def test_pandas_is_there_for_whoever_converts_to_it():
    code = ("from govscore.engine import lazy\nimport numpy as np\npa = lazy.module('pyarrow')\n"
            "a = pa.array(np.array([1.0, 2.0]))\nimport sys\nassert 'pandas' not in sys.modules\n"
            "frame = pa.table({'a': a}).to_pandas()\nprint(type(frame).__name__, frame['a'].sum())\n"
            "print(pa.Table.from_pandas(frame).num_rows)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["DataFrame", "3.0", "2"]


def test_arrow_columns_as_numpy():
    import numpy as np
    import pyarrow as pa

    from govscore.engine.data import as_numpy

    numbers = pa.array(np.array([1.5, 2.0, 3.0, 4.0]), mask=np.array([False, True, False, False]))
    np.testing.assert_array_equal(as_numpy(numbers), [1.5, np.nan, 3.0, 4.0])
    np.testing.assert_array_equal(as_numpy(numbers.slice(2)), [3.0, 4.0])
    np.testing.assert_array_equal(as_numpy(pa.chunked_array([numbers.slice(0, 1), numbers.slice(2)])), [1.5, 3.0, 4.0])
    flags = pa.array([True, False, True, True, False, False, False, False, True])
    assert as_numpy(flags.slice(1)).tolist() == [False, True, True, False, False, False, False, True]
    assert as_numpy(pa.array(np.arange(3, dtype=np.int32))).dtype == np.int32
    view = as_numpy(pa.array(np.array([1.0, 2.0])))
    assert not view.flags.writeable  # input data are never changed in place
