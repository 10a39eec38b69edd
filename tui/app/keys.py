"""Every key binding of the app, declared once.

Each entry has a stable id (what a user keymap refers to), the default keys,
the Textual action it runs, a description (shown in help, the footer and the
command palette) and a group. Screens build their ``BINDINGS`` from here with
:func:`bindings`, the help screen lists this table, the command palette is
generated from it, and docs/reader.md is checked against it by a test. So a
key never exists in one place and not the others.

Remapping (the posting / Textual keymap model): a TOML file maps binding ids
to keys, e.g.::

    [keys]
    "reader.down" = "j,down,ctrl+n"
    "reader.label_1" = "f1"

It is read from ``$PARALLAX_KEYMAP`` if set, else
``$XDG_CONFIG_HOME/parallax/keys.toml`` (``~/.config/parallax/keys.toml``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One binding: id, default keys (comma separated, Textual key names), action."""

    id: str
    keys: str
    action: str
    description: str
    group: str
    scope: str  # app | reader | library | schema | help | meta
    show: bool = False  # shown in the footer
    priority: bool = False
    palette: bool = True  # offered in the command palette
    short: str = ""  # footer text when the description is too long for it
    display: str | None = None  # how the footer shows the key (e.g. "↓")


def _labels() -> list[KeySpec]:
    return [
        KeySpec(f"reader.label_{n}", str(n), f"label({n})",
                f"Apply label {n} of the schema to the selection or sentence", "Tag", "reader",
                palette=False)
        for n in range(1, 10)
    ]


