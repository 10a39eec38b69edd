"""Write the key table of docs/reader.md from the registry.

Run ``python -m tui.app.keydoc`` after changing ``tui/app/keys.py``; a test
fails if docs/reader.md misses a binding. The table sits between the
``<!-- keys:start -->`` and ``<!-- keys:end -->`` markers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tui.app.keys import REGISTRY

START, END = "<!-- keys:start -->", "<!-- keys:end -->"
NAMES = {
    "question_mark": "?", "slash": "/", "plus": "+", "minus": "-", "space": "space",
    "left_curly_bracket": "{", "right_curly_bracket": "}",
    "left_square_bracket": "[", "right_square_bracket": "]",
}
SCOPES = {"app": "anywhere", "reader": "reader", "library": "library", "schema": "schema screen",
          "help": "help screen", "meta": "metadata form", "search": "search screen",
          "search_list": "search hit list", "events": "events screen", "export": "export dialog",
          "review": "review screen"}


def key_names(keys: str) -> str:
    return ", ".join(f"`{NAMES.get(k, k)}`" for k in keys.split(","))


def table() -> str:
    lines = ["| keys | what | where | id |", "| --- | --- | --- | --- |"]
    for spec in REGISTRY:
        lines.append(f"| {key_names(spec.keys)} | {spec.description} | {SCOPES[spec.scope]} "
                     f"| `{spec.id}` |")
    return "\n".join(lines)


def update(path: Path) -> bool:
    """Rewrite the table between the markers; a file without them is left alone."""
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{path}: no {START} ... {END} markers: name the key table's file "
                         "(default docs/reader.md)")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = f"{head}{START}\n{table()}\n{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    if len(sys.argv) > 2 or sys.argv[1:2] in (["-h"], ["--help"]):
        raise SystemExit("usage: python -m tui.app.keydoc [docs/reader.md]")
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reader.md")
    print(("updated " if update(target) else "unchanged ") + str(target))
