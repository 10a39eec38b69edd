"""Where to go in the reader: the value Search and Events screens dismiss with.

A plain frozen dataclass so screens written by different people agree on one
shape without importing each other: the reader opens ``article_id`` in the
other pane and scrolls to ``passage_id`` (or ``block_id``) when given.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """An article to open, optionally at a passage (sentence) or block."""

    article_id: str
    passage_id: str | None = None
    block_id: str | None = None
