"""Dataset records: one dict per article, exactly the JSONL contract of DESIGN.md.

Every format is derived from these records, so offsets are computed once and
checked once (``text[start:end] == span.text``). Reading is done in a few bulk
queries (articles, blocks, annotations, links), not per article, so exporting
100,000 annotations stays a matter of seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tui.errors import UserError
from tui.export.text import ArticleText, compose
from tui.store import Store

Progress = Callable[[int, int], None]
#: Key of a record's {span id: note} while formats are derived; the JSONL
#: contract has no note, so :func:`public` drops it (the CSV keeps it).
NOTES = "_notes"
#: Key of a record's sentence spans in its text (the stored passages of its
#: visible blocks), present when a writer asks for them (CoNLL).
SENTENCES = "_sentences"
_INTERNAL = (NOTES, SENTENCES)


def public(record: dict[str, Any]) -> dict[str, Any]:
    """The record exactly as the JSONL contract has it (internal keys dropped)."""
    if NOTES not in record and SENTENCES not in record:
        return record
    return {k: v for k, v in record.items() if k not in _INTERNAL}


class IntegrityError(UserError):
    """A stored span that does not match its block's text: the export stops, writing nothing."""


@dataclass(slots=True)
class Selection:
    """Which part of the database to export; empty means everything."""

    annotators: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    #: Which links: "confirmed" (the labeled data), "suggested" (also the
    #: machine's open suggestions) or "all" (also rejected ones, negatives).
    links: str = "confirmed"

    def as_dict(self) -> dict[str, Any]:
        return {"annotators": list(self.annotators), "labels": list(self.labels),
                "articles": list(self.articles), "links": self.links}


#: ``--links`` choices and the link statuses each one exports.
LINK_CHOICES: dict[str, tuple[str, ...]] = {
    "confirmed": ("confirmed",),
    "suggested": ("confirmed", "suggested"),
    "all": ("confirmed", "suggested", "rejected"),
}


@dataclass(slots=True)
class Counts:
    """What an export wrote and what it left out (the manifest's ``counts``).

    ``spans_on_hidden_blocks`` keeps its old meaning and key: spans whose block
    is hidden (shown again with ``parallax override``). ``spans_unplaced``
    counts spans on a *visible* block the text has no place for; none should
    exist, and they were once counted as "hidden", which sent users looking
    for a hidden block that was not there. Manifests written before it have no
    such key (read it as 0).
    """

    articles: int = 0
    spans: int = 0
    links: int = 0
    spans_on_hidden_blocks: int = 0
    links_on_hidden_blocks: int = 0
    spans_unplaced: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"articles": self.articles, "spans": self.spans, "links": self.links,
                "spans_on_hidden_blocks": self.spans_on_hidden_blocks,
                "links_on_hidden_blocks": self.links_on_hidden_blocks,
                "spans_unplaced": self.spans_unplaced}

    def left_out(self, visible: bool) -> None:
        """Count a span the text cannot hold, under why: its block is hidden, or not placed."""
        if visible:
            self.spans_unplaced += 1
        else:
            self.spans_on_hidden_blocks += 1


def resolve_selection(store: Store, annotators: Any = None, labels: Any = None,
                      articles: Any = None, links: str = "confirmed") -> Selection:
    """Validate filters against the database; an unknown name is a one-line UserError."""
    ann = tuple(dict.fromkeys(annotators or ()))
    known = set(store.annotators())
    for name in ann:
        if name not in known:
            shown = ", ".join(sorted(known)[:8]) or "none yet"
            raise UserError(f"no annotations by {name!r} in {store.path}: annotators are {shown}")
    lab = tuple(dict.fromkeys(labels or ()))
    names = [label.name for label in store.labels()]
    for name in lab:
        if name not in names:
            raise UserError(f"unknown label {name!r}: the schema has {', '.join(names)}")
    arts = tuple(dict.fromkeys(store.get_article(a)["id"] for a in (articles or ())))
    if links not in LINK_CHOICES:
        raise UserError(f"unknown --links value {links!r}: use one of {', '.join(LINK_CHOICES)}")
    return Selection(ann, lab, arts, links)


