"""The reader: articles side by side, keyboard tagging, overrides, links.

Keys come from ``tui.app.keys`` (scope ``reader``); each ``action_*`` here is
the one implementation a key, the command palette and the tests all reach.
Every edit is written to SQLite through the store (one transaction each)
before the status bar says "saved", and is recorded in the session history
so ``u`` / ``ctrl+r`` can undo and redo it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Label, ProgressBar, Static

from tui.app import keys
from tui.app.article_view import ArticleView
from tui.app.dialogs import LabelPicker, TextPrompt
from tui.app.document import Document, refresh_blocks
from tui.app.history import Step
from tui.app.pane import ArticlePane
from tui.app.targets import Target
from tui.errors import UserError
from tui.labels import Label as SchemaLabel
from tui.store import storage_error
from tui.textsafe import safe

if TYPE_CHECKING:
    from tui.app.app import ParallaxApp

#: How often the reader looks for what other connections committed (``pick_up_others_changes``).
OTHERS_CHECK_SECONDS = 3.0
MIN_PANE_WIDTH = 40
MAX_PANES = 4


def linked_ids(store: Any, article_id: str) -> set[str]:
    """Passages of an article that have links; empty when the link core is absent."""
    try:
        from tui.link import linked_passage_ids
    except ImportError:
        return set()
    try:
        return set(linked_passage_ids(store, article_id))
    except (UserError, sqlite3.Error):
        return set()


def _initials(name: str) -> str:
    """A label name with every word but the last cut to its initial: STANCE_FAVOR -> S_FAVOR."""
    words = re.split(r"([_\s-]+)", name)
    if len(words) < 3:
        return name
    return "".join(w[:1] if i % 2 == 0 else w for i, w in enumerate(words[:-1])) + words[-1]


def _document_anchor(doc: Document) -> tuple[str, int, int]:
    """Where a document-level label sits: the whole title block (or the first block)."""
    first = next((b for b in doc.blocks if b["kind"] == "title"), doc.blocks[0])
    return first["id"], 0, len(first["text"])


class ReaderScreen(Screen):
    """Two to four ArticlePanes, a schema legend, a progress line and the footer."""

    KEY_SCOPE = "reader"  # which registry entries the command palette offers here
    BINDINGS = keys.bindings("reader")
    DEFAULT_CSS = """
    ReaderScreen #panes { height: 1fr; }
    ReaderScreen #legend { height: 1; padding: 0 1; background: $boost; }
    ReaderScreen #keybar { height: 1; background: $footer-background; color: $footer-foreground; }
    ReaderScreen #work { height: 1; display: none; padding: 0 1; }
    ReaderScreen #work.busy { display: block; }
    ReaderScreen #work #work-label { width: auto; margin-right: 2; }
    ReaderScreen #empty { padding: 2 4; }
    /* toasts sit above the panes' status lines, the legend and the keys (and the
       progress line while a job runs): "saved" and the cursor's place stay in sight */
    ReaderScreen ToastRack { margin-bottom: 3; }
    ReaderScreen.working ToastRack { margin-bottom: 4; }
    """

    app: ParallaxApp

    def __init__(self, article_ids: list[str]) -> None:
        super().__init__()
        self.article_ids = article_ids
        self.links: list[dict[str, Any]] = []
        self.link_index = 0
        self.link_source: tuple[int, str] | None = None  # (pane index, passage id)
        self._active = 0
        #: (view, block id, cursor, step, the view's move count) of the block ``o`` just
        #: hid while hidden blocks are not shown: ``o`` again at once restores that block
        self._just_hidden: tuple[ArticleView, str, int, Step, int] | None = None
        self._data_version: int | None = None  # PRAGMA data_version last seen (others' commits)
        self._narrow_said = False  # "panes are narrower than …" said once per narrowing

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Horizontal(id="panes")
        yield Static(id="legend")
        with Horizontal(id="work"):
            yield Label("", id="work-label")
            yield ProgressBar(id="work-bar", show_eta=False)
        yield Static(id="keybar")

    def on_mount(self) -> None:
        self.refresh_keys()
        self.open_articles(self.article_ids)
        self.pick_up_others_changes()  # the baseline: what is on screen now
        self.set_interval(OTHERS_CHECK_SECONDS, self.pick_up_others_changes, name="others' changes")

    @property
    def panes(self) -> list[ArticlePane]:
        """The panes on screen, in order; not those being removed.

        Removing a widget finishes after the next refresh, so right after
        ``open_articles`` the old panes would still be listed first and pane
        0 (the one keys act on) would be a dying one, never marked.
        """
        return [p for p in self.query(ArticlePane) if not p.closing]

    @property
    def active_pane(self) -> ArticlePane | None:
        panes = self.panes
        if not panes:
            return None
        return panes[min(self._active, len(panes) - 1)]

    @property
    def view(self) -> ArticleView | None:
        pane = self.active_pane
        return pane.view if pane else None

    def new_pane(self) -> ArticlePane:
        return ArticlePane(self.app.label_colors, self.app.annotator)

    def open_articles(self, article_ids: list[str]) -> None:
        """Show these articles, one per pane, the cursor on the first pane's first sentence."""
        container = self.query_one("#panes", Horizontal)
        for old in self.panes:
            old.closing = True
        container.remove_children()
        self.query("#empty").remove()
        self.article_ids = list(article_ids)[:MAX_PANES]
        if not self.article_ids:
            self.mount(Static(Text(
                "The library is empty. Import articles with `parallax import PATH` "
                "(or the command palette: ctrl+p, \"Import\"), then reopen.",
            ), id="empty"), before=container)
            return
        panes = [self.new_pane() for _ in self.article_ids]
        container.mount_all(panes)
        self._active = 0

        def fill() -> None:
            for pane, article_id in zip(panes, self.article_ids, strict=True):
                self.load_into(pane, article_id)
            self._focus_pane(0)
            self._check_width()

        self.call_after_refresh(fill)

    def load_into(self, pane: ArticlePane, article_id: str) -> Document:
        doc = Document.load(self.app.store, article_id)
        doc.linked = linked_ids(self.app.store, doc.article_id)
        if self.app.only_mine:
            doc.set_only_annotator(self.app.annotator)
        pane.show(doc)
        return doc

    def key_bar(self, width: int | None = None) -> Text:
        """The footer line, from the registry with the user's keymap applied.

        Textual's Footer rebuilds itself on every focus change, which made
        switching panes cost hundreds of milliseconds; the reader's footer is
        drawn once instead (and again on a resize: it is fitted to the width,
        tighter and then with fewer keys, the help and palette keys last).
        """
        from tui.app.help import key_label

        entries: list[tuple[str, str, int]] = []  # key, what, rank (lowest dropped first)
        drop_first = ("app.schema", "app.library", "reader.hidden", "reader.remove", "app.quit")
        for spec in keys.specs("reader") + keys.specs("app"):
            if not spec.show:
                continue
            shown = keys.effective_keys(spec, self.app.user_keymap)
            if not shown:
                continue
            rank = (drop_first.index(spec.id) if spec.id in drop_first
                    else len(drop_first) + 1 if spec.id == "app.help" else len(drop_first))
            entries.append((key_label(self.app, shown[0]), spec.short or spec.description, rank))
        entries.append((self._digit_keys(), "tag", len(drop_first)))
        palette = keys.effective_keys(keys.BY_ID["app.palette"], self.app.user_keymap)
        if palette:
            entries.append((key_label(self.app, palette[0]), "palette", len(drop_first) + 1))
        key_style = "bold #ffa62b"

        def build(items: list[tuple[str, str, int]], tight: int) -> Text:
            out = Text(no_wrap=True, overflow="ellipsis", end="")
            for i, (key, what, _rank) in enumerate(items):
                if tight == 0:  # the roomy form: " k what " blocks
                    out.append(f" {key} ", style=key_style)
                    out.append(f"{what} " if i < len(items) - 1 or what != "palette" else what)
                else:
                    out.append(" " * (tight if i else 1))
                    out.append(key, style=key_style)
                    out.append(f" {what}")
            return out

        width = width if width is not None else self.size.width
        if not width:
            return build(entries, 0)
        items = list(entries)
        while True:
            for tight in (0, 2, 1):
                text = build(items, tight)
                if text.cell_len <= width:
                    return text
            if len(items) <= 2:
                return text
            items.remove(min(items, key=lambda item: item[2]))

    def legend(self, width: int) -> Text:
        """The schema legend fitted to ``width`` cells: whole label names when they fit,
        then tighter chips, then "S_FAVOR" for "STANCE_FAVOR" (cutting both to
        "STANCE_…" would make two labels look alike), then names cut short;
        never a label left out."""
        from tui.app.help import key_label

        labels = self.app.store_labels
        in_force = self.tag_keys()
        chip_keys = {lb.name: key_label(self.app, in_force[lb.name][0]) if in_force.get(lb.name)
                     else "·" for lb in labels}
        hints = []
        for spec_id, what in (("app.help", "keys"), ("app.schema", "schema")):
            shown = keys.effective_keys(keys.BY_ID[spec_id], self.app.user_keymap)
            if shown:
                hints.append(f"  {key_label(self.app, shown[0])} {what}")

        def build(pad: str, gap: str, cut: int | None, with_hints: bool,
                  short: bool = False) -> Text:
            out = Text(no_wrap=True, overflow="ellipsis", end="")
            for i, lb in enumerate(labels):
                name = _initials(lb.name) if short else lb.name
                if cut is not None and len(name) > cut:
                    name = name[:max(cut - 1, 1)] + "…"
                if i:
                    out.append(gap)
                out.append(f"{pad}{chip_keys[lb.name]} {name}{pad}", style=f"#101010 on {lb.color}")
            if with_hints:
                out.append(" ")
                for hint in hints:
                    out.append(hint, style="dim")
            return out

        for pad, gap, hints_too in ((" ", " ", True), (" ", " ", False), ("", " ", False)):
            text = build(pad, gap, None, hints_too)
            if text.cell_len <= width:
                return text
        text = build("", " ", None, False, short=True)
        if text.cell_len <= width:
            return text
        longest = max((len(_initials(lb.name)) for lb in labels), default=0)
        for cut in range(longest - 1, 1, -1):
            text = build("", " ", cut, False, short=True)
            if text.cell_len <= width:
                return text
        return build("", "", 1, False)

    def refresh_legend(self) -> None:
        width = self.size.width - 2  # the legend's padding
        self.query_one("#legend", Static).update(self.legend(width if width > 2 else 10_000))

    def refresh_keys(self) -> None:
        """Legend and footer again, after the schema or the keymap in force changed."""
        self.refresh_legend()
        self.query_one("#keybar", Static).update(self.key_bar())

    def tag_keys(self) -> dict[str, list[str]]:
        """Label name -> the keys that tag it now, the schema's own key first.

        ``1``-``9`` tag through the bindings ``reader.label_N`` (a keymap may
        move them: ``reader.label_1 = "f5"`` makes F5, not 1, tag what 1 stood
        for), the schema's letters through ``on_key``. The legend, the footer
        and the help screen all show this, so they say what a key does.
        """
        found: dict[str, list[str]] = {}
        for n in range(1, 10):
            label = self.label_for_key(str(n))
            if label is None:
                continue
            bound = keys.effective_keys(keys.BY_ID[f"reader.label_{n}"], self.app.user_keymap)
            have = found.get(label.name, [])
            found[label.name] = bound + have if label.key == str(n) else have + bound
        for lb in self.app.store_labels:
            if lb.key and lb.key.isalpha():
                found[lb.name] = [lb.key, *found.get(lb.name, [])]
        return found

    def _digit_keys(self) -> str:
        """The footer's "1-9": the first key of each label binding in force that tags
        a label, runs of consecutive digits written "1-9" ("f5,2-9" after a remap),
        then the schema's letter keys ("1-9,z")."""
        from tui.app.help import key_label

        shown = [keys.effective_keys(keys.BY_ID[f"reader.label_{n}"], self.app.user_keymap)[0]
                 for n in range(1, 10) if self.label_for_key(str(n)) is not None]
        parts: list[list[str]] = []
        for key in shown:
            if parts and key.isdigit() and parts[-1][-1].isdigit() \
                    and int(key) == int(parts[-1][-1]) + 1:
                parts[-1].append(key)
            else:
                parts.append([key])
        # letters the schema gives its labels tag too ("1-9,z"): the footer said only "1-9"
        parts += [[lb.key] for lb in self.app.store_labels if lb.key and lb.key.isalpha()]
        return ",".join(f"{run[0]}-{run[-1]}" if len(run) > 2 else
                        ",".join(key_label(self.app, k) for k in run) for run in parts) or "-"

    def on_resize(self) -> None:
        """Fit the legend and the footer to the new width; say when panes got narrow."""
        self.refresh_keys()
        self._check_width()

    def _check_width(self) -> None:
        """Panes narrower than ``MIN_PANE_WIDTH`` stay (closing them would lose the
        reader's place), but the reader is told once how to make room."""
        n = len(self.panes)
        if n > 1 and self.size.width and self.size.width // n < MIN_PANE_WIDTH:
            if not self._narrow_said:
                self._narrow_said = True
                self.notify(f"{n} panes of {self.size.width // n} columns: - closes the "
                            f"current one (a pane reads best with {MIN_PANE_WIDTH})",
                            severity="information")
        else:
            self._narrow_said = False

    # ----------------------------------------------------------- pane focus
    def on_article_view_activated(self, event: ArticleView.Activated) -> None:
        for i, pane in enumerate(self.panes):
            if pane.view is event.view:
                self._focus_pane(i)

    def _focus_pane(self, index: int) -> None:
        """Make pane ``index`` the one keys act on (see ArticleView.set_active)."""
        panes = self.panes
        if panes:
            self._active = index % len(panes)
            for i, pane in enumerate(panes):
                pane.set_active(i == self._active)
            panes[self._active].refresh_status()

    def action_next_pane(self) -> None:
        self._focus_pane(self._active + 1)

    def action_prev_pane(self) -> None:
        self._focus_pane(self._active - 1)

    def action_add_pane(self) -> None:
        panes = self.panes
        if len(panes) >= MAX_PANES:
            self.notify(f"at most {MAX_PANES} panes", severity="warning")
            return
        if self.size.width // (len(panes) + 1) < MIN_PANE_WIDTH:
            self.notify(
                f"the terminal is too narrow for {len(panes) + 1} panes "
                f"(each needs {MIN_PANE_WIDTH} columns): widen it first", severity="warning")
            return
        shown = {p.doc.article_id for p in panes if p.doc}
        rows = self.app.first_articles(len(shown) + 1)
        candidates = [r for r in rows if r not in shown] or rows
        if not candidates:
            return
        pane = self.new_pane()
        self.query_one("#panes", Horizontal).mount(pane)

        def fill() -> None:
            self.load_into(pane, candidates[0])
            self._focus_pane(len(self.panes) - 1)

        self.call_after_refresh(fill)

    def action_remove_pane(self) -> None:
        panes = self.panes
        if len(panes) <= 1:
            self.notify("this is the last pane", severity="warning")
            return
        index = self._active
        panes[index].closing = True
        panes[index].remove()
        self._focus_pane(max(index - 1, 0))

    # -------------------------------------------------------------- movement
    def _with_view(self, fn: Callable[[ArticleView], None]) -> None:
        view = self.view
        if view is not None and view.doc is not None:
            fn(view)

    def action_cursor_down(self) -> None:
        self._with_view(lambda v: v.move(1))

    def action_cursor_up(self) -> None:
        self._with_view(lambda v: v.move(-1))

    def action_next_paragraph(self) -> None:
        self._with_view(lambda v: v.move_paragraph(1))

    def action_prev_paragraph(self) -> None:
        self._with_view(lambda v: v.move_paragraph(-1))

    def action_top(self) -> None:
        self._with_view(lambda v: (v.clear_selection(post=False), v.move_to(0)))

    def action_bottom(self) -> None:
        self._with_view(lambda v: (v.clear_selection(post=False), v.move_to(len(v.doc.units) - 1)))

    def action_page_down(self) -> None:
        self._with_view(lambda v: v.page(1))

    def action_page_up(self) -> None:
        self._with_view(lambda v: v.page(-1))

    def action_extend_right(self) -> None:
        self._with_view(lambda v: v.extend_word(1))

    def action_extend_left(self) -> None:
        self._with_view(lambda v: v.extend_word(-1))

    def action_visual(self) -> None:
        self._with_view(lambda v: v.start_visual())

    def action_clear_selection(self) -> None:
        self._with_view(lambda v: v.clear_selection())

    # --------------------------------------------------------------- tagging
    def _saved(self, pane: ArticlePane | None, message: str) -> None:
        if pane is not None:
            pane.save_state = message
            pane.refresh_status()

    def _failed(self, pane: ArticlePane | None, exc: Exception) -> None:
        if isinstance(exc, UserError):
            msg = exc.message
        elif isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            msg = ("another program is writing the database (an import, links, a re-clean?): "
                   "nothing was changed; press the key again in a moment")
        elif isinstance(exc, sqlite3.OperationalError):
            msg = storage_error(exc)  # a full disk, a read-only file: what it means, what to do
        else:
            msg = f"database error: {exc}"
        if pane is not None:
            pane.save_state = "NOT saved"
            pane.refresh_status()
        self.notify(msg, title="not saved", severity="error")

    def refresh_article(self, article_id: str, blocks: bool = False,
                        block_id: str | None = None) -> None:
        """Re-read annotations (and block decisions) in every pane showing this article.

        With ``block_id`` only that block's lines are repainted (a tag touches
        one block); block decisions re-wrap the whole article.
        """
        for pane in self.panes:
            doc = pane.doc
            if doc is None or doc.article_id != article_id:
                continue
            keep = pane.view.current_passage()
            doc.reload_annotations(self.app.store)
            if blocks:
                refresh_blocks(doc, self.app.store)
                pane.view.relayout()
                if keep is not None:
                    self._restore_cursor(pane.view, keep)
                pane.refresh_header()
            if block_id is not None and not blocks:
                pane.view.invalidate_block(block_id)
            else:
                pane.view.invalidate()
            pane.refresh_status()

    def pick_up_others_changes(self) -> bool:
        """Show what other connections committed since the last look (another annotator's
        tags and hidden blocks, links a shell computed or someone decided); False if nothing.

        ``PRAGMA data_version`` changes only when another connection commits, so
        asking every few seconds costs one statement. Without it an open pane kept
        stale blocks, markers and link statuses: a tag on a block someone had just
        hidden said "saved" and never reached an export.
        """
        try:
            version = self.app.store.db.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return False
        if version == self._data_version:
            return False
        first, self._data_version = self._data_version is None, version
        if first:
            return False
        for article_id, shown in {p.doc.article_id: [bool(b["visible"]) for b in p.doc.blocks]
                                  for p in self.panes if p.doc is not None}.items():
            stored = [bool(r[0]) for r in self.app.store.db.execute(
                "select coalesce(override, keep) from blocks where article_id = ? order by seq",
                [article_id])]
            # re-wrapping moves the selection and the scroll: only when blocks changed
            self.refresh_article(article_id, blocks=stored != shown)
        self._refresh_headers()
        self.refresh_link_markers()
        for link in self.links:  # the links being walked: someone may have decided one
            row = self.app.store.db.execute("select status from links where id = ?",
                                            [link["link_id"]]).fetchone()
            if row is not None:
                link["status"] = row[0]
        if self.links:
            self._show_link()
        return True

    def _refresh_headers(self) -> None:
        """Pane headers read their article's metadata again: someone may have edited
        it (ctrl+e in another app, `parallax meta`); the header kept the old outlet."""
        for pane in self.panes:
            if pane.doc is None:
                continue
            try:
                article = self.app.store.get_article(pane.doc.article_id)
            except (UserError, sqlite3.Error):
                continue
            if any(pane.doc.article.get(k) != article.get(k) for k in ("title", "outlet", "date")):
                pane.doc.article.update(article)
                pane.refresh_header()

    def refresh_link_markers(self) -> None:
        """The ◆ of every pane read again: links were computed, decided or undone."""
        for pane in self.panes:
            if pane.doc is not None:
                pane.doc.linked = linked_ids(self.app.store, pane.doc.article_id)
                pane.view.invalidate()

    def _restore_cursor(self, view: ArticleView, passage: dict[str, Any]) -> None:
        doc = view.doc
        unit = doc.unit_of_passage(passage["id"])
        if unit is None:  # its block was hidden: go to the nearest sentence after it
            later = [i for i, u in enumerate(doc.units) if u.passage["seq"] >= passage["seq"]]
            unit = later[0] if later else len(doc.units) - 1
        view.cursor = max(unit, 0)
        view.scroll_cursor_visible()

    def label_for_key(self, key: str) -> SchemaLabel | None:
        labels = self.app.store_labels
        for lb in labels:
            if lb.key == key:
                return lb
        if key.isdigit() and 0 < int(key) <= len(labels):
            return labels[int(key) - 1]
        return None

    def action_label(self, n: int) -> None:
        label = self.label_for_key(str(n))
        if label is None:
            self.notify(f"the schema has no label on key {n}", severity="warning")
            return
        self.tag(label)

    def _schema_moved_under(self, event: Key) -> bool:
        """Pick up a schema another app loaded before this key acts; True if the key is
        dropped because it tags (in the old mapping or the new one).

        The legend the reader looked at was the old one: tagging with either
        mapping could be a label they did not mean, so the key does nothing and
        the (now updated) legend and a notification say to press again.
        """
        if not self.app.schema_changed():
            return False
        before = {k for ks in self.tag_keys().values() for k in ks}
        self.app.pick_up_schema()
        if event.key not in before | {k for ks in self.tag_keys().values() for k in ks}:
            return False
        event.stop()  # nor does the 1-9 binding run
        from tui.app.help import key_label

        self.notify(f"{key_label(self.app, event.key)} did not tag: the label schema changed "
                    "just before; check the legend and press again", severity="warning",
                    timeout=10, markup=False)
        return True

    def on_key(self, event: Key) -> None:
        """Letter keys declared by the schema (the registry covers 1-9)."""
        if self._schema_moved_under(event):
            return
        if event.character and event.character.isalpha() and self.view is not None:
            for lb in self.app.store_labels:
                if lb.key == event.character:
                    event.stop()
                    self.tag(lb)
                    return

    def tag(self, label: SchemaLabel) -> dict[str, Any] | None:
        """Apply ``label`` to the selection, or to the sentence under the cursor."""
        pane, view = self.active_pane, self.view
        if view is None or view.doc is None or view.unit is None:
            self.notify("nothing to tag here", severity="warning")
            return None
        if label.scope == "span":
            block_id, start, end = view.target_span()
        elif label.scope == "passage":
            u = view.unit
            block_id, start, end = view.doc.blocks[u.block]["id"], u.start, u.end
        else:  # document-level
            block_id, start, end = _document_anchor(view.doc)
        me = self.app.annotator
        if self._mine_exists(view.doc, (block_id, start, end), label.name):
            self.notify(f"already tagged {label.name}", severity="information")
            return None
        try:
            row = self.app.store.add_annotation(
                block_id=block_id, start=start, end=end, label=label.name, annotator=me,
                scope=label.scope,
            )
        except (UserError, sqlite3.Error) as exc:
            self._failed(pane, exc)
            return None
        self.app.history.record(Step("create", row["id"], row["article_id"], block_id,
                                     label=label.name))
        view.clear_selection(post=False)
        # the block may be hidden: shown with h, or hidden since this pane drew it (someone
        # else's o, a re-clean). Exports leave spans on hidden blocks out: say so, and
        # redraw the blocks if this pane had them wrong
        shown_here = next((b["visible"] for b in view.doc.blocks if b["id"] == block_id), True)
        keep, by = self.app.store.db.execute(
            "select coalesce(override, keep), override_by from blocks where id = ?", [block_id]
        ).fetchone()
        self.refresh_article(row["article_id"], block_id=block_id, blocks=bool(keep) != shown_here)
        self._saved(pane, f"saved: {label.name} added")
        if not keep:
            who = f"hidden by {by}" if by else "hidden by the cleaner"
            self.notify(f"{label.name} saved on a block {who}: exports leave it out until the "
                        "block is shown (o)", severity="warning", markup=False)
        return row

    def _mine_exists(self, doc: Document, span: tuple[str, int, int], label: str) -> bool:
        """Whether I already have ``label`` on exactly ``span`` (everyone's layer, not the
        ``m`` filter): one annotator never holds the same label twice on one span."""
        me = self.app.annotator
        return any((a["block_id"], a["start"], a["end"], a["label"], a["annotator"])
                   == (*span, label, me) for a in doc.annotations)

    def _mine_under_cursor(self) -> dict[str, Any] | None:
        view = self.view
        if view is None or view.doc is None:
            return None
        span = view.target_span()
        if span is None:
            return None
        found = view.doc.annotations_in(*span)
        mine = [a for a in found if a["annotator"] == self.app.annotator]
        if not mine:
            if found:
                self.notify(f"that annotation is {found[0]['annotator']}'s: you can change only yours",
                            severity="warning")
            else:
                self.notify("no annotation under the cursor", severity="warning")
            return None
        exact = [a for a in mine if (a["block_id"], a["start"], a["end"]) == span]
        return (exact or mine)[-1]

    def action_remove(self) -> None:
        ann = self._mine_under_cursor()
        if ann is None:
            return
        pane = self.active_pane
        try:
            self.app.store.delete_annotation(ann["id"], self.app.annotator)
        except (UserError, sqlite3.Error) as exc:
            self._failed(pane, exc)
            return
        self.app.history.record(Step("delete", ann["id"], ann["article_id"], ann["block_id"],
                                     label=ann["label"]))
        self.refresh_article(ann["article_id"], block_id=ann["block_id"])
        self._saved(pane, f"saved: {ann['label']} removed")

    def action_relabel(self) -> None:
        ann = self._mine_under_cursor()
        if ann is None:
            return
        pane = self.active_pane

        def done(name: str | None) -> None:
            if not name or name == ann["label"]:
                return
            doc = pane.doc if pane is not None else None
            changes = self._relabel_changes(doc, ann, name)
            if changes is None:
                return
            span = (ann["block_id"], changes.get("start", ann["start"]), changes.get("end", ann["end"]))
            if doc is not None and self._mine_exists(doc, span, name):
                # the same refusal as tagging it again: never two equal rows
                self.notify(f"already tagged {name}: {ann['label']} left as it is "
                            f"(x removes it)", severity="information")
                return
            self.update_annotation(pane, ann, changes)

        self.app.push_screen(
            LabelPicker(self.app.store_labels, f"Relabel {ann['label']} as:", ann["label"]), done)

    def _relabel_changes(self, doc: Document | None, ann: dict[str, Any],
                         name: str) -> dict[str, Any] | None:
        """The label and, when the new label's scope differs, the extent it takes.

        A passage label covers whole sentences, as when tagged with its key:
        relabelling two words into one used to leave a passage label on two
        words (its scope still "span"). None (and a notice) when it cannot be
        done in place: a document label sits on the title block.
        """
        label = next((lb for lb in self.app.store_labels if lb.name == name), None)
        scope = label.scope if label is not None else "span"
        changes: dict[str, Any] = {"label": name}
        if scope != (ann.get("scope") or "span"):
            changes["scope"] = scope
        if scope == "passage" and doc is not None:
            units = [u for u in doc.units if doc.blocks[u.block]["id"] == ann["block_id"]
                     and u.end > ann["start"] and u.start < ann["end"]]
            if units and (units[0].start, units[-1].end) != (ann["start"], ann["end"]):
                changes["start"], changes["end"] = units[0].start, units[-1].end
        elif scope == "document" and doc is not None \
                and (ann["block_id"], ann["start"], ann["end"]) != _document_anchor(doc):
            self.notify(f"{name} is a label for the whole article: tag it with its key "
                        f"({ann['label']} left as it is)", severity="information")
            return None
        return changes

    def action_note(self) -> None:
        ann = self._mine_under_cursor()
        if ann is None:
            return
        pane = self.active_pane

        def done(note: str | None) -> None:
            if note is None:
                return
            self.update_annotation(pane, ann, {"note": note.strip() or None})

        self.app.push_screen(TextPrompt(f"Note on {ann['label']} (enter saves, empty clears):",
                                        ann.get("note") or ""), done)

    def update_annotation(self, pane: ArticlePane | None, ann: dict[str, Any],
                          changes: dict[str, Any]) -> None:
        before = {k: ann.get(k) for k in changes}
        try:
            self.app.store.update_annotation(ann["id"], self.app.annotator, **changes)
        except (UserError, sqlite3.Error) as exc:
            self._failed(pane, exc)
            return
        self.app.history.record(Step("update", ann["id"], ann["article_id"], ann["block_id"],
                                     before=before, after=changes,
                                     label=changes.get("label", ann["label"])))
        self.refresh_article(ann["article_id"], block_id=ann["block_id"])
        what = f"relabelled {changes['label']}" if "label" in changes else "note saved"
        self._saved(pane, f"saved: {what}")

    def action_undo(self) -> None:
        self._travel(undo=True)

    def action_redo(self) -> None:
        self._travel(undo=False)

    def _travel(self, undo: bool) -> None:
        pane = self.active_pane
        try:
            step = self.app.history.undo() if undo else self.app.history.redo()
        except UserError as exc:  # the step can never apply again: History dropped it
            self._failed(pane, UserError(f"{exc.message}; that step was dropped from the history"))
            return
        except sqlite3.Error as exc:
            self._failed(pane, exc)
            return
        if step is None:
            self.notify("nothing to undo" if undo else "nothing to redo", severity="information")
            return
        if step.kind == "link":
            self._link_changed(step.target, step.before if undo else step.after)
        else:
            self.refresh_article(step.article_id, blocks=step.kind == "override",
                                 block_id=step.block_id)
        what = f"{'undid' if undo else 'redid'} {step.describe(undone=undo)}"
        # the panes showing the changed article say it (a pane whose status still read
        # "note saved" after its note was undone in another pane was simply wrong)
        showing = [] if step.kind == "link" else [  # a link is between two articles: said here
            p for p in self.panes if p.doc is not None and p.doc.article_id == step.article_id]
        for target in showing or [pane]:
            self._saved(target, f"saved: {what}")
        # the history spans every pane and article: when the change is not in the
        # article in front of the reader, say where it was (the status line says
        # what). Not a toast for every u: toasts expiring cost a 100+ ms frame.
        if step.kind != "link" and (pane is None or pane.doc is None
                                    or pane.doc.article_id != step.article_id):
            self.notify(f"{what} in {self._article_name(step.article_id)}",
                        title="undo" if undo else "redo", markup=False)

    def _article_name(self, article_id: str) -> str:
        """A short name of an article for messages: its title, else its id."""
        try:
            title = safe(self.app.store.get_article(article_id).get("title"))
        except (UserError, sqlite3.Error):
            title = ""
        if len(title) > 50:
            title = title[:49] + "…"
        return f"“{title}”" if title else article_id[:8]

    # ------------------------------------------------------------ boilerplate
    def action_toggle_hidden(self) -> None:
        pane = self.active_pane
        if pane is None or pane.doc is None:
            return
        keep = pane.view.current_passage()
        pane.doc.show_hidden = not pane.doc.show_hidden
        pane.doc.build_units()
        pane.view.relayout()
        if keep is not None:
            self._restore_cursor(pane.view, keep)
        pane.view.invalidate()
        pane.refresh_header()
        pane.refresh_status()

    def action_override(self) -> None:
        pane, view = self.active_pane, self.view
        block = view.current_block() if view else None
        if block is None or view is None:
            return
        again = self._just_hidden
        self._just_hidden = None
        if again is not None and again[0] is view and again[2] == view.cursor \
                and again[4] == view.moves and not view.doc.show_hidden \
                and self.app.history.done and self.app.history.done[-1] is again[3]:
            # ``o`` right after hiding a block: the cursor had to leave it (hidden
            # blocks are not shown), but "o on it again restores it" means that one
            block = next((b for b in view.doc.blocks if b["id"] == again[1]), block)
        show = not block["visible"]
        value = None if show == bool(block["keep"]) else show
        before = None if block["override"] is None else bool(block["override"])
        try:
            self.app.store.set_override(block["id"], value, self.app.annotator)
        except (UserError, sqlite3.Error) as exc:
            self._failed(pane, exc)
            return
        step = Step("override", block["id"], view.doc.article_id, block["id"],
                    before=before, after=value)
        self.app.history.record(step)
        self.refresh_article(view.doc.article_id, blocks=True)
        if show and again is not None and block["id"] == again[1]:
            first = next((i for i, u in enumerate(view.doc.units)
                          if view.doc.blocks[u.block]["id"] == block["id"]), None)
            if first is not None:  # back on the block it restored
                view.move_to(first)
        state = "shown" if show else "hidden"
        how = "back to the cleaner's decision" if value is None else "override stored"
        self._saved(pane, f"saved: block {state} ({how})")
        if show:
            return
        if not view.doc.show_hidden:
            self._just_hidden = (view, block["id"], view.cursor, step, view.moves)
        n = sum(1 for a in view.doc.annotations if a["block_id"] == block["id"])
        notes = []
        if n:  # exports take spans of shown blocks only: losing them must not be silent
            notes.append(f"its {n} annotation{'s are' if n != 1 else ' is'} left out of "
                         "exports until it is shown")
        if not view.doc.show_hidden:
            notes.append("h shows hidden blocks, o right away restores it")
        if notes:
            self.notify(f"block hidden: {'; '.join(notes)}",
                        severity="warning" if n else "information", timeout=8 if n else 5)

    def action_toggle_mine(self) -> None:
        self.app.only_mine = not self.app.only_mine
        for pane in self.panes:
            if pane.doc is not None:
                pane.doc.set_only_annotator(self.app.annotator if self.app.only_mine else None)
                pane.view.invalidate()
                pane.refresh_status()

    # ----------------------------------------------------------------- links
    def open_target(self, target: Target, focus: bool = True, other: bool = True,
                    then: Callable[[ArticlePane], None] | None = None) -> None:
        """Open ``target`` beside the current article (the next pane) at its passage.

        With one pane, "beside" means a second pane when the terminal has room
        for two (the ``+`` rule); otherwise the target replaces the article and
        the status bar says so. ``then`` runs with the pane that shows it.
        """
        panes = self.panes
        if not panes:
            self.open_articles([target.article_id])
            return
        showing = next((p for p in panes if p.doc is not None
                        and p.doc.article_id == target.article_id), None)
        if other and showing is not None:
            # already on screen: go to the passage there; opening it "beside" replaced
            # the comparison pane with a second copy of the same article
            self._open_in(showing, target, focus, then)
            return
        if other and len(panes) == 1:
            if self.size.width // 2 >= MIN_PANE_WIDTH:
                pane = self.new_pane()
                self.query_one("#panes", Horizontal).mount(pane)
                self.call_after_refresh(lambda: self._open_in(pane, target, focus, then))
                return
            replaced = panes[0].doc.article_id if panes[0].doc is not None else None
            if replaced is not None and replaced != target.article_id:
                self._open_in(panes[0], target, focus, then,
                              notice=f"replaced {replaced[:8]}: too narrow for two panes "
                                     f"({2 * MIN_PANE_WIDTH} columns)")
                return
        index = (self._active + 1) % len(panes) if other and len(panes) > 1 else self._active
        self._open_in(panes[index], target, focus, then)

    def _open_in(self, pane: ArticlePane, target: Target, focus: bool,
                 then: Callable[[ArticlePane], None] | None, notice: str = "") -> None:
        """Show ``target`` in ``pane``, its passage level with the reader's sentence."""
        panes = self.panes
        if pane not in panes:
            return  # removed meanwhile
        source = self.active_pane
        try:
            if pane.doc is None or pane.doc.article_id != target.article_id:
                self.load_into(pane, target.article_id)
        except UserError as exc:
            self.notify(exc.message, severity="error")
            return
        if notice:
            pane.notice = notice
        doc = pane.doc
        unit = None
        if target.passage_id:
            unit = doc.unit_of_passage(target.passage_id)
            if unit is None and not doc.show_hidden:
                doc.show_hidden = True
                doc.build_units()
                pane.view.relayout()
                pane.refresh_header()
                unit = doc.unit_of_passage(target.passage_id)
        elif target.block_id:
            unit = next((i for i, u in enumerate(doc.units)
                         if doc.blocks[u.block]["id"] == target.block_id), None)
        if unit is not None:
            pane.view.move_to(unit)
            row = source.view.cursor_row() if source is not None and source is not pane else None
            view = pane.view

            def place() -> None:  # the match level with the sentence it answers
                if row is not None and 0 <= row < view.size.height - 2:
                    view.align_cursor(row)
                view.scroll_cursor_visible()

            self.call_after_refresh(place)
        if focus:
            self._focus_pane(panes.index(pane))
        else:  # keep the active pane, but mark it again (a new pane may have shifted none)
            self._focus_pane(self._active)
        if then is not None:
            then(pane)
        pane.refresh_status()

    def action_links(self) -> None:
        view = self.view
        passage = view.current_passage() if view else None
        if passage is None:
            return
        try:
            from tui.link import links_for_passage
        except ImportError:
            self.notify("links are not available in this build", severity="warning")
            return
        try:
            found = list(links_for_passage(self.app.store, passage["id"]))
        except (UserError, sqlite3.Error) as exc:
            self.notify(str(exc), severity="error")
            return
        if not found:
            if self._links_computed():
                self.notify("no link from this sentence (sentences with links have ◆)")
            else:
                self.notify("no links computed yet: ctrl+p → Compute links")
            return
        self.links, self.link_index = found, 0
        self.link_source = (self._active, passage["id"])
        self._show_link()

    def _links_computed(self) -> bool:
        """Whether any link is stored (so "compute links" is advice worth giving)."""
        try:
            return self.app.store.db.execute("select 1 from links limit 1").fetchone() is not None
        except sqlite3.Error:  # no links table: never computed
            return False

    def _show_link(self) -> None:
        if not self.links:
            return
        link = self.links[self.link_index]
        state = (f"link {self.link_index + 1}/{len(self.links)} "
                 f"{link.get('score') or 0:.2f} {link.get('status') or 'suggested'}")

        def mark(pane: ArticlePane) -> None:
            for other in self.panes:
                if other is not pane and other.link_state:
                    other.link_state = ""
                    other.refresh_status()
            pane.link_state = state

        self.open_target(Target(link["article_id"], passage_id=link["passage_id"]), focus=False,
                         then=mark)

    def action_next_link(self) -> None:
        if not self.links:
            self.notify("no links shown: press l on a sentence with ◆", severity="information")
            return
        self.link_index = (self.link_index + 1) % len(self.links)
        self._show_link()

    def action_prev_link(self) -> None:
        if not self.links:
            self.notify("no links shown: press l on a sentence with ◆", severity="information")
            return
        self.link_index = (self.link_index - 1) % len(self.links)
        self._show_link()

    def _set_link(self, status: str) -> None:
        if not self.links:
            self.notify("no link shown: press l on a sentence with ◆ first", severity="warning")
            return
        try:
            from tui.link import set_link_status
        except ImportError:
            self.notify("links are not available in this build", severity="warning")
            return
        link = self.links[self.link_index]
        before = link.get("status") or "suggested"
        if before == status:
            self.notify(f"link already {status}", severity="information")
            return
        try:
            set_link_status(self.app.store, link["link_id"], status, self.app.annotator)
        except (UserError, sqlite3.Error) as exc:
            self._failed(self.active_pane, exc)
            return
        self.app.history.record(Step("link", link["link_id"], link["article_id"], "",
                                     before=before, after=status))
        self._link_changed(link["link_id"], status)
        self._saved(self.active_pane, f"saved: link {status}")

    def _link_changed(self, link_id: str, status: str) -> None:
        """Show a link's new status: the links being walked, the markers, the status bars."""
        shown = self.links[self.link_index] if self.links else None
        for link in self.links:
            if link["link_id"] == link_id:
                link["status"] = status
        self.refresh_link_markers()  # a rejected link no longer marks its sentences
        if shown is not None and shown["link_id"] == link_id:
            self._show_link()

    def action_confirm_link(self) -> None:
        self._set_link("confirmed")

    def action_reject_link(self) -> None:
        self._set_link("rejected")

    # ------------------------------------------------------------- progress
    def show_progress(self, job: str, done: int, total: int, detail: str = "") -> None:
        work = self.query_one("#work")
        work.add_class("busy")
        self.add_class("working")
        self.query_one("#work-label", Label).update(Text(f"{job}: {detail}"[:60]))
        self.query_one("#work-bar", ProgressBar).update(total=max(total, 1), progress=done)

    def hide_progress(self) -> None:
        self.query_one("#work").remove_class("busy")
        self.remove_class("working")
