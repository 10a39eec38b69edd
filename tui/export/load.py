"""`parallax import-annotations`: load spans from a JSONL export back into a database.

The export carries offsets into the *clean* text, while the store anchors
spans to blocks, so each span is mapped back to ``(block_id, start, end)``:

1. The record's article is found by id, else by identical clean text among
   the stored articles (ids are content hashes of the *source*, which the
   export does not carry).
2. If the stored article's clean text equals the record's, its block offsets
   are used directly. Otherwise (blocks shown or hidden differently in the two
   databases) the record's text is aligned with the stored blocks in order, so
   spans on blocks visible in both still land where they belong.
3. A span must fit: fields of the right type (a string id, label, text and
   annotator, integer offsets; JSON's ``true`` is not an offset), offsets
   inside the text, ``text[start:end] == span.text``, inside one block, a
   label of the schema in force. Anything else is reported with its line and
   skipped; the rest of the line (and of the file) is still imported: a file
   from another tool should cost the user the spans it got wrong, not the run.

Span ids are kept, so importing the same file twice adds nothing; a span
without an id gets a deterministic one derived from its content for the same
reason. Each article is written in its own transaction.

The file is read as UTF-8 with or without a byte-order mark (Windows tools
write one; ``parallax import`` accepts it too).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.errors import UserError
from tui.export.text import SEPARATOR, ArticleText, article_text, derived_alias
from tui.store import Store, now


@dataclass(slots=True)
class LoadReport:
    path: str
    imported: int = 0
    unchanged: int = 0
    articles: int = 0
    problems: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    problem_reasons: list[str] = field(default_factory=list)  # the reason of each problem, in order

    @property
    def skipped(self) -> int:
        return sum(self.reasons.values())

    def skip(self, where: str, reason: str, detail: str = "") -> None:
        self.reasons[reason] += 1
        self.problems.append(f"{where}: {reason}{': ' + detail if detail else ''}")
        self.problem_reasons.append(reason)

    def summary(self) -> str:
        why = ", ".join(f"{n} {reason}" for reason, n in self.reasons.most_common())
        return (f"{self.imported} spans imported, {self.unchanged} unchanged, {self.skipped} skipped"
                + (f" ({why})" if why else "") + f" from {self.articles} articles in {self.path}")

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "articles": self.articles, "imported": self.imported,
                "unchanged": self.unchanged, "skipped": self.skipped,
                "reasons": dict(self.reasons), "problems": self.problems}


def span_key(article_id: str, block_id: str, start: int, end: int, label: str, annotator: str) -> str:
    """A stable id for a span that came without one (so re-imports stay idempotent)."""
    raw = "|".join([article_id, block_id, str(start), str(end), label, annotator])
    return "imp-" + hashlib.sha1(raw.encode()).hexdigest()[:24]


def align(store: Store, article_id: str, text: str) -> ArticleText:
    """Where the stored blocks sit in a clean text that was composed elsewhere.

    Walks the text (after the title, when it starts with one) and claims each
    stored block (visible here or not) whose text appears next, followed by a
    blank line or the end. Both readings, with the title as a header and
    without, are tried and the one placing more blocks wins (ties go to the
    header, as the contract writes it): a text composed elsewhere may have
    left a derived title out.
    """
    ours = article_text(store, article_id)
    if ours.text == text:
        return ours
    article = store.get_article(article_id)
    blocks = store.blocks(article_id)
    title = (article["title"] or "").strip()
    headed = None
    if title and text.startswith(title) and text[len(title):len(title) + 2] in (SEPARATOR, ""):
        headed = _walk(blocks, text, title)
    bare = _walk(blocks, text, "")
    best = max((r for r in (headed, bare) if r is not None), key=lambda r: len(r[0]))
    offsets, lengths = best
    alias = derived_alias(title, bool(article["title_derived"]), blocks, offsets) \
        if best is headed else None
    return ArticleText(article_id, text, offsets, lengths, alias)


def _walk(blocks: list[dict[str, Any]], text: str,
          header: str) -> tuple[dict[str, int], dict[str, int]]:
    """Offsets and lengths of the blocks found in order in ``text`` after ``header``."""
    offsets: dict[str, int] = {}
    lengths: dict[str, int] = {}
    pos = 0
    if header:
        for b in blocks:
            if b["kind"] == "title" and b["text"] == header:
                offsets[b["id"]], lengths[b["id"]] = 0, len(header)
                break
        pos = len(header) + len(SEPARATOR)
    for b in blocks:
        if b["id"] in offsets:
            continue
        t = b["text"]
        if t and text.startswith(t, pos) and text[pos + len(t):pos + len(t) + 2] in (SEPARATOR, ""):
            offsets[b["id"]], lengths[b["id"]] = pos, len(t)
            pos += len(t) + len(SEPARATOR)
    return offsets, lengths


class _Matcher:
    """Find the stored article of a record: by id, else by identical clean text."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._by_text: dict[str, str] | None = None

    def find(self, record: dict[str, Any]) -> str | None:
        rid = record.get("id")
        if isinstance(rid, str) and rid:
            row = self.store.db.execute("select id from articles where id = ?", [rid]).fetchone()
            if row:
                return row[0]
        if self._by_text is None:
            ids = [r[0] for r in self.store.db.execute("select id from articles order by rowid")]
            self._by_text = {}
            for aid in ids:
                self._by_text.setdefault(article_text(self.store, aid).text, aid)
        return self._by_text.get(record["text"])


