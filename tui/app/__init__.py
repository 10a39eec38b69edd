"""The Textual app (the only package allowed to import textual).

Entry point: ``ParallaxApp(db_path=..., annotator=...).run()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.app.app import ParallaxApp

__all__ = ["ParallaxApp"]


def __getattr__(name: str) -> Any:
    # Imported on first use so ``import tui.app.targets`` (by screens and tests)
    # does not pay for the whole app.
    if name == "ParallaxApp":
        from tui.app.app import ParallaxApp

        return ParallaxApp
    raise AttributeError(name)