#: The single registry. Order is the order of the help screen.
REGISTRY: tuple[KeySpec, ...] = (
    # -- anywhere
    KeySpec("app.quit", "q", "quit", "Quit", "General", "app", show=True, short="quit"),
    KeySpec("app.help", "question_mark,f1", "help", "Show every key", "General", "app", show=True,
            short="keys"),
    KeySpec("app.palette", "ctrl+p", "command_palette", "Command palette", "General", "app",
            palette=False),
    KeySpec("app.library", "L", "library", "Library: choose articles, edit metadata", "General",
            "app", show=True, short="library"),
    KeySpec("app.schema", "s", "schema", "Label schema: keys, colours, counts", "General", "app",
            show=True, short="schema"),
    KeySpec("app.search", "slash", "search", "Search passages across outlets", "General", "app"),
    KeySpec("app.events", "E", "events", "Events: clusters of linked passages", "General", "app"),
    KeySpec("app.export", "X", "export", "Export the labeled dataset", "General", "app"),
    KeySpec("app.review", "R", "review", "Review two annotators on the current article",
            "General", "app"),
    # -- reader: moving
    KeySpec("reader.down", "j,down", "cursor_down", "Next sentence", "Move", "reader"),
    KeySpec("reader.up", "k,up", "cursor_up", "Previous sentence", "Move", "reader"),
    KeySpec("reader.next_par", "J,right_curly_bracket", "next_paragraph", "Next paragraph",
            "Move", "reader"),
    KeySpec("reader.prev_par", "K,left_curly_bracket", "prev_paragraph", "Previous paragraph",
            "Move", "reader"),
    KeySpec("reader.top", "g,home", "top", "First sentence", "Move", "reader"),
    KeySpec("reader.bottom", "G,end", "bottom", "Last sentence", "Move", "reader"),
    KeySpec("reader.page_down", "space,pagedown", "page_down", "Page down", "Move", "reader"),
    KeySpec("reader.page_up", "b,pageup", "page_up", "Page up", "Move", "reader"),
    KeySpec("reader.next_pane", "tab", "next_pane", "Next pane", "Move", "reader",
            priority=True),
    KeySpec("reader.prev_pane", "shift+tab", "prev_pane", "Previous pane", "Move", "reader",
            priority=True),
    # -- reader: selecting
    KeySpec("reader.extend_right", "shift+right", "extend_right",
            "Extend the selection by a word", "Select", "reader"),
    KeySpec("reader.extend_left", "shift+left", "extend_left",
            "Shrink the selection by a word", "Select", "reader"),
    KeySpec("reader.visual", "v", "visual",
            "Visual mode: j/k and shift+arrows grow the selection", "Select", "reader"),
    KeySpec("reader.clear", "escape", "clear_selection", "Clear the selection", "Select",
            "reader"),
    # -- reader: tagging
    *_labels(),
    KeySpec("reader.remove", "x", "remove", "Remove my annotation under the cursor", "Tag",
            "reader", show=True, short="remove"),
    KeySpec("reader.relabel", "r", "relabel", "Relabel my annotation under the cursor", "Tag",
            "reader"),
    KeySpec("reader.note", "a", "note", "Attach a note to my annotation under the cursor",
            "Tag", "reader"),
    KeySpec("reader.undo", "u", "undo", "Undo (whole session)", "Tag", "reader", show=True,
            short="undo"),
    KeySpec("reader.redo", "ctrl+r", "redo", "Redo", "Tag", "reader"),
    # -- reader: view
    KeySpec("reader.hidden", "h", "toggle_hidden", "Show / hide boilerplate blocks (dimmed)",
            "View", "reader", show=True, short="hidden"),
    KeySpec("reader.override", "o", "override",
            "Override: show or hide the block under the cursor", "View", "reader"),
    KeySpec("reader.mine", "m", "toggle_mine", "Show my annotations / everyone's", "View",
            "reader"),
    KeySpec("reader.add_pane", "plus", "add_pane", "Add a pane (3 or 4 on wide terminals)",
            "View", "reader"),
    KeySpec("reader.remove_pane", "minus", "remove_pane", "Remove the current pane", "View",
            "reader"),
    # -- reader: links
    KeySpec("reader.links", "l", "links", "Linked passages: open the first in the other pane",
            "Links", "reader"),
    KeySpec("reader.next_link", "right_square_bracket", "next_link", "Next linked passage",
            "Links", "reader"),
    KeySpec("reader.prev_link", "left_square_bracket", "prev_link", "Previous linked passage",
            "Links", "reader"),
    KeySpec("reader.confirm_link", "y", "confirm_link", "Confirm the current link", "Links",
            "reader"),
    KeySpec("reader.reject_link", "n", "reject_link", "Reject the current link", "Links",
            "reader"),
    # -- library
    KeySpec("library.down", "down", "cursor(1)", "Next article", "Library", "library",
            priority=True, palette=False),
    KeySpec("library.up", "up", "cursor(-1)", "Previous article", "Library", "library",
            priority=True, palette=False),
    KeySpec("library.mark", "tab", "mark", "Mark / unmark for side-by-side reading", "Library",
            "library", show=True, priority=True, short="mark"),
    KeySpec("library.open", "enter", "open", "Read the marked articles (or this one)",
            "Library", "library", show=True, priority=True, short="read"),
    KeySpec("library.edit", "ctrl+e", "edit", "Edit the article's metadata", "Library",
            "library", show=True, priority=True, short="edit metadata"),
    KeySpec("library.close", "escape", "close", "Back to the reader", "Library", "library",
            show=True, short="back"),
    # -- schema screen
    KeySpec("schema.load", "ctrl+o", "load", "Load another schema file (TOML)", "Schema",
            "schema", show=True, short="load schema"),
    KeySpec("schema.close", "escape,s", "close", "Close", "Schema", "schema", show=True,
            palette=False),
    # -- search screen (/): the query box has focus, so no letter keys here
    KeySpec("search.close", "escape", "close", "Close search", "Search", "search", show=True,
            palette=False, short="Close"),
    KeySpec("search.open", "enter", "open", "Open the hit in the other pane, at the passage",
            "Search", "search", show=True, palette=False, short="Open hit"),
    KeySpec("search.next", "down,ctrl+n", "next", "Next hit", "Search", "search", show=True,
            palette=False, display="↓"),
    KeySpec("search.previous", "up", "previous", "Previous hit", "Search", "search", show=True,
            palette=False, display="↑"),
    KeySpec("search.page_down", "pagedown", "page(1)", "Next page of hits", "Search", "search",
            palette=False),
    KeySpec("search.page_up", "pageup", "page(-1)", "Previous page of hits", "Search", "search",
            palette=False),
    KeySpec("search.toggle_focus", "tab", "toggle_focus", "Switch between query and hits",
            "Search", "search", show=True, palette=False, short="Query/results"),
    KeySpec("search.list.next", "j", "cursor_down", "Next hit (in the hit list)", "Search",
            "search_list", palette=False),
    KeySpec("search.list.previous", "k", "cursor_up", "Previous hit (in the hit list)",
            "Search", "search_list", palette=False),
    KeySpec("search.list.query", "slash", "focus_query", "Back to the query (in the hit list)",
            "Search", "search_list", palette=False),
    # -- events screen (E)
    KeySpec("events.close", "escape", "back", "Back to the grid / close", "Events", "events",
            show=True, palette=False, short="Back / close"),
    KeySpec("events.open", "enter", "open", "Show the event's passages / open one beside",
            "Events", "events", show=True, palette=False, short="Passages / open"),
    KeySpec("events.toggle_focus", "tab", "toggle_focus", "Switch between grid and passages",
            "Events", "events", show=True, palette=False, short="Grid/passages"),
    KeySpec("events.reload", "r", "reload", "Reload events (after Compute links)", "Events",
            "events", show=True, palette=False, short="Reload"),
    KeySpec("events.compute", "c", "compute_links",
            "Compute links now (in the background; the grid reloads when they are done)",
            "Events", "events", show=True, palette=False, short="Compute links"),
    KeySpec("events.down", "j", "down", "Down", "Events", "events", palette=False),
    KeySpec("events.up", "k", "up", "Up", "Events", "events", palette=False),
    # -- export dialog (X)
    KeySpec("export.run", "ctrl+s", "export", "Export with the chosen format and path",
            "Export", "export", show=True, palette=False, short="Export"),
    KeySpec("export.close", "escape", "close", "Close the export dialog", "Export", "export",
            show=True, palette=False, short="Close"),
    # -- review screen (R)
    KeySpec("review.next", "n", "next", "Next disagreement", "Review", "review", show=True,
            palette=False),
    KeySpec("review.previous", "p", "previous", "Previous disagreement", "Review", "review",
            show=True, palette=False, short="Previous"),
    KeySpec("review.accept_a", "a", "accept('a')", "Accept A's span as mine", "Review",
            "review", show=True, palette=False, short="Accept A"),
    KeySpec("review.accept_b", "b", "accept('b')", "Accept B's span as mine", "Review",
            "review", show=True, palette=False, short="Accept B"),
    KeySpec("review.accept_agreed", "A", "accept_agreed",
            "Accept every span the two agree on as mine (a complete adjudicated layer)", "Review",
            "review", show=True, palette=False, short="Accept agreed"),
    KeySpec("review.cycle_pair", "c", "cycle_pair", "Compare another pair of annotators",
            "Review", "review", show=True, palette=False, short="Other annotators"),
    KeySpec("review.swap", "s", "swap", "Swap sides", "Review", "review", palette=False),
    KeySpec("review.close", "escape", "close", "Close review", "Review", "review", show=True,
            palette=False, short="Close"),
    # -- help screen
    KeySpec("help.close", "escape,q,question_mark", "close", "Close", "Help", "help",
            show=True, palette=False),
    # -- metadata form
    KeySpec("meta.save", "ctrl+s", "save", "Save the metadata", "Metadata", "meta", show=True,
            palette=False),
    KeySpec("meta.cancel", "escape", "cancel", "Cancel", "Metadata", "meta", show=True,
            palette=False),
)

