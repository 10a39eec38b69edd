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
reason, and counts as unchanged when this database holds the same span live
under another id. Each article is written in its own transaction, and which
spans are new is decided inside it (two imports of one file may run at once).

A span's ``created_at`` / ``updated_at`` (written by the export since stop 17)
are kept, in the store's own format only: merges keep the newer version of a
span by ``updated_at``, and a copy stamped at its import would beat every
later edit of its original. Without them the import time is used.

The file is read as UTF-8 with or without a byte-order mark (Windows tools
write one; ``parallax import`` accepts it too).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

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
    for b, at in _claims([b for b in blocks if b["id"] not in offsets], text, pos):
        offsets[b["id"]], lengths[b["id"]] = at, len(b["text"])
    return offsets, lengths


#: A chain of claims, newest first: (block, offset, the claims before it) or None.
_Chain = tuple[dict[str, Any], int, "_Chain"] | None


def _claims(blocks: list[dict[str, Any]], text: str, pos: int) -> list[tuple[dict[str, Any], int]]:
    """The blocks (in stored order) that read ``text`` from ``pos`` on, and where each starts.

    Pages repeat paragraphs (a standfirst as the lead), and each copy is a
    block; the text says only that the paragraph is there, not which copy
    the exporting database showed. Claiming the first copy that fits (as this
    walk once did) put the span on that copy even when this database hides
    it, and the span then dropped out of every export here. So every way of
    reading the text as blocks in order is weighed: the one placing the most
    blocks wins (copies whose neighbours align), then the one placing more
    blocks shown in this database, then the earliest copies. The states are
    the text positions reached, so the work stays blocks × paragraphs.
    """
    states: dict[int, tuple[tuple[int, int], _Chain]] = {pos: ((0, 0), None)}
    for b in blocks:
        t = b["text"]
        if not t:
            continue
        grown = dict(states)
        for at, (score, chain) in states.items():
            end = at + len(t)
            if not (text.startswith(t, at) and text[end:end + len(SEPARATOR)] in (SEPARATOR, "")):
                continue
            nxt = end + len(SEPARATOR)
            claim = ((score[0] + 1, score[1] + bool(b.get("visible"))), (b, at, chain))
            if nxt not in grown or claim[0] > grown[nxt][0]:
                grown[nxt] = claim
        states = grown
    _, (_, chain) = max(states.items(), key=lambda item: (item[1][0], item[0]))
    out: list[tuple[dict[str, Any], int]] = []
    while chain is not None:
        block, at, chain = chain
        out.append((block, at))
    return out[::-1]


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


class _Refused(NamedTuple):
    """Why a span of the file is skipped: the report's reason and its detail."""

    reason: str
    detail: str = ""


@dataclass(slots=True)
class _Candidate:
    """A span of the file that fits the text, waiting to be checked against the database."""

    where: str
    row: dict[str, Any]
    given_id: bool  # False: the id was derived from the content (span_key)

    def key(self) -> tuple:
        """What a span is, ids aside: its place, label and author."""
        r = self.row
        return (r["block_id"], r["start"], r["end"], r["label"], r["annotator"])


@dataclass(slots=True)
class _Plan:
    """What one record's candidates come to, decided against one state of the database."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    skips: list[tuple[str, str, str]] = field(default_factory=list)  # (where, reason, detail)


def _load_line(store: Store, report: LoadReport, labels: set[str], matcher: _Matcher, where: str,
               line: str, default_annotator: str, origin: str) -> None:
    record = _read_record(report, where, line)
    if record is None:
        return
    article_id = matcher.find(record)
    if article_id is None:
        report.skip(where, "no matching article",
                    f"no stored article has id {record.get('id')!r} or the same clean text; "
                    "import the article first")
        return
    report.articles += 1
    at = align(store, article_id, record["text"])
    block_text = {b["id"]: b["text"] for b in store.blocks(article_id)}
    stamp = now()
    candidates: list[_Candidate] = []
    for k, span in enumerate(record["spans"]):
        given = span.get("id") if isinstance(span, dict) else None
        here = f"{where} span {k}" + (f" ({given})" if isinstance(given, str) and given else "")
        found = _check_span(span, record["text"], labels, at, block_text)
        if isinstance(found, _Refused):
            report.skip(here, *found)
            continue
        candidates.append(_candidate(here, found, span, record["text"], article_id,
                                     default_annotator, origin, stamp))
    if candidates:
        _write(store, report, article_id, candidates, default_annotator)


def _read_record(report: LoadReport, where: str, line: str) -> dict[str, Any] | None:
    """The line as a dataset record, or None (reported) when it is not one."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        report.skip(where, "not JSON", str(exc))
        return None
    except RecursionError:  # json's decoder recurses once per nesting level
        report.skip(where, "not JSON", "nested too deeply to read")
        return None
    if not (isinstance(record, dict) and isinstance(record.get("text"), str)
            and isinstance(record.get("spans"), list)):
        report.skip(where, "not a dataset record", 'expected an object with "text" and "spans"')
        return None
    return record


