"""ParallaxApp: the Textual application over one Parallax database.

The app is a thin layer: it opens the store, shows the reader, and routes
global actions (help, library, schema, search, events, export, review) that
the key registry declares. Screens written by other modules (search, events,
export, review) are imported lazily inside their action, so a missing module
costs a notification, not the app.
"""

from __future__ import annotations

import gc
import importlib
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen

from tui.app import keys
from tui.app.history import History
from tui.app.messages import WorkFinished, WorkProgress
from tui.app.reader import ReaderScreen
from tui.app.targets import Target
from tui.errors import UserError
from tui.labels import Label
from tui.store import Store, reclean_summary
from tui.textsafe import safe

if TYPE_CHECKING:
    from tui.importer import ImportReport

#: Textual's system commands that the key registry already offers (Quit; Keys is
#: "Show every key").
TEXTUAL_DUPLICATES = frozenset({"Quit", "Keys"})
#: How often a running app looks for a label schema another process loaded
#: (it also looks on every reader key and when the terminal regains focus).
SCHEMA_CHECK_SECONDS = 3.0
#: How long a key's write waits for another program's write to end (ms). The
#: screen cannot move meanwhile: a recompute of links holding the lock for 15 s
#: (the CLI's wait) froze the app with nothing on screen. Imports write one
#: article at a time and never come near this.
UI_BUSY_TIMEOUT_MS = 4_000