BY_ID: dict[str, KeySpec] = {spec.id: spec for spec in REGISTRY}


def specs(scope: str) -> list[KeySpec]:
    return [spec for spec in REGISTRY if spec.scope == scope]


def bindings(scope: str) -> list[Binding]:
    """Textual bindings for one scope, each carrying its registry id (for keymaps)."""
    return [
        Binding(spec.keys, spec.action, spec.short or spec.description, show=spec.show,
                key_display=spec.display, id=spec.id, priority=spec.priority,
                tooltip=spec.description)
        for spec in specs(scope)
    ]


def keymap_path() -> Path:
    """Where the user keymap is read from (it may not exist)."""
    env = os.environ.get("PARALLAX_KEYMAP")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "parallax" / "keys.toml"


def load_keymap(path: Path | None) -> tuple[dict[str, str], list[str]]:
    """Read a user keymap; returns (id -> keys, problems). Never raises.

    A broken keymap must not stop anyone from reading: problems are reported
    by the app as a notification and the defaults stay in force.
    """
    if path is None or not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"keymap {path} ignored: {exc}"]
    table = data.get("keys", data)
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in table.items():
        if binding_id not in BY_ID:
            problems.append(f"keymap {path}: unknown binding id {binding_id!r} (see the help screen)")
        elif isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            keymap[binding_id] = ",".join(keys)
        elif isinstance(keys, str) and keys.strip():
            keymap[binding_id] = keys
        else:
            problems.append(f"keymap {path}: {binding_id} must be a key string like \"j,down\"")
    return keymap, problems


def effective_keys(spec: KeySpec, keymap: dict[str, str]) -> list[str]:
    """The keys a binding answers to once the user keymap is applied."""
    return [k.strip() for k in keymap.get(spec.id, spec.keys).split(",") if k.strip()]


#: Scopes whose bindings are live at the same time (a screen's and the app's).
LIVE_TOGETHER = {"reader": ("reader", "app"), "library": ("library", "app"),
                 "schema": ("schema", "app"), "help": ("help", "app"), "meta": ("meta", "app")}


def _pairs(keymap: dict[str, str]) -> set[tuple[str, str, str, str]]:
    """(scope, key, binding, binding) for every key two live bindings share."""
    found = set()
    for scope, live in LIVE_TOGETHER.items():
        owner: dict[str, str] = {}
        for spec in REGISTRY:
            if spec.scope not in live:
                continue
            for key in effective_keys(spec, keymap):
                other = owner.setdefault(key, spec.id)
                if other != spec.id:
                    found.add((scope, key, other, spec.id))
    return found


def clashes(keymap: dict[str, str]) -> list[str]:
    """Keys that a user keymap gives to two bindings live on the same screen.

    By design a screen may shadow an app key (``?`` closes the help screen);
    those default pairs are not reported, only the ones the keymap creates.
    Textual's own clash hook ignores bindings that have ids, so without this a
    remap onto a key in use would silently shadow a binding.
    """
    if not keymap:
        return []
    new = _pairs(keymap) - _pairs({})
    return sorted(f"keymap: key {key!r} is bound to both {a} and {b} ({scope} screen): "
                  "only one of them will answer" for scope, key, a, b in new)
