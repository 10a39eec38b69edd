"""The core (ingest, clean, store, link, export, ...) must never import Textual.

The CLI, the benchmarks and other tools drive the core directly; pulling in
Textual there would slow every command and couple the data layer to the UI.
Only ``tui/app`` may import it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tui"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_core_module_imports_textual() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in PACKAGE.rglob("*.py")
        if "app" not in path.relative_to(PACKAGE).parts[:1]
        and {"textual", "rich"} & _imports(path)
    ]
    assert offenders == []


def test_importing_the_core_and_cli_loads_no_textual() -> None:
    """Checked at run time too: an indirect import would slip past the AST scan."""
    code = (
        "import sys, importlib, pkgutil, tui\n"
        "for m in pkgutil.walk_packages(tui.__path__, 'tui.'):\n"
        "    if not m.name.startswith('tui.app'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual',))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