def _in(column: str, values: tuple[str, ...]) -> tuple[str, list[str]]:
    if not values:
        return "", []
    return f" and {column} in ({', '.join('?' * len(values))})", list(values)


def build_records(store: Store, selection: Selection, counts: Counts,
                  progress: Progress | None = None,
                  sentences: bool = False) -> Iterator[dict[str, Any]]:
    """Yield one record per selected article, in import order, counting as it goes.

    ``sentences`` adds each record's passage spans (``SENTENCES``), read
    from the passages table rather than segmented again.
    """
    where, params = _in("id", selection.articles)
    articles = list(store.db.query(
        "select id, title, title_derived, outlet, date, byline, url, path from articles where 1=1"
        f"{where} order by rowid", params))
    texts = _texts(store)
    spans = _spans(store, selection)
    sentence_rows = _passages_by_article(store) if sentences else {}
    links = _links(store, {a["id"] for a in articles}, LINK_CHOICES[selection.links])
    passages = _passage_positions(store, links)
    total = len(articles)
    for index, article in enumerate(articles, 1):
        at = texts[article["id"]]
        out_spans = []
        notes: dict[str, str] = {}
        text = at.text
        offsets = at.block_offsets
        for (sid, block_id, s_start, s_end, quoted, label, annotator, note,
             created_at, updated_at, visible) in spans.get(article["id"], ()):
            base = offsets.get(block_id)
            if base is None:
                counts.left_out(bool(visible))
                continue
            start, end = base + s_start, base + s_end
            if text[start:end] != quoted:
                raise IntegrityError(
                    f"annotation {sid} quotes {quoted!r} but its block reads "
                    f"{text[start:end]!r} (the database was changed outside parallax?): "
                    "nothing was exported; fix or remove that annotation"
                )
            out_spans.append({"id": sid, "start": start, "end": end, "label": label,
                              "text": quoted, "annotator": annotator,
                              **span_times(created_at, updated_at)})
            if note:
                notes[sid] = note
        out_links = []
        for link in links.get(article["id"], ()):
            mine = _passage_range(texts, article["id"], passages.get(link["mine"]))
            theirs = _passage_range(texts, link["target_article"], passages.get(link["theirs"]))
            if mine is None or theirs is None:
                counts.links_on_hidden_blocks += 1
                continue
            out_links.append({"start": mine[0], "end": mine[1],
                              "target_article": link["target_article"],
                              "target_start": theirs[0], "target_end": theirs[1],
                              "score": link["score"], "status": link["status"]})
        counts.articles += 1
        counts.spans += len(out_spans)
        counts.links += len(out_links)
        if progress:
            progress(index, total)
        record = {
            "id": article["id"],
            "text": at.text,
            "meta": {"title": article["title"], "title_derived": bool(article["title_derived"]),
                     **{k: article[k] for k in ("outlet", "date", "byline", "url", "path")}},
            "spans": out_spans,
            "links": out_links,
        }
        if notes:
            record[NOTES] = notes
        if sentences:
            record[SENTENCES] = sorted(
                (at.block_offsets[block_id] + start, at.block_offsets[block_id] + end)
                for block_id, start, end in sentence_rows.get(article["id"], ())
                if block_id in at.block_offsets)
        yield record


def span_times(created_at: str | None, updated_at: str | None) -> dict[str, str]:
    """A span's ``created_at`` / ``updated_at`` for its record, each only when stored.

    A row written by raw SQL may lack one; leaving the key out (rather than
    writing null) keeps the record valid and makes the importer stamp it.
    """
    return {k: v for k, v in (("created_at", created_at), ("updated_at", updated_at))
            if isinstance(v, str) and v}


def _passages_by_article(store: Store) -> dict[str, list[tuple[str, int, int]]]:
    """(block_id, start, end) of every passage, by article, in one query."""
    out: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for article_id, block_id, start, end in store.db.execute(
        "select article_id, block_id, start, end from passages"
    ):
        out[article_id].append((block_id, start, end))
    return out


