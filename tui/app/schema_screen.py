"""The label schema screen: labels with keys, colours, scopes, counts, descriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.app import keys
from tui.textsafe import safe

if TYPE_CHECKING:
    from tui.app.app import ParallaxApp


def schema_table(app: ParallaxApp) -> Table:
    """The labels with the key that tags each one now (a keymap may have moved 1-9)."""
    from tui.app.help import key_label

    counts = app.store.label_counts()
    reader = getattr(app, "reader", None)
    in_force = reader.tag_keys() if reader is not None else {}
    shown = {lb.name: ", ".join(key_label(app, k) for k in in_force[lb.name])
             if lb.name in in_force else (lb.key if reader is None and lb.key else "-")
             for lb in app.store_labels}
    table = Table(expand=True, box=None, header_style="bold")
    table.add_column("key", width=max([3, *(len(k) for k in shown.values())]), justify="center")
    table.add_column("label", no_wrap=True)
    table.add_column("scope", no_wrap=True)
    table.add_column("count", justify="right")
    table.add_column("description", ratio=1)
    for lb in app.store_labels:
        table.add_row(
            Text(shown[lb.name], style="bold cyan"),
            Text(f" {lb.name} ", style=f"#101010 on {lb.color}"),
            lb.scope,
            str(counts.get(lb.name, 0)),
            Text(safe(lb.description)),
        )
    return table


class SchemaScreen(ModalScreen[None]):
    """Shows the schema in force; ctrl+o loads another TOML file (refused if it orphans)."""

    KEY_SCOPE = "schema"  # which registry entries the command palette offers here
    BINDINGS = keys.bindings("schema")
    DEFAULT_CSS = """
    SchemaScreen { align: center middle; }
    SchemaScreen > VerticalScroll { width: 110; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """

    app: ParallaxApp

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="schema-title")
            yield Static(id="schema-table")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_table()

    def refresh_table(self) -> None:
        store = self.app.store
        schema = store.schema()
        title = Text.assemble(
            ("Label schema ", "bold"), (safe(schema.name), "bold cyan"),
            f"  ·  version {store.schema_version_number()}  ·  {len(schema.labels)} labels  ·  "
            "shared by every annotator of this database\n",
        )
        self.query_one("#schema-title", Static).update(title)
        self.query_one("#schema-table", Static).update(schema_table(self.app))

    def action_load(self) -> None:
        from tui.app.dialogs import TextPrompt

        def done(path: str | None) -> None:
            if path and path.strip() and self.app.load_schema(path.strip()):
                self.refresh_table()

        self.app.push_screen(TextPrompt("Load a label schema (TOML file path):"), done)

    def action_close(self) -> None:
        self.dismiss(None)
