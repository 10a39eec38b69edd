"""Cross-outlet event linking: which passages report the same event.

The public API (used by the CLI and the app):

* :func:`link_store` computes and stores links and events for a database;
* :func:`links_for_passage`, :func:`linked_passage_ids`, :func:`list_events`,
  :func:`list_links` read them back; :func:`set_link_status` records a
  person's decision (confirmed / rejected / suggested);
* :func:`link_passages` is the pure, in-memory linker behind both the
  database mode and the file mode (:func:`read_docs`).

How candidates are found and scored is explained in ``docs/linking.md``.
"""

from tui.link.core import (
    DEFAULT_THRESHOLD,
    METHOD,
    Event,
    Link,
    LinkResult,
    Params,
    Passage,
    link_passages,
)
from tui.link.db import (
    STATUSES,
    LinkSummary,
    link_id,
    link_store,
    linked_passage_ids,
    links_for_passage,
    list_events,
    list_links,
    resolve_link_id,
    set_link_status,
)
from tui.link.jsonl import read_docs

__all__ = [
    "DEFAULT_THRESHOLD", "METHOD", "STATUSES", "Event", "Link", "LinkResult", "LinkSummary",
    "Params", "Passage", "link_id", "link_passages", "link_store", "linked_passage_ids",
    "links_for_passage", "list_events", "list_links", "read_docs", "resolve_link_id",
    "set_link_status",
]
