"""The Export dialog (`X`): write the labeled dataset without leaving the reader.

The export itself is :func:`tui.export.export_dataset` (the same code as
`parallax export`); this dialog only gathers its arguments, runs it in a
thread worker on a private read connection (it reads one consistent snapshot
while the reader keeps writing on its own connection), shows progress, and
reports the counts and the sidecar files, or the one-line error a user can act
on. It dismisses with the path written, or None.

Unlike the command line, the dialog creates a missing folder (its user has no
shell to run ``mkdir`` in) and says so; its errors name its "path" field,
never the command's ``--out``.

Each format has a default file of its own (``dataset.jsonl``,
``dataset.doccano.jsonl``, ``dataset.label-studio.json``, …), so stepping
through the formats never writes one over another. When the path names a file
that is already there, a line under the path says what it holds (read from its
manifest); replacing anything but an export of the same format takes a second
``ctrl+s``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from tui.app import keys
from tui.app.screens_search import read_store
from tui.errors import UserError
from tui.store import Store
from tui.textsafe import safe

DEFAULT_FOLDER = Path("export")
DEFAULT_STEM = "dataset"
#: What the core's error messages call the path here ("choose another path").
PATH_FIELD = "path"
#: Progress reaches the UI thread at most this often (seconds): one update per
#: article would make a 10,000-article export wait on the screen.
PROGRESS_EVERY = 0.05



def formats() -> dict[str, Any]:
    """``name -> FormatInfo(name, description, extension)`` from the export core."""
    from tui.export import FORMATS

    return dict(FORMATS)


def format_suffix(name: str, extension: str) -> str:
    """What a format's default file name ends with: its extension, after the format's
    name unless the extension already says it (``.jsonl``, ``.csv``; but
    ``.doccano.jsonl``, ``.label-studio.json``, ``.brat.zip``): formats sharing an
    extension (jsonl and doccano) never share a default file."""
    ext = extension.lstrip(".")
    return f".{ext}" if name == ext else f".{name}.{ext}"


def default_path(extension: str, name: str | None = None) -> str:
    """``./export/dataset<suffix>`` for format ``name`` (see :func:`format_suffix`);
    without a name, ``dataset.<ext>``. The extension comes with or without its dot."""
    suffix = format_suffix(name, extension) if name else f".{extension.lstrip('.')}"
    return f"./{DEFAULT_FOLDER}/{DEFAULT_STEM}{suffix}"


def existing_export(path: Path) -> dict[str, Any] | None:
    """What the file at ``path`` holds, or None when there is no file there.

    ``{"format": name or None, "articles": n or None}``: read from the manifest
    that names this file (``<stem>.manifest.json`` or ``<name>.manifest.json``,
    the two names the export core writes); ``format`` is None when no manifest
    describes it (not a Parallax export, or its manifest is gone).
    """
    try:
        if not path.is_file():
            return None
    except OSError:
        return None
    for manifest in (path.with_name(f"{path.stem}.manifest.json"),
                     path.with_name(f"{path.name}.manifest.json")):
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        if not isinstance(doc, dict) or doc.get("file") != path.name:
            continue
        fmt = doc.get("format")
        counts = doc.get("counts")
        articles = counts.get("articles") if isinstance(counts, dict) else None
        return {"format": fmt if isinstance(fmt, str) else None,
                "articles": articles if isinstance(articles, int) else None}
    return {"format": None, "articles": None}


class ExportScreen(ModalScreen[str | None]):
    """Choose a format, a path and a filter; export in the background."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("export")  # declared in tui/app/keys.py
    AUTO_FOCUS = "#export-formats"

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen #export-dialog {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    ExportScreen #export-title { text-style: bold; }
    ExportScreen .export-label { color: $text-muted; margin-top: 1; }
    ExportScreen #export-formats { height: auto; max-height: 10; }
    ExportScreen #export-exists { height: auto; color: $text-warning; }
    ExportScreen #export-progress { margin-top: 1; }
    ExportScreen #export-result { height: auto; margin-top: 1; }
    ExportScreen #export-hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, store: Store, annotator: str) -> None:
        super().__init__()
        self.store = store
        self.annotator = annotator
        self.formats = formats()
        self.fmt = next(iter(self.formats))
        self.report: Any | None = None
        self.written: str | None = None  # the last file exported in this dialog
        self.error: str | None = None
        self.running = False
        self._last_progress = 0.0
        self._bar: ProgressBar | None = None
        #: (path, format) the user confirmed replacing with a second ctrl+s
        self._confirmed: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="export-dialog"):  # scrolls on a short terminal (80x24)
            yield Static(Text("Export the labeled dataset"), id="export-title")
            yield Static(Text("Format"), classes="export-label")
            yield OptionList(
                *[Option(self._format_prompt(info), id=name) for name, info in self.formats.items()],
                id="export-formats",
            )
            yield Static(Text("File (a schema and a manifest are written beside it)"),
                         classes="export-label")
            yield Input(value=self._default(self.fmt), id="export-path")
            yield Static(id="export-exists")  # "replaces …" when the path names a file
            yield Checkbox(Content(f"only my annotations ({safe(self.annotator)})"),
                           id="export-mine")
            yield Checkbox(Content("links: also open suggestions and rejected ones, with their status"),
                           id="export-all-links")
            bar = ProgressBar(id="export-progress", show_eta=False)
            bar.display = False
            yield bar
            yield Static(id="export-result")
            yield Static(Text("ctrl+s or enter in the file box exports · tab moves · esc closes"),
                         id="export-hint")
        yield Footer()

    def on_mount(self) -> None:
        # focusing the format list scrolls the dialog to it: on a short terminal
        # (80x24) the title and the "Format" label were left above the top
        self.call_after_refresh(self._scroll_home)
        self._show_existing()

    def _scroll_home(self) -> None:
        self.query_one("#export-dialog", VerticalScroll).scroll_home(animate=False)

    def _default(self, fmt: str) -> str:
        return default_path(self.formats[fmt].extension, fmt)

    def _suffix(self, fmt: str) -> str:
        return format_suffix(fmt, self.formats[fmt].extension)

    @staticmethod
    def _format_prompt(info: Any) -> Text:
        text = Text()
        text.append(f"{info.name:<13}", style="bold")
        text.append(safe(info.description))
        return text

    # --------------------------------------------------------------- choices
    @on(OptionList.OptionHighlighted, "#export-formats")
    def _format_changed(self, event: OptionList.OptionHighlighted) -> None:
        new = event.option.id or self.fmt
        if new == self.fmt:
            return
        path_input = self.query_one("#export-path", Input)
        value = path_input.value
        # follow the format while the path still ends as the old format's default
        # name does (d.doccano.jsonl -> d.label-studio.json), or in its extension
        for old in (self._suffix(self.fmt), self.formats[self.fmt].extension):
            if old and value.endswith(old):
                path_input.value = value[: -len(old)] + self._suffix(new)
                break
        self.fmt = new
        self._confirmed = None
        self._show_existing()

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._confirmed = None  # a confirmation is for one path and one format
        self._show_existing()

    # ------------------------------------------------------- existing file
    def _target(self) -> tuple[str, Path | None, dict[str, Any] | None]:
        """The path as typed, as a Path, and what an existing file there holds."""
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            return typed, None, None
        path = Path(typed).expanduser()
        return typed, path, existing_export(path)

    def _needs_confirm(self, found: dict[str, Any] | None) -> bool:
        """Replacing anything but an export of this same format asks first."""
        return found is not None and found["format"] != self.fmt

    @staticmethod
    def _describe(typed: str, found: dict[str, Any]) -> str:
        name = safe(typed.removeprefix("./"))
        if found["format"] is None:
            return f"{name} (a file no Parallax manifest describes)"
        articles = found["articles"]
        count = "" if articles is None else f", {articles} article{'s' if articles != 1 else ''}"
        return f"{name} ({found['format']}{count})"

    def _show_existing(self, asked: bool = False) -> None:
        """The line under the path: what exporting there replaces, if anything."""
        typed, _path, found = self._target()
        line = self.query_one("#export-exists", Static)
        if found is None:
            line.update("")
            line.display = False
            return
        line.display = True
        text = Text()
        if asked:
            text.append(f"{self._describe(typed, found)} is there: ctrl+s again replaces it "
                        f"with this {self.fmt} export", style="bold")
        else:
            text.append(f"replaces {self._describe(typed, found)}")
            if self._needs_confirm(found):
                text.append(": ctrl+s asks first")
        line.update(text)

    @on(OptionList.OptionSelected, "#export-formats")
    def _format_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    # ---------------------------------------------------------------- export
    def action_export(self) -> None:
        if self.running:
            return
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self._show_error("give a file path to export to, e.g. " + self._default(self.fmt))
            return
        _typed, _out, found = self._target()
        if self._needs_confirm(found) and self._confirmed != (path, self.fmt):
            # never silently over an export of another format (jsonl then doccano)
            self._confirmed = (path, self.fmt)
            self._show_existing(asked=True)
            # an earlier export's report would read as this one's outcome
            self.query_one("#export-progress", ProgressBar).display = False
            self.query_one("#export-result", Static).update("")
            return
        self._confirmed = None
        mine = self.query_one("#export-mine", Checkbox).value
        links = "all" if self.query_one("#export-all-links", Checkbox).value else "confirmed"
        self.running = True
        self.report = self.error = None
        bar = self._bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.query_one("#export-result", Static).update(Text(f"exporting {self.fmt}…"))
        self._export(self.fmt, path, [self.annotator] if mine else None, links)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, fmt: str, path: str, annotators: list[str] | None,
                links: str = "confirmed") -> Any:
        from tui.export import export_dataset

        out = Path(path).expanduser()
        with read_store(self.store.path) as store:
            # the core creates missing folders (./export/ or any typed one) only
            # once the export has been validated, and reports them in notices
            return export_dataset(store, fmt, out, annotators=annotators, links=links,
                                  progress=self._progress, make_folders=True,
                                  out_field=PATH_FIELD)

    def _progress(self, done: int, total: int) -> None:
        """Called in the worker thread once per article; throttled to the UI."""
        if self._bar is None:
            return
        stamp = time.monotonic()
        if done < total and stamp - self._last_progress < PROGRESS_EVERY:
            return
        self._last_progress = stamp
        self.app.call_from_thread(self._bar.update, total=total, progress=done)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export" or event.state not in (
            WorkerState.SUCCESS, WorkerState.ERROR
        ):
            return
        self.running = False
        if event.state == WorkerState.SUCCESS:
            self._show_report(event.worker.result)
            return
        exc = event.worker.error
        if isinstance(exc, UserError):
            self._show_error(exc.message)
        elif isinstance(exc, sqlite3.Error | OSError):
            self._show_error(f"export failed: {exc}")
        else:  # a bug, not the user's doing: still one line, and the app lives on
            self._show_error(f"export failed ({type(exc).__name__}): {exc}")

    def _show_report(self, report: Any) -> None:
        self.report = report
        self._show_existing()  # the file is there now: a next export replaces it
        self.written = report.path
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        text = Text()
        text.append(safe(report.summary()) + "\n", style="bold green")
        text.append(f"schema:   {safe(report.schema_path)}\n")
        text.append(f"manifest: {safe(report.manifest_path)}")
        for notice in report.notices:
            text.append(f"\n{safe(notice)}", style="cyan")
        for problem in report.problems[:3]:
            text.append(f"\nnote: {safe(problem)}", style="yellow")
        if len(report.problems) > 3:
            text.append(f"\n… and {len(report.problems) - 3} more notes in the manifest",
                        style="yellow")
        text.append("\nesc closes", style="dim")
        self.query_one("#export-result", Static).update(text)

    def _show_error(self, message: str) -> None:
        self.error = message
        self.query_one("#export-progress", ProgressBar).display = False
        self.query_one("#export-result", Static).update(
            Text("error: " + safe(message), style="bold red"))

    def action_close(self) -> None:
        if self.running:
            self.notify("the export is still running; it closes when done", severity="warning")
            return
        self.dismiss(self.written)
