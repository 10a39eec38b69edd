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
    "reader.label_1" = "f5"

It is read from ``$PARALLAX_KEYMAP`` if set, else
``$XDG_CONFIG_HOME/parallax/keys.toml`` (``~/.config/parallax/keys.toml``).
Key names are checked (:func:`normalize_key`) and an entry that claims a key
another live binding or the label schema holds is refused, the binding keeping
its defaults (:func:`resolve_keymap`): what a key does never depends on the
order Textual happens to look bindings up in, and the legend, footer and help
show the keys in force.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding
from textual.keys import (
    KEY_NAME_REPLACEMENTS,
    KEY_TO_UNICODE_NAME,
    REPLACED_KEYS,
    Keys,
    format_key,
)


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
    KeySpec("export.next_field", "tab", "app.focus_next", "Next field", "Export", "export",
            palette=False, priority=True),
    KeySpec("export.previous_field", "shift+tab", "app.focus_previous", "Previous field",
            "Export", "export", palette=False, priority=True),
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
    # Priority, so the focus moves as the key arrives: keys typed right after it
    # (a paste, a fast typist) go to the next field, not into the one being left.
    KeySpec("meta.next_field", "tab", "app.focus_next", "Next field", "Metadata", "meta",
            palette=False, priority=True),
    KeySpec("meta.previous_field", "shift+tab", "app.focus_previous", "Previous field",
            "Metadata", "meta", palette=False, priority=True),
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


#: Modifiers as Textual names them in key events, in its order (sorted): a
#: binding written "shift+ctrl+up" would never match the event "ctrl+shift+up".
MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")
#: Named keys of Textual that are not printable characters.
NAMED_KEYS = frozenset(k.value for k in Keys if k.value.isidentifier())
#: Keys Textual itself binds with priority: they answer before any of ours, so a
#: remap onto them would never run (unless it is the same action).
TEXTUAL_PRIORITY = {"ctrl+q": ("quit", "Textual's own quit, which always answers first")}


def _char_key(char: str) -> str:
    """Textual's key name of one printable character ("?" -> "question_mark")."""
    if char.isalnum():
        return char
    if char == " ":
        return "space"
    name = unicodedata.name(char, char).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name)


