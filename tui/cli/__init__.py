"""The ``parallax`` command line.

Each module in this package registers its commands on ``tui.cli.main.cli``
when imported; importing them all here means a new command module needs no
edit elsewhere (and parallel work on separate modules never collides).
"""

import importlib
import pkgutil

from tui.cli.main import cli, main

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _mod != "main":
        importlib.import_module(f"{__name__}.{_mod}")

__all__ = ["cli", "main"]