def import_annotations(store: Store, path: Path, *, default_annotator: str,
                       origin: str = "import") -> LoadReport:
    """Import every span that fits; report (never raise for) the ones that do not."""
    if not path.exists():
        raise UserError(f"{path} does not exist: give the path of a JSONL export")
    if path.is_dir():
        raise UserError(f"{path} is a folder: give the path of a JSONL export file")
    report = LoadReport(str(path))
    labels = {label.name for label in store.labels()}
    matcher = _Matcher(store)
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, 1):
                if line.strip():
                    _load_line(store, report, labels, matcher, f"{path.name}:{number}", line,
                               default_annotator, origin)
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text: give a JSONL export written by parallax") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    return report


def _existing(store: Store, ids: list[Any]) -> dict[str, tuple]:
    """Stored (block_id, start, end, label, annotator, deleted_at) of these span ids, chunked."""
    wanted = sorted({i for i in ids if isinstance(i, str) and i})
    out: dict[str, tuple] = {}
    for k in range(0, len(wanted), 900):
        chunk = wanted[k:k + 900]
        for row in store.db.execute(
            "select id, block_id, start, end, label, annotator, deleted_at from annotations "
            f"where id in ({', '.join('?' * len(chunk))})", chunk,
        ):
            out[row[0]] = tuple(row[1:])
    return out


def _short(value: Any, width: int = 40) -> str:
    """``repr`` of a value from the file, cut so a huge one cannot flood the report."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _bad_field(span: dict[str, Any]) -> tuple[str, str] | None:
    """The first field of a span with the wrong JSON type, as (reason, detail).

    Checked before anything uses the values: a list as label is unhashable, a
    number as annotator breaks the id hash, and ``true`` or ``"0"`` as an
    offset would otherwise be reported as a range or text problem the user
    cannot make sense of.
    """
    for name in ("id", "annotator", "text"):
        value = span.get(name)
        if value is not None and not isinstance(value, str):
            return f'"{name}" must be a string', f"got {_short(value)}"
    if not isinstance(span.get("label"), str):
        return '"label" must be a string', f"got {_short(span.get('label'))}"
    for name in ("start", "end"):
        value = span.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            return f'"{name}" must be an integer', f"got {_short(value)}"
    return None


def _load_line(store: Store, report: LoadReport, labels: set[str], matcher: _Matcher, where: str,
               line: str, default_annotator: str, origin: str) -> None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        report.skip(where, "not JSON", str(exc))
        return
    except RecursionError:  # json's decoder recurses once per nesting level
        report.skip(where, "not JSON", "nested too deeply to read")
        return
    if not (isinstance(record, dict) and isinstance(record.get("text"), str)
            and isinstance(record.get("spans"), list)):
        report.skip(where, "not a dataset record", 'expected an object with "text" and "spans"')
        return
    article_id = matcher.find(record)
    if article_id is None:
        report.skip(where, "no matching article",
                    f"no stored article has id {record.get('id')!r} or the same clean text; "
                    "import the article first")
        return
    report.articles += 1
    text = record["text"]
    at = align(store, article_id, text)
    block_text = {b["id"]: b["text"] for b in store.blocks(article_id)}
    known = _existing(store, [s.get("id") for s in record["spans"] if isinstance(s, dict)])
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    stamp = now()
    for k, span in enumerate(record["spans"]):
        given = span.get("id") if isinstance(span, dict) else None
        here = f"{where} span {k}" + (f" ({given})" if isinstance(given, str) and given else "")
        if not isinstance(span, dict):
            report.skip(here, "not a span object")
            continue
        bad = _bad_field(span)
        if bad is not None:
            report.skip(here, *bad)
            continue
        start, end, label = span["start"], span["end"], span["label"]
        if not 0 <= start < end <= len(text):
            report.skip(here, "offsets out of range", f"{start}-{end} in a text of {len(text)}")
            continue
        quoted = span.get("text")
        if quoted is None:
            quoted = text[start:end]
        if text[start:end] != quoted:
            report.skip(here, "text mismatch", f"text[{start}:{end}] is {text[start:end]!r}, not {quoted!r}")
            continue
        if label not in labels:
            report.skip(here, "unknown label", f"{label!r} is not in the schema in force")
            continue
        place = at.locate(start, end)
        if place is None:
            report.skip(here, "not inside one stored block", "it crosses a block boundary or "
                        "lies on text this database does not have")
            continue
        block_id, s, e = place
        if block_text[block_id][s:e] != quoted:
            report.skip(here, "text mismatch", "the stored block reads differently")
            continue
        annotator = span.get("annotator") or default_annotator
        sid = span.get("id") if isinstance(span.get("id"), str) and span.get("id") else \
            span_key(article_id, block_id, s, e, label, annotator)
        existing = known.get(sid) if span.get("id") == sid else _existing(store, [sid]).get(sid)
        if existing is not None:
            if tuple(existing[:5]) != (block_id, s, e, label, annotator):
                report.skip(here, "id already used", "this database has a different span with that id")
            elif existing[5] is not None:
                report.skip(here, "removed here", "the span was deleted in this database; kept deleted")
            else:
                report.unchanged += 1
            continue
        if sid in seen:
            report.skip(here, "duplicate in file")
            continue
        seen.add(sid)
        rows.append({"id": sid, "article_id": article_id, "block_id": block_id, "start": s, "end": e,
                     "text": quoted, "label": label, "scope": "span", "note": None,
                     "annotator": annotator, "origin": origin, "created_at": stamp,
                     "updated_at": stamp, "deleted_at": None, "deleted_by": None})
    if rows:
        with store.transaction():
            cols = list(rows[0])
            store.db.conn.executemany(
                f"insert into annotations ({', '.join(f'[{c}]' for c in cols)}) "
                f"values ({', '.join('?' * len(cols))})", [[r[c] for c in cols] for r in rows])
            store.audit(default_annotator, "import-annotations", article_id, None,
                         {"spans": [r["id"] for r in rows], "file": report.path})
        report.imported += len(rows)
