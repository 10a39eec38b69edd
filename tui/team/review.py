"""Adjudication helpers for the app's review screen.

:func:`disagreements` lays two annotators' spans on one article side by side;
:func:`accept` settles a disagreement by copying the chosen span as the
adjudicator's own annotation (origin ``adjudication``, the note naming the
span it came from). Copying rather than flagging keeps both annotators' work
untouched, so agreement figures stay honest, and the adjudicated layer is just
another annotator: export it with ``--annotator ADJUDICATOR``. Accepting the
same span twice returns the same copy (a removed copy is restored), and a span
the adjudicator already has is not copied again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tui.errors import UserError
from tui.store import Store

#: exact: same block, offsets and label; overlap: same label, overlapping;
#: label: overlapping with another label; only_a / only_b: no counterpart.
KINDS = ("exact", "overlap", "label", "only_a", "only_b")


@dataclass(slots=True)
class SpanPair:
    kind: str
    a: dict[str, Any] | None
    b: dict[str, Any] | None

    @property
    def agreed(self) -> bool:
        return self.kind == "exact"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "a": self.a, "b": self.b}


def _overlap(x: dict, y: dict) -> int:
    if x["block_id"] != y["block_id"]:
        return 0
    return max(0, min(x["end"], y["end"]) - max(x["start"], y["start"]))


def disagreements(store: Store, article_id: str, a: str, b: str) -> list[SpanPair]:
    """Every span of ``a`` and ``b`` on the article, paired, in reading order.

    Pairs are made in three rounds (exact, then same label overlapping, then
    other label overlapping), largest overlap first; what is left is unmatched.
    """
    article_id = store.get_article(article_id)["id"]
    seq = {r[0]: r[1] for r in store.db.execute(
        "select id, seq from blocks where article_id = ?", [article_id])}
    sa, sb = store.annotations(article_id, annotator=a), store.annotations(article_id, annotator=b)
    left, right = set(range(len(sa))), set(range(len(sb)))
    pairs: list[SpanPair] = []

    def take(kind: str, ok) -> None:
        cands = sorted((-_overlap(sa[i], sb[j]), i, j) for i in left for j in right if ok(sa[i], sb[j]))
        for _, i, j in cands:
            if i in left and j in right:
                left.discard(i)
                right.discard(j)
                pairs.append(SpanPair(kind, sa[i], sb[j]))

    take("exact", lambda x, y: (x["block_id"], x["start"], x["end"], x["label"])
         == (y["block_id"], y["start"], y["end"], y["label"]))
    take("overlap", lambda x, y: x["label"] == y["label"] and _overlap(x, y) > 0)
    take("label", lambda x, y: _overlap(x, y) > 0)
    pairs += [SpanPair("only_a", sa[i], None) for i in left]
    pairs += [SpanPair("only_b", None, sb[j]) for j in right]

    def where(p: SpanPair) -> tuple:
        s = p.a or p.b
        return (seq.get(s["block_id"], 0), s["start"], s["end"], KINDS.index(p.kind))
    return sorted(pairs, key=where)


def accept(store: Store, annotation_id: str, adjudicator: str) -> dict[str, Any]:
    """Make the chosen span the adjudicator's: a copy with a stable id (idempotent)."""
    source = store.get_annotation(annotation_id)
    if source["deleted_at"] is not None:
        raise UserError(f"annotation {annotation_id} was removed: restore it before accepting it")
    if source["annotator"] == adjudicator:
        return source
    copy_id = "adj-" + hashlib.sha1(f"{annotation_id}|{adjudicator}".encode()).hexdigest()[:24]
    rows = list(store.db.query("select * from annotations where id = ?", [copy_id]))
    if rows:
        # the span may have changed since the copy was made (relabelled, resized):
        # accepting it again takes it as it is now, not the copy as it was
        copy = rows[0]
        changes = {k: source[k] for k in ("label", "start", "end") if copy[k] != source[k]}
        if not changes and copy["deleted_at"] is None:
            return copy
        with store.transaction():
            if changes:
                store.update_annotation(copy_id, adjudicator, **changes)
            if copy["deleted_at"] is not None:
                store.restore_annotation(copy_id, adjudicator)
        return store.get_annotation(copy_id)
    same = store.db.execute(
        "select id from annotations where annotator = ? and block_id = ? and start = ? and end = ? "
        "and label = ? and deleted_at is null",
        [adjudicator, source["block_id"], source["start"], source["end"], source["label"]],
    ).fetchone()
    if same is not None:  # the adjudicator already has this very span
        return store.get_annotation(same[0])
    note = f"accepted from {source['annotator']} ({annotation_id})"
    if source["note"]:
        note += f": {source['note']}"
    return store.add_annotation(block_id=source["block_id"], start=source["start"], end=source["end"],
                                label=source["label"], annotator=adjudicator, note=note,
                                scope=source["scope"] or "span", annotation_id=copy_id,
                                origin="adjudication")


def accept_agreed(store: Store, article_id: str, a: str, b: str, adjudicator: str) -> int:
    """Copy every span ``a`` and ``b`` agree on exactly into the adjudicator's layer.

    Disagreements are settled one by one; agreed spans need no decision, but
    without them ``export --annotator ADJUDICATOR`` is not a complete gold
    layer. Returns how many spans the adjudicator did not have yet
    (idempotent, like ``accept``).
    """
    before = len(store.annotations(article_id, annotator=adjudicator))
    for pair in disagreements(store, article_id, a, b):
        if pair.agreed and pair.a is not None:
            accept(store, pair.a["id"], adjudicator)
    return len(store.annotations(article_id, annotator=adjudicator)) - before