def normalize_key(key: str) -> str | None:
    """The Textual key name ``key`` stands for, or None when it names no key.

    A misspelt key in a keymap is otherwise accepted by Textual and silently
    never fires, so the binding it replaced is simply gone. Accepted: one
    printable character ("?", "L", "1"), a character's name ("question_mark",
    "slash", "plus"), Textual's named keys ("f1"-"f24", "escape", "pagedown",
    ...), each optionally after modifiers ("ctrl+", "shift+", "alt+", ...),
    which are put in Textual's order.
    """
    key = key.strip()
    if len(key) == 1:
        return _char_key(key) if key.isprintable() else None
    *mods, base = key.split("+")
    mods = [m.lower() for m in mods]
    if not base or any(m not in MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        return None
    if len(base) == 1:
        if not base.isprintable():
            return None
        name = _char_key(base)
    elif base.lower() in NAMED_KEYS:
        name = base.lower()
    else:
        low = base.lower()
        original = REPLACED_KEYS.get(low, low)  # "slash" -> "solidus"
        unicode_name = KEY_TO_UNICODE_NAME.get(original, original.replace("_", " ").upper())
        try:
            char = unicodedata.lookup(unicode_name)
        except KeyError:
            return None
        if len(char) != 1 or not char.isprintable() or _char_key(char) != low:
            return None  # e.g. "latin_small_letter_a": Textual reports that key as "a"
        name = low
    return "+".join([*sorted(mods), name])


def key_text(key: str) -> str:
    """A key as a person types it, for messages ("question_mark" -> "?")."""
    *mods, base = key.split("+") if len(key) > 1 else [key]
    return "+".join([*mods, format_key(base)])


def keys_text(keys: list[str] | str) -> str:
    """Several keys for a message: "j, ↓"."""
    items = keys.split(",") if isinstance(keys, str) else keys
    return ", ".join(key_text(k.strip()) for k in items if k.strip())


def load_keymap(path: Path | None) -> tuple[dict[str, str], list[str]]:
    """Read a user keymap; returns (id -> keys, problems). Never raises.

    A broken keymap must not stop anyone from reading: problems are reported
    by the app as a notification and the defaults stay in force. Keys come
    back as Textual names ("?" -> "question_mark"); an entry with a key that
    names no key is left out whole (the binding keeps its default keys), since
    Textual would accept it and the binding would silently answer to nothing.
    Clashes are not checked here: see :func:`resolve_keymap`.
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
            continue
        if isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys):
            wanted = [k.strip() for k in keys]
        elif isinstance(keys, str) and keys.strip():
            wanted = [k.strip() for k in keys.split(",")]
        else:
            problems.append(f"keymap {path}: {binding_id} must be a key string like \"j,down\"")
            continue
        names = [normalize_key(k) for k in wanted]
        bad = [k for k, name in zip(wanted, names, strict=True) if name is None]
        if bad:
            problems.append(
                f"keymap {path}: {binding_id} = {keys!r} refused, "
                f"{', '.join(repr(k) for k in bad)} is not a key name (write e.g. \"x\", \"?\", "
                f"\"question_mark\", \"f5\", \"ctrl+n\", \"shift+tab\"); {binding_id} keeps "
                f"{keys_text(BY_ID[binding_id].keys)}")
            continue
        keymap[binding_id] = ",".join(dict.fromkeys(n for n in names if n))
    return keymap, problems


def effective_keys(spec: KeySpec, keymap: dict[str, str]) -> list[str]:
    """The keys a binding answers to once the user keymap is applied."""
    return [k.strip() for k in keymap.get(spec.id, spec.keys).split(",") if k.strip()]


#: Scopes whose bindings are live at the same time: a screen's, its widgets' and
#: the app's. On a modal screen (help, schema, metadata form, export dialog)
#: Textual checks only the modal's own bindings, so the app's keys are not live.
LIVE_TOGETHER: dict[str, tuple[str, ...]] = {
    "reader": ("reader", "app"), "library": ("library", "app"), "search": ("search", "app"),
    "search_list": ("search_list", "search", "app"), "events": ("events", "app"),
    "review": ("review", "app"), "schema": ("schema",), "help": ("help",), "meta": ("meta",),
    "export": ("export",),
}
#: Where schema letter keys tag (``ReaderScreen.on_key``, before any binding but
#: the priority ones).
SCHEMA_LETTER_SCOPES = ("reader", "app")
SCREEN_NAMES = {"reader": "reader", "library": "library", "search": "search screen",
                "search_list": "search hit list", "events": "events screen",
                "review": "review screen", "schema": "schema screen", "help": "help screen",
                "meta": "metadata form", "export": "export dialog"}


def _defaults(spec: KeySpec) -> frozenset[str]:
    """A binding's default keys in Textual's spelling (what a remap is compared to)."""
    return frozenset(normalize_key(k) or k for k in spec.keys.split(","))


def _first_refusal(entries: dict[str, str],
                   letters: dict[str, str]) -> tuple[str, str] | None:
    """The first keymap entry that must be refused, and why; None when all can stand.

    The rule, so that what a key does never depends on Textual's lookup order:
    a key held by default (or by the label schema, or by Textual with
    priority) stays with its holder and the entry that also claims it is
    refused; between two entries claiming the same new key, the first in the
    file keeps it.
    """
    order = list(entries)
    for binding_id in order:
        spec = BY_ID[binding_id]
        mine = [k.strip() for k in entries[binding_id].split(",")]
        own = _defaults(spec)
        for key in mine:
            if key in letters and spec.scope in SCHEMA_LETTER_SCOPES and key not in own:
                return binding_id, (f"{key_text(key)} stays with the label schema "
                                    f"(it tags {letters[key]} in the reader)")
            held = TEXTUAL_PRIORITY.get(key)
            if held and held[0] != spec.action and key not in own:
                return binding_id, f"{key_text(key)} stays {held[1]}"
        for scope, live in LIVE_TOGETHER.items():
            if spec.scope not in live:
                continue
            for other in REGISTRY:
                if other.id == binding_id or other.scope not in live:
                    continue
                theirs = effective_keys(other, entries)
                for key in mine:
                    if key not in theirs:
                        continue
                    mine_default = key in own
                    theirs_default = key in _defaults(other)
                    if mine_default and theirs_default:
                        continue  # a shadow by design (e.g. ? closes the help screen)
                    why = (f"{key_text(key)} stays with {other.id} ({other.description}) "
                           f"on the {SCREEN_NAMES[scope]}")
                    if theirs_default:
                        return binding_id, why
                    if mine_default or order.index(other.id) > order.index(binding_id):
                        return other.id, (f"{key_text(key)} stays with {binding_id} "
                                          f"({spec.description}) on the {SCREEN_NAMES[scope]}")
                    return binding_id, why
    return None


def resolve_keymap(requested: dict[str, str],
                   letters: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """The keymap to put in force, and one message per entry refused.

    ``letters`` maps the label schema's letter keys to their labels. Two live
    bindings on one key made Textual pick one by its own lookup order (the
    screen's before the app's, the last applied within one), so ``?`` could
    open the schema while the legend said "? keys": instead an entry that
    claims a key already in use is refused whole, the binding keeps its
    default keys, and the message says which binding has the key. Refusing
    one entry can give a binding its defaults back, which may refuse another
    entry, hence the loop (it ends: each turn removes an entry).
    """
    entries = dict(requested)
    letters = letters or {}
    refused: list[tuple[str, str, str]] = []
    while (found := _first_refusal(entries, letters)) is not None:
        binding_id, why = found
        refused.append((binding_id, entries.pop(binding_id), why))
    problems = [
        f"keymap: {binding_id} = \"{keys_text(keys)}\" refused, {why}; {binding_id} keeps "
        f"{keys_text(effective_keys(BY_ID[binding_id], entries))}"
        for binding_id, keys, why in refused
    ]
    return entries, problems


def clashes(keymap: dict[str, str]) -> list[str]:
    """Keymap entries that claim a key another live binding holds (see resolve_keymap).

    By design a screen may shadow an app key (``s`` swaps sides on the review
    screen); those default pairs are not reported, only the ones the keymap
    creates. Textual's own clash hook ignores bindings that have ids, so
    without this a remap onto a key in use would silently shadow a binding.
    """
    return resolve_keymap({i: ",".join(normalize_key(k) or k for k in v.split(","))
                           for i, v in keymap.items()})[1]
