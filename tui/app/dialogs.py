"""Small modal dialogs: pick a label, type a line of text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui.labels import Label as SchemaLabel
from tui.textsafe import safe

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 70; height: auto; max-height: 80%; border: round $primary;
    background: $surface; padding: 1 2; }}
{name} Label {{ margin-bottom: 1; }}
"""


class LabelPicker(ModalScreen[str | None]):
    """Choose a label of the schema: arrows + enter, or its key, or escape."""

    DEFAULT_CSS = DIALOG_CSS.format(name="LabelPicker") + "LabelPicker OptionList { height: auto; max-height: 14; }"
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, labels: list[SchemaLabel], title: str, current: str | None = None) -> None:
        super().__init__()
        self.labels = labels
        self.title_text = title
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for lb in self.labels:
            prompt = Text()
            prompt.append(f" {lb.key or ' '} ", style=f"#101010 on {lb.color}")
            prompt.append(f" {lb.name}", style="bold" if lb.name == self.current else "")
            prompt.append(f"  {lb.description}", style="dim")
            options.append(Option(prompt, id=lb.name))
        with Vertical():
            yield Label(Text(self.title_text))
            yield OptionList(*options)

    def on_mount(self) -> None:
        names = [lb.name for lb in self.labels]
        if self.current in names:
            self.query_one(OptionList).highlighted = names.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event) -> None:
        for lb in self.labels:
            if lb.key and event.character == lb.key:
                event.stop()
                self.dismiss(lb.name)
                return

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text (a note, a file path). Enter saves, escape cancels."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TextPrompt")
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text))
            yield Input(value=safe(self.value), placeholder=self.placeholder)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