def _check_span(span: Any, text: str, labels: set[str], at: ArticleText,
                block_text: dict[str, str]) -> tuple[str, int, int] | _Refused:
    """``(block_id, start, end)`` of a span that fits, else why it does not."""
    if not isinstance(span, dict):
        return _Refused("not a span object")
    bad = _bad_field(span) or _bad_times(span)
    if bad is not None:
        return _Refused(*bad)
    start, end, label = span["start"], span["end"], span["label"]
    if not 0 <= start < end <= len(text):
        return _Refused("offsets out of range", f"{start}-{end} in a text of {len(text)}")
    quoted = span.get("text")
    if quoted is None:
        quoted = text[start:end]
    if text[start:end] != quoted:
        return _Refused("text mismatch", f"text[{start}:{end}] is {text[start:end]!r}, not {quoted!r}")
    if label not in labels:
        return _Refused("unknown label", f"{label!r} is not in the schema in force")
    place = at.locate(start, end)
    if place is None:
        return _Refused("not inside one stored block", "it crosses a block boundary or "
                        "lies on text this database does not have")
    block_id, s, e = place
    if block_text[block_id][s:e] != quoted:
        return _Refused("text mismatch", "the stored block reads differently")
    return place


def _candidate(where: str, place: tuple[str, int, int], span: dict[str, Any], text: str,
               article_id: str, default_annotator: str, origin: str, stamp: str) -> _Candidate:
    """The row a checked span would be stored as (its id derived when it has none)."""
    block_id, s, e = place
    quoted = text[span["start"]:span["end"]]  # equals span["text"] when given (checked)
    annotator = span.get("annotator") or default_annotator
    label = span["label"]
    given = span.get("id") if isinstance(span.get("id"), str) and span.get("id") else None
    sid = given or span_key(article_id, block_id, s, e, label, annotator)
    created, updated = _times(span, stamp)
    row = {"id": sid, "article_id": article_id, "block_id": block_id, "start": s, "end": e,
           "text": quoted, "label": label, "scope": "span", "note": None,
           "annotator": annotator, "origin": origin, "created_at": created,
           "updated_at": updated, "deleted_at": None, "deleted_by": None}
    return _Candidate(where, row, given is not None)


def _times(span: dict[str, Any], stamp: str) -> tuple[str, str]:
    """``created_at``, ``updated_at`` of a new row: the file's, else the import time.

    Kept when given because merges keep the newest version of a span by
    ``updated_at``: a copy stamped at its import would beat every edit its
    original had after the export (a relabel, a note, a removal). A missing
    ``created_at`` is the ``updated_at`` (a span is not created after its last
    change); a missing ``updated_at`` is the import time (or ``created_at``,
    if later).
    """
    created, updated = span.get("created_at"), span.get("updated_at")
    if updated is None:
        updated = max(stamp, created or "")
    return created or updated, updated


#: The store's time format (``tui.store.now``): UTC with milliseconds.
_STORE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00")
_TIME_EXAMPLE = "2026-11-23T12:40:10.890+00:00"


