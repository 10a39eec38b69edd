"""The Review screen (`R`): adjudicate two annotators' spans on one article.

Annotator A's spans are on the left, B's on the right, over the same clean
text, each span coloured with its label's colour. Where the two disagree (a
span only one of them made, or the same stretch with another label or other
boundaries) the span is underlined; the disagreement under review is shown in
reverse and described at the bottom. `a` / `b` accept A's or B's version (the
team core records it as the adjudicator's annotation), `n` / `p` move between
disagreements. Which spans disagree, and what accepting writes, is decided by
:mod:`tui.team.review`, the same code the CLI uses; this screen only shows it.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.app import keys
from tui.app.history import steps_between
from tui.app.screens_search import styled
from tui.errors import UserError
from tui.store import Store, default_annotator
from tui.textsafe import safe

KIND_TEXT = {
    "overlap": "same label, different boundaries",
    "label": "different labels",
    "only_a": "only A marked this",
    "only_b": "only B marked this",
}
CURRENT_STYLE = "reverse bold"
DISAGREE_STYLE = "underline"


def _pairs(names: list[str]) -> list[tuple[str, str]]:
    return list(combinations(names, 2))


class ReviewScreen(Screen[None]):
    """Side-by-side adjudication of two annotators on one article."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("review")  # declared in tui/app/keys.py

    DEFAULT_CSS = """
    ReviewScreen #review-box { height: 1fr; padding: 0 1; }
    ReviewScreen #review-title { text-style: bold; height: 1; }
    ReviewScreen #review-status { height: auto; color: $text-muted; }
    ReviewScreen #review-panes { height: 1fr; }
    ReviewScreen .review-pane { width: 1fr; border: round $panel; padding: 0 1; }
    ReviewScreen .review-block { margin-bottom: 1; }
    ReviewScreen #review-detail { height: auto; min-height: 3; border: round $accent; padding: 0 1; }
    """

    def __init__(self, store: Store, article_id: str) -> None:
        super().__init__()
        self.store = store
        self.article_id = article_id
        self.article: dict[str, Any] = {}
        self.annotators: list[str] = []
        self.pair: tuple[str, str] | None = None
        self.items: list[Any] = []
        self.index = 0
        self.message: str | None = None
        self.blocks: list[dict[str, Any]] = []
        self.shown: list[dict[str, Any]] = []
        self.agreed = 0
        #: index of a disagreement -> "a" or "b", the side the adjudicator took
        self.settled: dict[int, str] = {}

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Vertical(id="review-box"):
            yield Static(id="review-title")
            yield Static(id="review-status")
            with Horizontal(id="review-panes"):
                yield VerticalScroll(id="review-a", classes="review-pane")
                yield VerticalScroll(id="review-b", classes="review-pane")
            yield Static(id="review-detail")
        yield Footer()

    @property
    def adjudicator(self) -> str:
        return getattr(self.app, "annotator", None) or default_annotator()

    async def on_mount(self) -> None:
        try:
            self.article = self.store.get_article(self.article_id)
        except UserError as exc:
            self._fail(exc.message)
            return
        self.article_id = self.article["id"]
        self.query_one("#review-title", Static).update(
            Text("Review: " + (safe(self.article.get("title")) or self.article_id)))
        on_article = {a["annotator"] for a in self.store.annotations(self.article_id)}
        self.annotators = [name for name in self.store.annotators() if name in on_article]
        if len(self.annotators) < 2:
            found = ", ".join(safe(n) for n in self.annotators) or "nobody"
            self._fail(
                f"Review needs two annotators on this article; annotated by {found}. "
                "Bring in a colleague's work with `parallax merge THEIR.db`, then press R again."
            )
            return
        # The adjudicator's own (accepted) layer is not one of the two by default.
        others = [name for name in self.annotators if name != self.adjudicator]
        first = others if len(others) >= 2 else self.annotators
        self.pair = (first[0], first[1])
        # The blocks never change while reviewing: mount them once, restyle on every move.
        self.blocks = self.store.blocks(self.article_id)
        used = {s["block_id"] for s in self.store.annotations(self.article_id)}
        self.shown = [blk for blk in self.blocks if blk["visible"] or blk["id"] in used]
        for pane in ("review-a", "review-b"):
            await self.query_one(f"#{pane}", VerticalScroll).mount_all(
                Static(classes="review-block", id=f"{pane}-{blk['seq']}") for blk in self.shown
            )
        self.refresh_review()

    def _fail(self, message: str) -> None:
        self.message = message
        self.query_one("#review-status", Static).update(Text(message))
        self.query_one("#review-panes").display = False
        self.query_one("#review-detail").display = False

    # ------------------------------------------------------------------ data
    def refresh_review(self, keep: int | None = None) -> None:
        """Recompute disagreements for the pair and redraw both panes."""
        from tui.team.review import disagreements

        assert self.pair is not None
        a, b = self.pair
        pairs = disagreements(self.store, self.article_id, a, b)
        # When the adjudicator is one of the two, accepting the other's span makes
        # the pair agree: it is still a disagreement, settled, not an agreement.
        self.items = [p for p in pairs if not p.agreed or self._adjudicated(p)]
        self.agreed = len(pairs) - len(self.items)
        self.settled = self._settled()
        if keep is not None:
            self.index = min(keep, max(0, len(self.items) - 1))
        else:
            self.index = min(self.index, max(0, len(self.items) - 1))
        self._draw()

    def _adjudicated(self, pair: Any) -> bool:
        """An agreeing pair whose adjudicator side is a copy the adjudicator accepted."""
        sides = [_side(pair, "a"), _side(pair, "b")]
        mine = [s for s in sides if s is not None and s["annotator"] == self.adjudicator]
        return len(mine) == 1 and mine[0].get("origin") == "adjudication"

    def _settled(self) -> dict[int, str]:
        """Which disagreements the adjudicator has already decided, and how."""
        mine = {_where(x) for x in self.store.annotations(self.article_id,
                                                          annotator=self.adjudicator)}
        out = {}
        for i, item in enumerate(self.items):
            for side in ("a", "b"):
                span = _side(item, side)
                if span is not None and span["annotator"] != self.adjudicator \
                        and _where(span) in mine:
                    out[i] = side
        return out

    def current(self) -> Any | None:
        return self.items[self.index] if self.items else None

    # --------------------------------------------------------------- drawing
    def _draw(self) -> None:
        assert self.pair is not None
        a, b = self.pair
        n = len(self.items)
        spans_a = self.store.annotations(self.article_id, annotator=a)
        spans_b = self.store.annotations(self.article_id, annotator=b)
        status = Text()
        status.append(f"A: {safe(a)}", style="bold")
        status.append(f" ({_count(len(spans_a), 'span')})   ")
        status.append(f"B: {safe(b)}", style="bold")
        status.append(f" ({_count(len(spans_b), 'span')})   ")
        status.append(f" {n} disagreement{'s' if n != 1 else ''}",
                      style="bold yellow" if n > len(self.settled) else "bold green")
        status.append(f" ({len(self.settled)} settled), {self.agreed} agreed ")
        status.append(f"   adjudicator: {safe(self.adjudicator)}")
        if self.adjudicator in self.pair:
            status.append("\nyou are one of the two: accepting the other's span copies it as "
                          "yours; your own span stays until you remove it in the reader",
                          style="yellow")
        self.query_one("#review-status", Static).update(status)
        colors = {label.name: label.color for label in self.store.labels()}
        disputed_a = {x["id"] for x in (_side(i, "a") for i in self.items) if x}
        disputed_b = {x["id"] for x in (_side(i, "b") for i in self.items) if x}
        cur = self.current()
        current_ids = {x["id"] for x in (_side(cur, "a"), _side(cur, "b")) if x} if cur else set()
        for pane, name, spans, disputed in (("review-a", a, spans_a, disputed_a),
                                            ("review-b", b, spans_b, disputed_b)):
            by_block: dict[str, list[dict[str, Any]]] = {}
            for span in spans:
                by_block.setdefault(span["block_id"], []).append(span)
            self.query_one(f"#{pane}", VerticalScroll).border_title = (
                f"{pane[-1].upper()}: {safe(name)}")
            for blk in self.shown:
                self.query_one(f"#{pane}-{blk['seq']}", Static).update(
                    _block_text(blk, by_block.get(blk["id"], []), colors, disputed, current_ids))
        self._describe(cur)
        if cur is not None:
            block_id = _block_of(cur)
            seq = next((blk["seq"] for blk in self.shown if blk["id"] == block_id), None)
            if seq is not None:
                self.call_after_refresh(self._scroll_to, seq)

    def _scroll_to(self, seq: int) -> None:
        for pane in ("review-a", "review-b"):
            widgets = self.query(f"#{pane}-{seq}")
            if widgets:
                self.query_one(f"#{pane}", VerticalScroll).scroll_to_widget(
                    widgets.first(), animate=False, top=False)

    def _describe(self, item: Any | None) -> None:
        detail = self.query_one("#review-detail", Static)
        if item is None:
            detail.update(Text("No disagreements between these two annotators on this article.",
                               style="green"))
            return
        text = Text()
        text.append(f"{self.index + 1}/{len(self.items)}  ", style="bold")
        text.append(KIND_TEXT.get(item.kind, item.kind), style="yellow")
        taken = self.settled.get(self.index)
        if taken:
            text.append(f"   ✓ {self.adjudicator} accepted {taken.upper()}", style="bold green")
        for side in ("a", "b"):
            span = _side(item, side)
            text.append(f"\n{side.upper()}: ", style="bold")
            if span is None:
                text.append("no span", style="dim")
            else:
                text.append(f"{safe(span['label'])} ", style="bold")
                text.append(f"“{' '.join(safe(span['text']).split())}”")
        text.append("\na/b accepts that version · n/p moves · c other annotators · esc closes",
                    style="dim")
        detail.update(text)

    # --------------------------------------------------------------- actions
    def action_next(self) -> None:
        if self.items:
            self.index = (self.index + 1) % len(self.items)
            self._draw()

    def action_previous(self) -> None:
        if self.items:
            self.index = (self.index - 1) % len(self.items)
            self._draw()

    def action_accept(self, side: str) -> None:
        from tui.team.review import accept

        item = self.current()
        if item is None or self.pair is None:
            return
        span = _side(item, side)
        name = self.pair[0 if side == "a" else 1]
        if span is None:
            self.notify(f"{safe(name)} has no span here; accept the other side or move on (n)",
                        severity="warning")
            return
        other = _side(item, "b" if side == "a" else "a")
        before = self._my_layer()
        try:
            accept(self.store, span["id"], self.adjudicator)
            if other is not None and self.settled.get(self.index) not in (None, side):
                self._withdraw(other)  # changed their mind: one decision per disagreement
        except UserError as exc:
            self.notify(exc.message, severity="error")
            return
        self._record(before, f"accept of {name}'s {span['label']}")
        if name == self.adjudicator:
            self.notify(f"{safe(span['label'])} is already yours: it stays in your layer", markup=False)
        else:
            self.notify(f"accepted {safe(name)}'s {safe(span['label'])}", markup=False)
        self.refresh_review(keep=self.index)
        todo = [i for i in range(len(self.items)) if i not in self.settled]
        if todo:  # on to the next open disagreement, in reading order
            self.index = next((i for i in todo if i > self.index), todo[0])
            self._draw()

    def action_accept_agreed(self) -> None:
        """Copy the spans both annotators agree on into my layer, so that it is a
        complete adjudicated layer for export, not only the settled disagreements."""
        from tui.team.review import accept_agreed

        if self.pair is None:
            return
        before = self._my_layer()
        try:
            added = accept_agreed(self.store, self.article_id, *self.pair, self.adjudicator)
        except UserError as exc:
            self.notify(exc.message, severity="error")
            return
        self._record(before, f"accept of {added} agreed spans")
        self.notify(f"{added} agreed span{'s' if added != 1 else ''} added to {safe(self.adjudicator)}'s "
                    "layer" if added else "every agreed span is already in your layer",
                    markup=False)
        self.refresh_review(keep=self.index)

    def _my_layer(self) -> dict[str, dict[str, Any]]:
        """The adjudicator's rows on this article, removed ones included, by id."""
        return {r["id"]: r for r in self.store.db.query(
            "select * from annotations where article_id = ? and annotator = ?",
            [self.article_id, self.adjudicator])}

    def _record(self, before: dict[str, dict[str, Any]], what: str) -> None:
        """Put what an accept wrote in the app's undo history: ``u`` takes it back
        (it used to undo an older, unrelated change instead)."""
        history = getattr(self.app, "history", None)
        if history is None or history.annotator != self.adjudicator:
            return
        step = steps_between(before, self._my_layer(), self.article_id, what)
        if step is not None:
            history.record(step)

    def _withdraw(self, span: dict[str, Any]) -> None:
        """Tombstone the adjudicator's earlier copy of ``span`` (undo-able, audited)."""
        for mine in self.store.annotations(self.article_id, annotator=self.adjudicator):
            if _where(mine) == _where(span) and mine["origin"] == "adjudication":
                self.store.delete_annotation(mine["id"], self.adjudicator)

    def action_cycle_pair(self) -> None:
        pairs = _pairs(self.annotators)
        if len(pairs) < 2 or self.pair is None:
            self.notify("only two annotators worked on this article")
            return
        current = tuple(sorted(self.pair, key=self.annotators.index))
        self.pair = pairs[(pairs.index(current) + 1) % len(pairs)]  # type: ignore[arg-type]
        self.index = 0
        self.refresh_review()

    def action_swap(self) -> None:
        if self.pair is not None:
            self.pair = (self.pair[1], self.pair[0])
            self.refresh_review()

    def action_close(self) -> None:
        self.dismiss(None)


# ------------------------------------------------------------------ helpers
def _side(item: Any, side: str) -> dict[str, Any] | None:
    """A's or B's annotation in a disagreement (None when that side made no span)."""
    return None if item is None else getattr(item, side)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _where(span: dict[str, Any]) -> tuple[str, int, int, str]:
    return (span["block_id"], span["start"], span["end"], span["label"])


def _block_of(item: Any) -> str | None:
    span = _side(item, "a") or _side(item, "b")
    return span["block_id"] if span else None


def _block_text(block: dict[str, Any], spans: list[dict[str, Any]], colors: dict[str, str],
                disputed: set[str], current: set[str]) -> Text:
    """A block's text with one annotator's spans coloured; never parsed as markup."""
    styles = []
    for span in spans:
        style = f"black on {colors.get(span['label'], '#888888')}"
        if span["id"] in disputed:
            style += f" {DISAGREE_STYLE}"
        if span["id"] in current:
            style += f" {CURRENT_STYLE}"
        styles.append((span["start"], span["end"], style))
    return styled(block["text"], styles, base="" if block["visible"] else "dim")
