"""The help screen: every key, straight from the registry (remaps applied)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.app import keys

if TYPE_CHECKING:
    from tui.app.app import ParallaxApp
    from tui.labels import Label as SchemaLabel


def key_label(app, key: str) -> str:
    """How a Textual key name reads to a person ("question_mark" -> "?")."""
    try:
        return app.get_key_display(keys.Binding(key, ""))
    except Exception:  # a key Textual cannot display: show its name
        return key


def _label_of(app: ParallaxApp, n: str) -> SchemaLabel | None:
    """The label key ``n`` (1-9) tags: the reader's own rule when it is up."""
    reader = getattr(app, "reader", None)
    if reader is not None:
        return reader.label_for_key(n)
    return next((lb for lb in app.store_labels if lb.key == n), None)


def help_table(app) -> Table:
    """Every binding with the keys in force (a refused remap shows its default keys)."""
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    table.add_column("keys", style="bold cyan", no_wrap=True, width=22)
    table.add_column("what")
    table.add_column("id", style="dim", no_wrap=True)
    group = None
    keymap = getattr(app, "user_keymap", {})
    for spec in keys.REGISTRY:
        if spec.group != group:
            group = spec.group
            table.add_row(Text(group, style="bold underline"), "", "")
        shown = ", ".join(key_label(app, k) for k in keys.effective_keys(spec, keymap))
        desc = spec.description
        if spec.id.startswith("reader.label_"):
            lb = _label_of(app, spec.id.rsplit("_", 1)[1])
            desc = f"Tag: {lb.name}" if lb else "(no label on this key)"
        table.add_row(shown, Text(desc), spec.id)
    letters = [lb for lb in app.store_labels if lb.key and lb.key.isalpha()]
    if letters:
        table.add_row(Text("Schema letters", style="bold underline"), "", "")
        for lb in letters:
            table.add_row(lb.key, Text(f"Tag: {lb.name}"), "(schema)")
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every binding; escape, q or ? closes."""

    BINDINGS = keys.bindings("help")
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96; max-width: 100%; height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            intro = Text.assemble(
                ("Parallax keys", "bold"),
                "  — remap any of them by id in $PARALLAX_KEYMAP or "
                "~/.config/parallax/keys.toml (see docs/reader.md)\n",
            )
            yield Static(intro)
            problems = getattr(self.app, "keymap_problems", [])
            if problems:  # the start-up notifications are gone by now: the keys shown are
                # the ones in force, and this says why a remap is not among them
                yield Static(Text("\n".join(["Keymap problems (the keys below are the ones in force):",
                                             *problems, ""]),
                                  style="yellow"))
            yield Static(help_table(self.app))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # arrows and page keys scroll the list

    def action_close(self) -> None:
        self.dismiss(None)