def is_store_time(value: Any) -> bool:
    """A time exactly as parallax stores it, so it compares as text with the store's own.

    Merges compare ``updated_at`` as strings: "2026-01-02T10:00:00Z" or a
    local offset would sort wrongly against ours, so only the store's form
    is taken, and it must be a real date and time.
    """
    if not isinstance(value, str) or not _STORE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _bad_times(span: dict[str, Any]) -> tuple[str, str] | None:
    """The first bad ``created_at`` / ``updated_at`` of a span, as (reason, detail).

    A time the store cannot compare is refused rather than replaced by the
    import time: that replacement is what made imported copies beat newer edits.
    """
    for name in ("created_at", "updated_at"):
        value = span.get(name)
        if value is not None and not is_store_time(value):
            return (f'"{name}" must be a UTC time as parallax writes it',
                    f"got {_short(value)}, expected e.g. {_TIME_EXAMPLE!r}")
    created, updated = span.get("created_at"), span.get("updated_at")
    if created is not None and updated is not None and created > updated:
        return '"created_at" is after "updated_at"', f"{created} > {updated}"
    return None


def _write(store: Store, report: LoadReport, article_id: str, candidates: list[_Candidate],
           who: str) -> None:
    """Store the candidates this database lacks, deciding inside the write transaction.

    A first look outside any transaction lets a re-import of known spans
    finish without taking the write lock. When something is to be written,
    the decision is made again inside ``BEGIN IMMEDIATE``: another import of
    the same file may have committed those ids meanwhile, and deciding on
    the earlier look ended in ``UNIQUE constraint failed`` and a traceback.
    """
    plan = _plan(store, article_id, candidates)
    if plan.rows:
        with store.transaction():
            plan = _plan(store, article_id, candidates)
            _insert(store, plan.rows, article_id, who, report.path)
    for skip in plan.skips:
        report.skip(*skip)
    report.unchanged += plan.unchanged
    report.imported += len(plan.rows)


def _plan(store: Store, article_id: str, candidates: list[_Candidate]) -> _Plan:
    """Which candidates are new, unchanged or refused, against the database as it is now."""
    known = _existing(store, [c.row["id"] for c in candidates])
    live = _live_spans(store, article_id) if not all(c.given_id for c in candidates) else set()
    plan = _Plan()
    seen: set[str] = set()
    for c in candidates:
        verdict = _verdict(c, known.get(c.row["id"]), live, seen)
        if verdict is None:
            seen.add(c.row["id"])
            plan.rows.append(c.row)
        elif verdict == "unchanged":
            plan.unchanged += 1
        else:
            plan.skips.append((c.where, *verdict))
    return plan


def _verdict(c: _Candidate, existing: tuple | None, live: set[tuple],
             seen: set[str]) -> str | tuple[str, str] | None:
    """None to insert, "unchanged", or the (reason, detail) of a skip."""
    if existing is not None:
        if tuple(existing[:5]) != c.key():
            return "id already used", "this database has a different span with that id"
        if existing[5] is not None:
            return "removed here", "the span was deleted in this database; kept deleted"
        return "unchanged"
    if not c.given_id and c.key() in live:
        # The same span under another id (this app's own, or another import's):
        # adding it again would give its annotator the same label twice.
        return "unchanged"
    if c.row["id"] in seen:
        return "duplicate in file", ""
    return None


def _live_spans(store: Store, article_id: str) -> set[tuple]:
    """(block_id, start, end, label, annotator) of the article's live spans."""
    return {tuple(r) for r in store.db.execute(
        "select block_id, start, end, label, annotator from annotations "
        "where article_id = ? and deleted_at is null", [article_id])}


def _insert(store: Store, rows: list[dict[str, Any]], article_id: str, who: str, path: str) -> None:
    """Insert new rows and their audit entry (inside the caller's transaction)."""
    if not rows:
        return
    cols = list(rows[0])
    store.db.conn.executemany(
        f"insert into annotations ({', '.join(f'[{c}]' for c in cols)}) "
        f"values ({', '.join('?' * len(cols))})", [[r[c] for c in cols] for r in rows])
    store.audit(who, "import-annotations", article_id, None,
                {"spans": [r["id"] for r in rows], "file": path})
