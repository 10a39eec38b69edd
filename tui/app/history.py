"""Session-wide undo/redo over the store.

Every edit the reader makes is applied to SQLite first (in the store's own
transaction) and then recorded here as a reversible step. Undo never deletes
rows: undoing a new annotation tombstones it, redoing restores the very same
row (same id), so audit trails and merges stay consistent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.errors import UserError
from tui.store import Store


@dataclass(frozen=True, slots=True)
class Step:
    """One reversible change. ``kind``: create | delete | update | override | link | group
    (``before`` holds the steps of one key that wrote several rows)."""

    kind: str
    target: str  # annotation id, block id for overrides, link id for link decisions
    article_id: str
    block_id: str
    before: Any = None
    after: Any = None
    label: str = ""  # for messages

    def describe(self, undone: bool = False) -> str:
        """What the step did, for "undid …" / "redid …" (a link says where it went back to)."""
        if self.kind == "group":
            return self.label
        if self.kind == "link":
            if undone:
                return f"link {self.after} (back to {self.before})"
            return f"link {self.after}"
        if self.kind == "override":
            return {True: "showing a block", False: "hiding a block",
                    None: "a block's return to the cleaner's decision"}[self.after]
        if self.kind == "update":
            return self._describe_update()
        return {"create": f"tag {self.label}", "delete": f"removal of {self.label}"}[self.kind]

    def _describe_update(self) -> str:
        """Which change: a relabel names both labels, a note and a resize say so."""
        before, after = self.before or {}, self.after or {}
        if "label" in after and before.get("label") != after["label"]:
            return f"relabel {before.get('label')} → {after['label']}"
        if set(after) == {"note"}:
            return f"note on {self.label}"
        if {"start", "end"} & set(after):
            return f"resize of {self.label}"
        return f"change of {self.label}"


_SPAN_FIELDS = ("label", "start", "end", "scope")


def steps_between(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]],
                  article_id: str, what: str) -> Step | None:
    """One undo step for what a screen wrote to the annotations (the review's accepts).

    ``before`` and ``after`` are the rows (removed ones included) of the
    annotator's layer around the change, by id. Each difference becomes a
    sub-step in an order that replays forward and backward: a copy brought
    back with new extents is an update, then a restore.
    """
    subs: list[Step] = []
    for aid, row in after.items():
        old = before.get(aid)
        label, block = row["label"], row["block_id"]
        if old is not None and any(old[k] != row[k] for k in _SPAN_FIELDS):
            subs.append(Step("update", aid, article_id, block, label=label,
                             before={k: old[k] for k in _SPAN_FIELDS},
                             after={k: row[k] for k in _SPAN_FIELDS}))
        if old is None or (old["deleted_at"] is not None and row["deleted_at"] is None):
            subs.append(Step("create", aid, article_id, block, label=label))
        elif old["deleted_at"] is None and row["deleted_at"] is not None:
            subs.append(Step("delete", aid, article_id, block, label=label))
    if not subs:
        return None
    return Step("group", "", article_id, "", before=subs, label=what)


class History:
    """Two stacks of steps; a new edit clears the redo stack."""

    def __init__(self, store: Store, annotator: str) -> None:
        self.store = store
        self.annotator = annotator
        self.done: list[Step] = []
        self.undone: list[Step] = []

    def record(self, step: Step) -> None:
        self.done.append(step)
        self.undone.clear()

    def undo(self) -> Step | None:
        if not self.done:
            return None
        step = self.done[-1]
        try:
            self._apply(step, reverse=True)
        except UserError:
            # it can never apply again (a recompute dropped the link): kept on top, it
            # would stop every step below it from being undone
            self.done.pop()
            raise
        self.undone.append(self.done.pop())
        return step

    def redo(self) -> Step | None:
        if not self.undone:
            return None
        step = self.undone[-1]
        try:
            self._apply(step, reverse=False)
        except UserError:
            self.undone.pop()  # as in ``undo``
            raise
        self.done.append(self.undone.pop())
        return step

    def _unchanged_since(self, step: Step, reverse: bool, current: tuple[Any, str | None] | None,
                         shown: Callable[[Any], str], noun: str) -> None:
        """Refuse to undo or redo a shared decision (a block's override, a link's
        status) that someone else changed since: putting ours back would silently
        erase theirs. The step is then dropped (``undo``/``redo``).

        ``current`` is the stored (value, who set it), None when the row is gone
        (the store call then says so).
        """
        if current is None:
            return
        value, by = current
        if value != (step.after if reverse else step.before):
            who = f"{by} set it to" if by else "it is now"
            raise UserError(f"not {'undone' if reverse else 'redone'}: {who} {shown(value)} since "
                            f"({noun} {step.target[:16]})")

    def _apply(self, step: Step, reverse: bool) -> None:
        s, who = self.store, self.annotator
        if step.kind == "group":  # one key, several rows: all of them or none
            with s.transaction():
                for sub in (reversed(step.before) if reverse else step.before):
                    self._apply(sub, reverse)
            return
        if step.kind == "create":
            (s.delete_annotation if reverse else s.restore_annotation)(step.target, who)
        elif step.kind == "delete":
            (s.restore_annotation if reverse else s.delete_annotation)(step.target, who)
        elif step.kind == "update":
            s.update_annotation(step.target, who, **(step.before if reverse else step.after))
        elif step.kind == "override":
            row = s.db.execute("select override, override_by from blocks where id = ?",
                               [step.target]).fetchone()
            self._unchanged_since(step, reverse,
                                  row and (None if row[0] is None else bool(row[0]), row[1]),
                                  lambda v: "automatic" if v is None else ("shown" if v else "hidden"),
                                  "override")
            s.set_override(step.target, step.before if reverse else step.after, who)
        elif step.kind == "link":
            # a decision on a link is an edit like a tag: ``u`` must not skip it
            # and undo an older, unrelated step instead
            from tui.link import set_link_status

            row = s.db.execute("select status, status_by from links where id = ?",
                               [step.target]).fetchone()
            self._unchanged_since(step, reverse, row and (row[0], row[1]), str, "link")
            set_link_status(s, step.target, step.before if reverse else step.after, who)
        else:  # pragma: no cover - a programming error, not a user one
            raise ValueError(step.kind)