class ParallaxApp(App):
    """Read outlets side by side and annotate them with a shared schema."""

    TITLE = "Parallax"
    BINDINGS = keys.bindings("app")
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, db_path: str, annotator: str, keymap: str | Path | None = None,
                 article_ids: list[str] | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.annotator = annotator
        self.store = Store.open(db_path, busy_timeout_ms=UI_BUSY_TIMEOUT_MS)
        self.store.ensure_schema(None, None, annotator)
        self.history = History(self.store, annotator)
        self.only_mine = False
        self.initial_articles = article_ids
        self.keymap_file = Path(keymap) if keymap else keys.keymap_path()
        #: the keymap file's entries with valid key names; ``user_keymap`` is what is
        #: in force: those entries less the ones refused for a clash (which depends on
        #: the schema's letter keys, so it is worked out again with each schema)
        self.requested_keymap, self.file_problems = keys.load_keymap(self.keymap_file)
        self.user_keymap: dict[str, str] = {}
        self.keymap_refused: list[str] = []
        self.keymap_problems: list[str] = []
        self.schema_read = False
        self.reload_schema()

    # ---------------------------------------------------------------- schema
    def reload_schema(self) -> list[str]:
        """Read the label schema in force and fit the keymap to it.

        Returns what this schema changed in the user's keymap (a remap refused
        because the new schema gives its letter to a label, or one let back in
        because the letter is free again), so a schema change can say what it
        did to the user's keys. The version is read before the labels: if another
        process loads a schema in between, the next check sees a newer version
        and reads again, never the reverse (new version, old labels).
        """
        self.schema_version = self.store.schema_version_number()
        self.store_labels: list[Label] = self.store.labels()
        self.label_colors = {lb.name: lb.color for lb in self.store_labels}
        letters = {lb.key: lb.name for lb in self.store_labels if lb.key and lb.key.isalpha()}
        before = self.user_keymap if self.schema_read else None
        self.user_keymap, refused = keys.resolve_keymap(self.requested_keymap, letters)
        new = [m for m in refused if m not in self.keymap_refused]
        if before is not None:  # a remap the previous schema's letters had refused
            new += [f"keymap: {binding_id} = \"{keys.keys_text(value)}\" now in force (the label "
                    "schema no longer takes that key)" for binding_id, value in
                    self.user_keymap.items() if binding_id not in before]
        self.keymap_refused = refused
        self.keymap_problems = self.file_problems + refused
        self.schema_read = True
        return new

    def schema_changed(self) -> bool:
        """Whether a label schema was loaded since this app read one (by another
        process on the same database): one indexed query, cheap enough per key."""
        try:
            return self.store.schema_version_number() != self.schema_version
        except sqlite3.Error:
            return False

    def pick_up_schema(self) -> bool:
        """Reload a label schema another app loaded, and say so; False if none was.

        Without this a running app kept its legend and key mapping while the
        database held another schema: new letters did nothing and swapped keys
        tagged with the old mapping, silently. Called on every reader key, when
        the terminal regains focus and every few seconds.
        """
        if not self.schema_changed():
            return False
        reader = getattr(self, "reader", None)
        before = reader.tag_keys() if reader is not None and reader.is_mounted else {}
        new = self.reload_schema()
        row = self.store.db.execute(
            "select name, loaded_by from schema_versions where version = ?", [self.schema_version]
        ).fetchone()
        self._apply_schema()
        after = reader.tag_keys() if reader is not None and reader.is_mounted else {}
        from tui.app.help import key_label

        moved = [f"{key_label(self, ks[0])} {name}" for name, ks in after.items()
                 if ks and before and before.get(name, [])[:1] != ks[:1]]
        name, who = (safe(row[0]), safe(row[1])) if row else ("", "")
        self.notify(f"label schema changed to version {self.schema_version}"
                    f"{f' ({name})' if name else ''}{f' by {who}' if who else ''}: legend updated"
                    f"{'; keys now: ' + ', '.join(moved) if moved else ''}",
                    title="label schema", severity="warning", timeout=12, markup=False)
        for message in new:
            self.notify(message, severity="warning", timeout=12, markup=False)
        return True

    def _apply_schema(self) -> None:
        """Show the schema just read everywhere: keymap, legend, footer, colours, schema screen."""
        self.set_keymap(self.user_keymap)
        reader = getattr(self, "reader", None)
        if reader is None or not reader.is_mounted:
            return
        reader.refresh_keys()
        for pane in reader.panes:
            pane.label_colors.clear()
            pane.label_colors.update(self.label_colors)
            pane.view.label_colors = pane.label_colors
            pane.view.invalidate()
        refresh_table = getattr(self.screen, "refresh_table", None)
        if refresh_table is not None:  # the schema screen is open: show the new one
            refresh_table()

    def on_app_focus(self) -> None:
        """Back in the terminal: someone may have loaded a schema meanwhile."""
        self.pick_up_schema()

    # --------------------------------------------------------------- startup
    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        for problem in self.keymap_problems:
            self.notify(problem, severity="warning", timeout=8, markup=False)
        self.set_interval(SCHEMA_CHECK_SECONDS, self.pick_up_schema, name="schema check")
        ids = self.initial_articles
        if ids is None:
            ids = self.first_articles(2)
        self.reader = ReaderScreen(ids)
        self.push_screen(self.reader)
        # Everything loaded so far (Textual, the store, the first articles) lives as long
        # as the app: out of the collector's sight, a full collection no longer walks it,
        # and the 100+ ms pause it put on a random key (tab, every ~15 s) is gone.
        self.call_after_refresh(gc.freeze)
        seeds = Path.cwd() / "seeds"
        if not ids and self.store.article_count() == 0 and seeds.is_dir():
            self._import_worker(str(seeds))  # first run: import the seeds, with progress
            return
        stale = len(self.store.stale_articles())
        if stale:
            self.notify(f"{stale} article{'s' if stale != 1 else ''} cleaned by an older cleaner: "
                        "ctrl+p → \"Re-clean articles\" applies the current rules (overrides, "
                        "edits and annotations are kept)", title="cleaner updated", timeout=12)

    def first_articles(self, n: int) -> list[str]:
        """The first ``n`` articles in library order, without the library's counts
        (``list_articles`` counts blocks and annotations of every article)."""
        rows = self.store.db.execute("select id from articles order by rowid limit ?", [n])
        return [r[0] for r in rows]

    def on_unmount(self) -> None:
        self.store.close()
        gc.unfreeze()  # an app run inside another program (tests, scripts) hands its objects back

    # ------------------------------------------------------- global actions
    def action_help(self) -> None:
        from tui.app.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_library(self) -> None:
        from tui.app.library import LibraryScreen

        if isinstance(self.screen, LibraryScreen):
            return

        def done(ids: list[str] | None) -> None:
            if ids:
                self.reader.open_articles(ids)

        self.push_screen(LibraryScreen(), done)

    def action_schema(self) -> None:
        from tui.app.schema_screen import SchemaScreen

        if not isinstance(self.screen, SchemaScreen):
            self.push_screen(SchemaScreen())

    def _open_external(self, module: str, cls: str, *args: Any, target: bool = False,
                       on_close: Callable[[Any], None] | None = None) -> None:
        """Push a screen from a sibling module, or say it is not available."""
        try:
            screen_cls = getattr(importlib.import_module(f"tui.app.{module}"), cls)
        except (ImportError, AttributeError):
            self.notify(f"{cls.removesuffix('Screen').lower()} is not available in this build",
                        severity="warning")
            return
        if isinstance(self.screen, screen_cls):
            return  # its key again while it is on top: one copy, one escape to leave
        try:
            screen = screen_cls(*args)
        except UserError as exc:
            self.notify(exc.message, severity="error")
            return
        if target:
            self.push_screen(screen, self.open_target)
        else:
            self.push_screen(screen, on_close)

    def open_target(self, target: Target | None) -> None:
        if target is not None:
            self.reader.open_target(target)

    def action_search(self) -> None:
        self._open_external("screens_search", "SearchScreen", self.store, "", target=True)

    def action_events(self) -> None:
        self._open_external("screens_events", "EventsScreen", self.store, target=True)

    def action_export(self) -> None:
        self._open_external("screens_export", "ExportScreen", self.store, self.annotator)

    def action_review(self) -> None:
        pane = self.reader.active_pane
        if pane is None or pane.doc is None:
            self.notify("open an article first", severity="warning")
            return
        article_id = pane.doc.article_id
        # accepting a span adds the adjudicator's annotation: show it on return
        self._open_external("screens_review", "ReviewScreen", self.store, article_id,
                            on_close=lambda _result: self.reader.refresh_article(article_id))

    # -------------------------------------------------------- command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the registry that applies here, plus the long jobs.

        Textual's own "Quit" and "Keys" are left out: the registry has Quit and
        "Show every key", and two entries for one thing make the palette lie
        about which one the key runs. Keys are shown as typed ("-", not "minus").
        """
        from tui.app.help import key_label

        for command in super().get_system_commands(screen):
            if command.title not in TEXTUAL_DUPLICATES:
                yield command
        scopes = {"app", getattr(screen, "KEY_SCOPE", "app")}
        for spec in keys.REGISTRY:
            if spec.scope not in scopes or not spec.palette:
                continue
            target = self if spec.scope == "app" else screen
            shown = ", ".join(key_label(self, k) for k in keys.effective_keys(spec, self.user_keymap))
            yield SystemCommand(spec.description, f"{spec.group} · key {shown}",
                                _runner(target, spec.action))
        if isinstance(screen, ReaderScreen):
            in_force = screen.tag_keys()  # a keymap may have moved 1-9: say what tags it now
            for lb in self.store_labels:
                shown = ", ".join(key_label(self, k) for k in in_force.get(lb.name, [])) or "-"
                yield SystemCommand(f"Tag as {lb.name}", f"key {shown} · {lb.description}",
                                    _runner(screen, "tag_name", lb.name))
        yield SystemCommand("Compute links", "Link passages across outlets (runs in the background)",
                            self.compute_links)
        yield SystemCommand("Import files", "Import articles from a file or folder path",
                            self.ask_import)
        yield SystemCommand("Re-clean articles",
                            "Apply the current cleaner to articles an older version cleaned "
                            "(keeps overrides, edits and annotations; runs in the background)",
                            self.reclean_stale)
        yield SystemCommand("Load label schema", "Load another TOML label schema into the database",
                            self.ask_schema)

    # ------------------------------------------------------------ long jobs
    def compute_links(self) -> None:
        try:
            importlib.import_module("tui.link")
        except ImportError:
            self.notify("linking is not available in this build", severity="warning")
            return
        self._links_worker()

    def _run_job(self, job: str, run: Callable[[Store], str],
                 errors: tuple[type[BaseException], ...] = (UserError, sqlite3.Error, ValueError)) -> None:
        """Run one long job in the calling worker thread and post how it ended.

        The job gets a connection of this thread's own (SQLite connections do
        not cross threads) and returns its one-line summary; the errors it may
        raise become a ``WorkFinished`` with the message, never a crash.
        """
        store = Store.open(self.db_path)
        try:
            self.post_message(WorkFinished(job, run(store)))
        except errors as exc:
            self.post_message(WorkFinished(job, "", getattr(exc, "message", str(exc))))
        finally:
            store.close()

    @work(thread=True, exclusive=True, group="links")
    def _links_worker(self) -> None:
        from tui.link import link_store

        last = [0.0]

        def progress(*args: Any) -> None:
            done, total = (args + (0, 0))[:2]
            now = time.monotonic()
            if now - last[0] < 0.05 and done != total:
                return  # at most 20 updates a second: the UI thread has better things to do
            last[0] = now
            detail = str(args[2]) if len(args) > 2 else ""
            self.post_message(WorkProgress("links", int(done or 0), int(total or 0), detail))

        self._run_job("links", lambda store: _link_summary(link_store(store, progress=progress)))

    def reclean_stale(self) -> None:
        if not self.store.stale_articles():
            self.notify("every article is already cleaned by the current cleaner")
            return
        self._reclean_worker()

    @work(thread=True, exclusive=True, group="reclean")
    def _reclean_worker(self) -> None:
        from tui.clean import clean_document

        def progress(done: int, total: int) -> None:
            self.post_message(WorkProgress("re-clean", done, total, f"{done}/{total} articles"))

        self._run_job("re-clean", lambda store: reclean_summary(
            store.reclean(clean_document, store.stale_articles(), progress=progress, jobs=None)))

    def ask_import(self) -> None:
        from tui.app.dialogs import TextPrompt

        def done(path: str | None) -> None:
            if path and path.strip():
                self._import_worker(path.strip())

        self.push_screen(TextPrompt("Import a file or folder (path):", placeholder="seeds/"), done)

    @work(thread=True, exclusive=True, group="import")
    def _import_worker(self, path: str) -> None:
        from tui.importer import import_paths

        def progress(done: int, total: int, name: str) -> None:
            self.post_message(WorkProgress("import", done, total, Path(name).name if name else "done"))

        self._run_job("import", lambda store: import_summary(import_paths(store, [path],
                                                                          progress=progress)),
                      errors=(UserError, sqlite3.Error))

    def on_work_progress(self, message: WorkProgress) -> None:
        self.reader.show_progress(message.job, message.done, message.total, message.detail)
        shown = getattr(self.screen, "show_work_progress", None)
        if shown is not None:  # a screen over the reader (Events) shows it too
            shown(message.job, message.done, message.total, message.detail)

    def on_work_finished(self, message: WorkFinished) -> None:
        self.reader.hide_progress()
        if message.job in ("links", "import"):
            reload = getattr(self.screen, "reload_after_work", None)
            if reload is not None:  # the Events grid shows what the job stored (or did not)
                reload()
        if message.error:
            self.notify(message.error, title=message.job, severity="error")
            return
        # an import summary runs on past its first line only to name failed files
        failed = message.job == "import" and "\n" in message.summary
        self.notify(message.summary, title=message.job, severity="warning" if failed else "information",
                    timeout=15 if failed else 5, markup=False)
        self.reader.refresh_link_markers()
        if message.job == "import" and not self.reader.panes:
            self.reader.open_articles(self.first_articles(2))
        if message.job == "re-clean" and self.reader.article_ids:
            self.reader.open_articles(self.reader.article_ids)  # show the new decisions

    def ask_schema(self) -> None:
        from tui.app.dialogs import TextPrompt

        def done(path: str | None) -> None:
            if path and path.strip():
                self.load_schema(path.strip())

        self.push_screen(TextPrompt("Load a label schema (TOML file path):"), done)

    def load_schema(self, path: str) -> bool:
        """Install another schema; a refusal (orphaned labels) is shown, nothing changes."""
        from tui.labels import load_schema_file

        try:
            schema = load_schema_file(path)
            text = Path(path).read_text(encoding="utf-8")
            self.store.ensure_schema(schema, text, self.annotator)
        except UserError as exc:
            self.notify(exc.message, title="schema refused", severity="error", timeout=12)
            return False
        new = self.reload_schema()
        self._apply_schema()
        self.notify(f"schema {schema.name} loaded ({len(schema.labels)} labels)")
        for message in new:  # a remap onto a letter this schema gives a label
            self.notify(message, severity="warning", timeout=12, markup=False)
        return True


#: Failed files named in the import notification; the rest are counted.
IMPORT_PROBLEMS_SHOWN = 3


def import_summary(report: ImportReport) -> str:
    """The import notification: the counts, then each failed file (with its line)
    and why, like the CLI prints them; a count alone gives nothing to fix."""
    lines = [report.summary()]
    problems = list(report.problems)
    for problem in problems[:IMPORT_PROBLEMS_SHOWN]:
        lines.append(f"{safe(problem.path)}: {safe(problem.reason)}")
    if len(problems) > IMPORT_PROBLEMS_SHOWN:
        lines.append(f"and {len(problems) - IMPORT_PROBLEMS_SHOWN} more "
                     "(`parallax import PATH` lists them all)")
    return "\n".join(lines)


def _link_summary(result: Any) -> str:
    """One line for the notification, whatever the linker's summary object holds."""
    parts = [f"{getattr(result, name)} {name}" for name in ("links", "events", "articles")
             if isinstance(getattr(result, name, None), int)]
    seconds = getattr(result, "seconds", None)
    if parts and isinstance(seconds, (int, float)):
        return f"{', '.join(parts)} ({seconds:.1f} s)"
    return f"links computed: {result}"


def _runner(target: Any, action: str, *args: Any) -> Any:
    """A palette callback running ``action`` on ``target`` (app or screen)."""
    if action == "tag_name":
        def tag() -> None:
            lb = next(lb for lb in target.app.store_labels if lb.name == args[0])
            target.tag(lb)
        return tag

    async def run() -> None:
        await target.run_action(action)

    return run