def _texts(store: Store) -> dict[str, ArticleText]:
    """Clean texts of many articles from one pass over the blocks table."""
    titles = {r[0]: (r[1], bool(r[2])) for r in store.db.execute(
        "select id, title, title_derived from articles")}
    blocks: dict[str, list[dict]] = defaultdict(list)
    for r in store.db.execute(
        "select article_id, id, text, kind, coalesce(override, keep) from blocks "
        "order by article_id, seq"
    ):
        blocks[r[0]].append({"id": r[1], "text": r[2], "kind": r[3], "visible": bool(r[4])})
    return _LazyTexts(titles, blocks)


class _LazyTexts(dict):
    """Compose an article's text the first time it is needed (link targets included)."""

    def __init__(self, titles: dict[str, tuple[str | None, bool]], blocks: dict[str, list[dict]]) -> None:
        super().__init__()
        self._titles = titles
        self._blocks = blocks

    def __missing__(self, article_id: str) -> ArticleText:
        title, derived = self._titles.get(article_id, (None, False))
        at = compose(article_id, title, self._blocks.get(article_id, []), title_derived=derived)
        self[article_id] = at
        return at


def _spans(store: Store, selection: Selection) -> dict[str, list[tuple]]:
    """article -> (id, block_id, start, end, text, label, annotator, note, created_at,
    updated_at, block visible) in reading order.

    The times travel with the span so that ``import-annotations`` can keep
    them: a copy stamped at its import would look newer than later edits of
    the original and beat them on merge. Visibility tells a span on a hidden
    block from one the text cannot place (:class:`Counts`).
    """
    w1, p1 = _in("a.annotator", selection.annotators)
    w2, p2 = _in("a.label", selection.labels)
    w3, p3 = _in("a.article_id", selection.articles)
    sql = (
        "select a.article_id, a.id, a.block_id, a.start, a.end, a.text, a.label, a.annotator, "
        "a.note, a.created_at, a.updated_at, coalesce(b.override, b.keep) "
        "from annotations a join blocks b on b.id = a.block_id "
        f"where a.deleted_at is null{w1}{w2}{w3} "
        "order by a.article_id, b.seq, a.start, a.end, a.label, a.annotator, a.id"
    )
    out: dict[str, list[tuple]] = defaultdict(list)
    for row in store.db.execute(sql, p1 + p2 + p3):
        out[row[0]].append(row[1:])
    return out


def _links(store: Store, article_ids: set[str], statuses: tuple[str, ...]) -> dict[str, list[dict]]:
    """Links with one of ``statuses``, seen from each end: the article's passage, the other's."""
    out: dict[str, list[dict]] = defaultdict(list)
    rows = store.db.query(
        "select a, b, a_article, b_article, score, status from links "
        f"where status in ({', '.join('?' * len(statuses))}) order by a, b",
        list(statuses),
    )
    for link in rows:
        for mine, theirs, art, target in ((link["a"], link["b"], link["a_article"], link["b_article"]),
                                          (link["b"], link["a"], link["b_article"], link["a_article"])):
            if art in article_ids:
                out[art].append({"mine": mine, "theirs": theirs, "target_article": target,
                                 "score": link["score"], "status": link["status"]})
    return out


def _passage_positions(store: Store, links: dict[str, list[dict]]) -> dict[str, tuple[str, int, int]]:
    """(block_id, start, end) of every passage a selected link touches, in chunked queries."""
    ids = sorted({p for ls in links.values() for link in ls for p in (link["mine"], link["theirs"])})
    out: dict[str, tuple[str, int, int]] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for pid, block_id, start, end in store.db.execute(
            f"select id, block_id, start, end from passages where id in ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            out[pid] = (block_id, start, end)
    return out


def _passage_range(texts: dict[str, ArticleText], article_id: str,
                   where: tuple[str, int, int] | None) -> tuple[int, int] | None:
    if where is None:
        return None
    base = texts[article_id].block_offsets.get(where[0])
    if base is None:
        return None
    return base + where[1], base + where[2]
