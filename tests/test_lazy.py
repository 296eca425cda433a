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
