"""Typed messages that workers post to the app (harlequin style).

Workers run in threads and never touch widgets; they post these messages
(``post_message`` is thread-safe) and the app updates the screen on its own
thread, so the UI never blocks and never races.
"""

from __future__ import annotations

from textual.message import Message


class WorkProgress(Message):
    """Part of a long job is done: ``done`` of ``total`` steps."""

    def __init__(self, job: str, done: int, total: int, detail: str = "") -> None:
        super().__init__()
        self.job, self.done, self.total, self.detail = job, done, total, detail


class WorkFinished(Message):
    """A long job ended; ``error`` is a one-line message when it failed."""

    def __init__(self, job: str, summary: str, error: str | None = None) -> None:
        super().__init__()
        self.job, self.summary, self.error = job, summary, error
