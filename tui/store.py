"""The SQLite store: one file holds a team's articles, decisions and annotations.

Everything goes through sqlite-utils on a plain SQLite file so that the data
outlives the app: a researcher can open ``annotations.db`` in Datasette or
``sqlite3`` and find ordinary tables. Rules this module keeps:

* Every multi-row write happens in one transaction (``Store.transaction``),
  started with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout
  instead of failing half-way with "database is locked".
* Nothing a person made is deleted in place: removing an annotation sets a
  tombstone (``deleted_at``), and every change is also written to ``audit``.
* Annotations are anchored to a block ``(block_id, start, end)`` plus the
  quoted text, so showing/hiding blocks or re-cleaning never moves a span.
* The schema is versioned (``parallax_meta.schema_version``); older files are
  migrated in place, newer ones are refused untouched.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import sqlite3
import sys
import unicodedata
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tui.errors import SchemaConflict, UserError
from tui.labels import Label, Schema, load_default, parse_schema
from tui.model import META_FIELDS, Block, CleanResult, Meta, RawDocument, stated_meta
from tui.sentences import split_sentences

#: Packages sqlite-utils imports at its own import time when they are
#: installed, only to recognise their values as column types in inserts.
_KEPT_OUT = ("pandas", "numpy")


def _import_sqlite_utils():
    """sqlite-utils, imported without letting it import pandas and numpy.

    ``sqlite_utils.db`` imports pandas and numpy when they are installed, to
    map their value types to column types when an insert creates or alters a
    table. Parallax creates every table with Python types and inserts no
    pandas or numpy values; yet pandas is in the venv of every ``make run``
    (the dev extras' export tests read Parquet with it), and with it pyarrow:
    those imports were most of the start of every command and of the reader
    (``bench/startup.py``: ``parallax list`` 832 -> 380 ms without pandas,
    and numpy's 150 ms more). ``None`` in ``sys.modules`` fails those imports,
    which sqlite-utils expects and skips; the entries go right after, so the
    packages import as usual later (the linker imports numpy itself;
    tests/test_store.py checks both).
    """
    blocked = [] if "sqlite_utils" in sys.modules else [m for m in _KEPT_OUT if m not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import sqlite_utils
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return sqlite_utils


sqlite_utils = _import_sqlite_utils()

SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 15_000


def _writable(path: Path) -> bool:
    """Whether this user may write the database file (root may write any)."""
    return os.access(path, os.W_OK)


def connect_read_only(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    """Read a database without writing anything beside it: a teammate's file, a merge input.

    A plain (even ``mode=ro``) connection on a WAL database creates ``-wal`` and
    ``-shm`` files owned by the reader, which it cannot remove on close and the
    file's owner then cannot write (every write of the owner failed until
    someone deleted them). With no ``-wal`` or ``-journal`` beside the file,
    nobody is writing it and all of it is in the file: ``immutable=1`` reads it
    creating nothing (no locks either). With one, someone has it open or a
    crash left a journal to replay: ``mode=ro`` reads the committed changes
    with SQLite's normal locking, and ``immutable=1`` stays the fallback where
    SQLite cannot open the side files (a read-only folder, a copy on a share).
    A writer that starts while a reader holds it immutable could change pages
    under it, so merge copies, or files nobody has open.

    Raises the last ``sqlite3.DatabaseError`` when no way reads the file.
    """
    base = "file:" + quote(os.fsencode(path.resolve()))
    in_use = any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal"))
    queries = ("?mode=ro", "?mode=ro&immutable=1") if in_use else ("?mode=ro&immutable=1",)
    error: sqlite3.DatabaseError | None = None
    for query in queries:
        conn = None
        try:
            conn = sqlite3.connect(base + query, uri=True, timeout=timeout, check_same_thread=False)
            conn.execute("select count(*) from sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            error = exc
    assert error is not None
    raise error


def _excerpt(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def storage_error(exc: sqlite3.Error) -> str:
    """What a database error that is no bug means for the user, and what to do: one line.

    These come from the machine, not from the input: a full disk, another
    program holding the write lock, a file or folder this user may not write.
    SQLite rolls the unfinished change back, so what was committed stays.
    """
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return ("the disk holding the database is full: free some space and run it again "
                "(the unfinished change was rolled back; everything committed before is kept)")
    if "locked" in text or "busy" in text:
        return (f"another program is writing to the database and did not finish within "
                f"{BUSY_TIMEOUT_MS // 1000} s: run it again when it is done")
    if "readonly" in text or "read-only" in text:
        return ("the database is read-only for you (the file, its -wal and -shm files, or its folder): "
                "make them writable, or copy the database and pass the copy with --db")
    if "unable to open" in text:
        return ("SQLite cannot open the database or its -wal and -shm files: check that its folder "
                "exists and is writable for you")
    if "i/o error" in text:
        return ("a disk I/O error while using the database: check the disk (the unfinished change was "
                "rolled back; everything committed before is kept)")
    return f"database error: {exc}: check the database file (`sqlite3 FILE 'pragma integrity_check'`)"


#: ``Store.reclean``'s count of annotated blocks the new rules would hide, kept shown.
ANNOTATED_KEPT = "annotated_kept_shown"


def reclean_summary(counts: dict[str, int]) -> str:
    """``Store.reclean``'s counts as one line: "1 updated, 4 unchanged, 0 resegmented, 0 kept segmentation"
    (unchanged: cleaned again to the same decisions and metadata), and when it happened,
    "; 2 annotated blocks kept shown ..."."""
    line = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if k != ANNOTATED_KEPT)
    kept = counts.get(ANNOTATED_KEPT, 0)
    if kept:
        line += (f"; {kept} annotated block{'s' if kept != 1 else ''} the new rules would hide "
                 f"kept shown by an override (by \"{RECLEAN_BY}\"; `parallax override ID --auto` "
                 "hides one)")
    return line


def _cleaner_version() -> int:
    """The cleaner's version, recorded per article so re-cleaning can find stale ones.

    Imported lazily: the paths that store articles have just run the cleaner,
    and commands like ``list`` should not pay for importing it.
    """
    from tui.clean import CLEANER_VERSION

    return CLEANER_VERSION


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


#: Who a re-clean's own overrides are by (annotated blocks it keeps shown).
RECLEAN_BY = "parallax reclean"


def stamp_after(previous: str | None) -> str:
    """Now, or a millisecond after ``previous`` when this clock is behind it.

    Merges keep the newest version of a row by these times. A clock that is
    behind a teammate's (whose change this one is editing) would otherwise
    stamp the edit older than what it replaced, and the next merge would undo
    it. So an edit is always newer than the row it changes (a per-row hybrid
    logical clock).
    """
    stamp = now()
    if not previous or previous < stamp:
        return stamp
    try:
        after = datetime.fromisoformat(previous) + timedelta(milliseconds=1)
    except ValueError:
        return stamp
    return after.astimezone(UTC).isoformat(timespec="milliseconds")


def default_annotator() -> str:
    env = os.environ.get("PARALLAX_ANNOTATOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "annotator"


def normalise_text(text: str) -> str:
    """The form an article's identity is computed on: NFC, LF line ends."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


#: Column order of the rows ``_insert_blocks`` builds (the tables' own order).
_BLOCK_COLUMNS = ("id", "article_id", "seq", "start", "end", "text", "text_hash", "kind", "keep", "reason",
                  "source_kind", "level", "override", "override_by", "override_at")
_PASSAGE_COLUMNS = ("id", "article_id", "block_id", "seq", "start", "end", "text")
#: Bound parameters per statement: SQLite's compiled-in limit before 3.32.
_MAX_VARIABLES = 999


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@dataclass(slots=True)
class AddResult:
    status: str  # "imported" | "unchanged"
    article_id: str
    title: str | None = None


class Store:
    """A Parallax database. Open with :meth:`Store.open`."""

    def __init__(self, db: sqlite_utils.Database, path: str) -> None:
        self.db = db
        self.path = path
        #: Opened without write access (a teammate's file): reads work, writes are refused.
        self.read_only = False
        self._schema_cache: tuple[tuple[int, str], Schema] | None = None

    # ------------------------------------------------------------------ open
    @classmethod
    def on_connection(cls, conn: sqlite3.Connection, path: str) -> Store:
        """A Store over a connection opened elsewhere (a worker thread's own), not prepared."""
        return cls(sqlite_utils.Database(conn), path)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = True,
             busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Store:
        """Open (and create or migrate) a database, refusing foreign files untouched.

        ``busy_timeout_ms``: how long a write waits for another writer. The CLI and
        background jobs wait long (a link recompute writes for seconds); the app's
        keys wait less, since the screen cannot move while they wait.
        """
        p = Path(path)
        if p.is_dir():
            raise UserError(f"--db {p} is a folder: give a database file path, e.g. {p}/annotations.db")
        if p.exists():
            _check_sqlite_file(p)
        elif not create:
            raise UserError(f"database {p} does not exist: import articles first with `parallax --db {p} import PATH`")
        elif not p.parent.exists():
            raise UserError(f"cannot create database {p}: folder {p.parent} does not exist")
        read_only = p.exists() and not _writable(p)
        try:
            conn = connect_read_only(p, busy_timeout_ms / 1000) if read_only else sqlite3.connect(
                str(p), timeout=busy_timeout_ms / 1000, check_same_thread=False)
            _refuse_foreign(conn, p)
            db = sqlite_utils.Database(conn)
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            store = cls(db, str(p))
            store.read_only = read_only
            store._prepare()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"cannot open database {p}: {exc}: check the path or pass another --db") from None
        return store

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _prepare(self) -> None:
        tables = set(self.db.table_names())
        if tables and "parallax_meta" not in tables:
            raise UserError(
                f"{self.path} is an SQLite database but not a Parallax one (tables: "
                f"{', '.join(sorted(tables)[:4])}): pass another --db path; it was not modified"
            )
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise UserError(
                f"{self.path} was written by a newer Parallax (database schema {version}, this "
                f"version reads up to {SCHEMA_VERSION}): upgrade parallax; the file was not modified"
            )
        if self.read_only:
            if version < SCHEMA_VERSION:
                raise UserError(
                    f"{self.path} was written by an older Parallax (database schema {version}) and "
                    "is read-only for you, so it cannot be upgraded: ask its owner to open it once "
                    "with this version, or copy it and pass the copy with --db")
            return
        with self.db.ensure_autocommit_on():
            mode = self.db.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                self.db.execute("PRAGMA journal_mode = wal")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            if version > 0:
                self._backup_before_migration(version)
            self._migrate(version)

    def schema_version(self) -> int:
        if "parallax_meta" not in self.db.table_names():
            return 0
        row = self.db.execute(
            "select value from parallax_meta where key = 'schema_version'"
        ).fetchone()
        return int(row[0]) if row else 0

    def _backup_before_migration(self, version: int) -> None:
        """Copy an older file aside before upgrading it, so no upgrade can cost work.

        Migrations run in transactions and should never fail half-way, but a
        team's annotations are worth one extra copy; it is kept next to the
        database as ``<name>.v<N>.bak`` (written once, never overwritten).
        """
        backup = Path(f"{self.path}.v{version}.bak")
        if backup.exists():
            return
        target = sqlite3.connect(str(backup))
        try:
            self.db.conn.backup(target)
        finally:
            target.close()

    def _migrate(self, version: int) -> None:
        """Bring an older database up to SCHEMA_VERSION, one step per transaction."""
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                MIGRATIONS[target](self.db)
                self.db["parallax_meta"].upsert(
                    {"key": "schema_version", "value": str(target)}, pk="key"
                )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic write; nested calls become savepoints."""
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            with self.db.atomic():  # savepoint inside our BEGIN: sqlite-utils calls nest safely
                yield self.db
        except BaseException:
            self.db.rollback()
            raise
        else:
            self.db.commit()

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("select value from parallax_meta where key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db["parallax_meta"].upsert({"key": key, "value": value}, pk="key")

    # ------------------------------------------------------------- articles
    def find_article(self, digest: str) -> str | None:
        row = self.db.execute("select id from articles where content_hash = ?", [digest]).fetchone()
        return row[0] if row else None

    def article_title(self, article_id: str) -> str | None:
        """The stored title of an article by its full id (None if unknown)."""
        row = self.db.execute("select title from articles where id = ?", [article_id]).fetchone()
        return row[0] if row else None

    def article_count(self) -> int:
        return self.db.execute("select count(*) from articles").fetchone()[0]

    def add_article(self, raw: RawDocument, result: CleanResult,
                    sentences: list[list[tuple[int, int]]] | None = None,
                    digest: str | None = None) -> AddResult:
        """Store an article with its blocks and sentences, or do nothing if known.

        Identity is the hash of the normalised source text, so importing the
        same file twice (or the same text from another path) changes nothing.
        ``sentences`` (the spans of ``split_sentences`` for each block) may
        come from a worker process that split them while this one stored
        earlier articles; without them they are split here. ``digest`` is
        ``content_hash(raw.text)`` when the caller has it already.
        """
        digest = digest or content_hash(raw.text)
        existing = self.find_article(digest)
        if existing:
            return AddResult("unchanged", existing)
        article_id = digest[:12]
        hints = raw.hints or {}
        row = {
            "id": article_id,
            "content_hash": digest,
            "path": raw.path,
            "format": raw.format,
            "encoding": raw.encoding,
            "encoding_note": raw.encoding_note or None,
            **_stated_or_found(result.meta, hints),
            "edited": "[]",
            "imported_at": now(),
            "cleaner_version": _cleaner_version(),
        }
        with self.transaction():
            self.db["articles"].insert(row)
            self.db["sources"].insert(
                {"article_id": article_id, "raw": raw.text, "working_text": result.working_text,
                 "hints": json.dumps(hints, ensure_ascii=False)}
            )
            self._insert_blocks(article_id, result.blocks, sentences)
        return AddResult("imported", article_id, row["title"])

    def _insert_blocks(self, article_id: str, blocks: list[Block],
                       sentences: list[list[tuple[int, int]]] | None = None) -> None:
        if sentences is None:
            sentences = [split_sentences(block.text) for block in blocks]
        block_rows: list[tuple] = []
        passage_rows: list[tuple] = []
        for seq, (block, spans) in enumerate(zip(blocks, sentences, strict=True)):
            block_id = f"{article_id}:{seq:04d}"
            text = block.text
            block_rows.append((block_id, article_id, seq, block.start, block.end, text, _text_hash(text),
                               block.kind, int(block.keep), block.reason, block.source_kind, block.level,
                               None, None, None))
            for n, (start, end) in enumerate(spans):
                passage_rows.append((f"{block_id}.{n:03d}", article_id, block_id, len(passage_rows),
                                     start, end, text[start:end]))
        self._insert_rows("blocks", _BLOCK_COLUMNS, block_rows)
        self._insert_rows("passages", _PASSAGE_COLUMNS, passage_rows)

    def _insert_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert plain rows with multi-row INSERT statements of a fixed size.

        The same statements sqlite-utils' ``insert_all`` sends, without its
        per-value JSON check: these rows hold only strings, numbers and
        NULLs, and that check was twice SQLite's own time on an import.
        """
        per = max(1, _MAX_VARIABLES // len(columns))
        head = f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values "
        one = "(" + ", ".join("?" * len(columns)) + ")"
        full = head + ", ".join([one] * per)
        conn = self.db.conn
        for i in range(0, len(rows), per):
            chunk = rows[i:i + per]
            sql = full if len(chunk) == per else head + ", ".join([one] * len(chunk))
            conn.execute(sql, [v for row in chunk for v in row])

    def list_articles(self) -> list[dict[str, Any]]:
        """Articles with the counts the library shows, in import order."""
        sql = """
        select a.id, a.title, a.title_derived, a.outlet, a.date, a.byline, a.url, a.path,
               a.format, a.encoding_note,
               (select count(*) from blocks b where b.article_id = a.id) as blocks,
               (select count(*) from blocks b where b.article_id = a.id
                    and coalesce(b.override, b.keep) = 1) as kept_blocks,
               (select count(*) from annotations n where n.article_id = a.id
                    and n.deleted_at is null) as annotations
        from articles a order by a.rowid
        """
        return [dict(r) for r in self.db.query(sql)]

    def resolve_id(self, table: str, given: str, noun: str, where_listed: str) -> str:
        """The id in ``table`` that is ``given`` or the only one starting with it.

        Every command takes a unique prefix of an id (articles, links). Empty,
        unknown or ambiguous is a UserError that shows a few matches or says
        where the ids are listed: an empty prefix would match every row.
        """
        if not given.strip():
            raise UserError(f"no {noun} id given: {where_listed}")
        if self.db.execute(f"select 1 from {table} where id = ?", [given]).fetchone():
            return given
        matches = [r[0] for r in self.db.execute(
            f"select id from {table} where substr(id, 1, length(?)) = ? order by id limit 5",
            [given, given])]
        if not matches:
            raise UserError(f"no {noun} {given!r}: {where_listed}")
        if len(matches) > 1:
            total = self.db.execute(f"select count(*) from {table} where substr(id, 1, length(?)) = ?",
                                    [given, given]).fetchone()[0]
            shown = ", ".join(matches[:4]) + (", ..." if total > 4 else "")
            raise UserError(f"{noun} id {given!r} is ambiguous ({total} {noun}s start with it: "
                            f"{shown}): type more of it")
        return matches[0]

    def get_article(self, article_id: str) -> dict[str, Any]:
        """An article row by id or unique id prefix (``edited`` parsed)."""
        found = self.resolve_id("articles", article_id, "article",
                                "run `parallax list` to see article ids")
        rows = list(self.db.query("select * from articles where id = ?", [found]))
        article = rows[0]
        article["edited"] = json.loads(article.get("edited") or "[]")
        return article

    def blocks(self, article_id: str) -> list[dict[str, Any]]:
        rows = self.db.query("select * from blocks where article_id = ? order by seq", [article_id])
        out = []
        for r in rows:
            r["visible"] = bool(r["override"] if r["override"] is not None else r["keep"])
            out.append(r)
        return out

    def passages(self, article_id: str) -> list[dict[str, Any]]:
        return list(
            self.db.query("select * from passages where article_id = ? order by seq", [article_id])
        )

    def update_meta(self, article_id: str, fields: dict[str, str | None], annotator: str) -> dict:
        """Correct metadata by hand; edited fields are remembered and win over re-cleaning."""
        article = self.get_article(article_id)
        _check_meta_fields(fields)
        changes = {k: (v or None) for k, v in fields.items()}
        if "title" in changes and not (changes["title"] or "").strip():
            # a cleared title was stored as none at all: exports then start with an empty line
            raise UserError(f"the title cannot be empty: give one, or `parallax meta {article['id'][:8]} "
                            "--reset title` to go back to the page's own")
        edited = sorted(set(article["edited"]) | set(changes))
        update = dict(changes, edited=json.dumps(edited))
        if "title" in changes:
            update["title_derived"] = 0
        with self.transaction():
            self.db["articles"].update(article["id"], update)
            self.audit(annotator, "meta", article["id"], {k: article[k] for k in changes}, changes)
        return self.get_article(article["id"])

    def reset_meta(self, article_id: str, fields: Sequence[str], annotator: str,
                   cleaner: Callable[[str, str, dict[str, str]], CleanResult]) -> dict:
        """Undo hand edits of ``fields``: each goes back to what the file states or the
        cleaner finds in it, as at import, and re-cleaning refreshes it again."""
        _check_meta_fields(fields)
        article = self.get_article(article_id)
        stated, args = self._cleaning_input(article)
        result = cleaner(*args)
        with self.transaction():
            article = self.get_article(article["id"])
            edited = [f for f in article["edited"] if f not in fields]
            fresh = _refreshed_meta(result.meta, stated, edited)
            update: dict[str, Any] = {k: v for k, v in fresh.items()
                                      if k in fields or (k == "title_derived" and "title" in fields)}
            update["edited"] = json.dumps(sorted(edited))
            self.db["articles"].update(article["id"], update)
            self.audit(annotator, "meta", article["id"], {k: article[k] for k in fields},
                       {k: update.get(k) for k in fields})
        return self.get_article(article["id"])

    # --------------------------------------------------------- block overrides
    def set_override(self, block_id: str, keep: bool | None, annotator: str) -> dict[str, Any]:
        """Force a block shown (True) or hidden (False), or back to automatic (None)."""
        return self.set_overrides([block_id], keep, annotator)[0]

    def set_overrides(self, block_ids: Sequence[str], keep: bool | None,
                      annotator: str) -> list[dict[str, Any]]:
        """``set_override`` for several blocks, all or none: every id is checked
        before anything changes, so one typo does not leave the others half done."""
        value = None if keep is None else int(keep)
        with self.transaction():
            befores = []
            for block_id in dict.fromkeys(block_ids):  # an id given twice is changed (and audited) once
                rows = list(self.db.query("select * from blocks where id = ?", [block_id]))
                if not rows:
                    raise UserError(f"no block {block_id!r}: see block ids with `parallax blocks ARTICLE`"
                                    + ("; nothing was changed" if len(block_ids) > 1 else ""))
                befores.append(rows[0])
            for before in befores:
                # a reset to automatic is a decision too, with who and when: unstamped,
                # a merge took it for "never decided" and put back the older override
                self.db["blocks"].update(
                    before["id"],
                    {"override": value, "override_by": annotator,
                     "override_at": stamp_after(before["override_at"])},
                )
                self.audit(annotator, "override", before["id"], {"override": before["override"]},
                           {"override": value})
        return [self.blocks(b["article_id"])[b["seq"]] for b in befores]

    def stale_articles(self) -> list[str]:
        """Ids of articles an older cleaner cleaned: their decisions predate the current rules."""
        return [r[0] for r in self.db.execute(
            "select id from articles where coalesce(cleaner_version, 0) < ? order by rowid",
            [_cleaner_version()])]

    def reclean(self, cleaner: Callable[[str, str, dict[str, str]], CleanResult],
                article_ids: Iterable[str] | None = None,
                progress: Callable[[int, int], None] | None = None,
                jobs: int | None = 1) -> dict[str, int]:
        """Re-run the cleaner over stored sources, keeping every manual decision.

        Decisions (kind, keep, reason) are refreshed; manual overrides and
        annotations stay. Metadata fields a person edited are not touched.
        When the new segmentation differs and the article has annotations,
        its blocks are left as they are (nothing may move under a span).

        With ``jobs`` > 1 (None: ``tui.workers.default_jobs``) and enough
        articles, ``cleaner`` (a module-level function) runs in worker
        processes on the next articles while this process writes the current
        one; what is written does not change.
        """
        from tui.workers import BATCH_MIN, OrderedPool

        counts = {"updated": 0, "unchanged": 0, "resegmented": 0, "kept_segmentation": 0}
        ids = list(article_ids) if article_ids is not None else [
            r[0] for r in self.db.execute("select id from articles order by rowid")
        ]
        pool: OrderedPool[CleanResult] = OrderedPool(cleaner, jobs if len(ids) >= BATCH_MIN else 1)
        pending: deque[tuple[dict[str, Any], dict[str, str] | None, tuple[str, str, dict[str, str]], Any]] = deque()
        upcoming = iter(ids)

        def load() -> None:
            article_id = next(upcoming, None)
            if article_id is None:
                return
            article = self.get_article(article_id)
            stated, args = self._cleaning_input(article)
            pending.append((article, stated, args, pool.submit(*args)))

        with pool:
            for done in range(len(ids)):
                if progress is not None:
                    progress(done, len(ids))
                while len(pending) <= pool.ahead and len(pending) < len(ids) - done:
                    load()
                article, stated, args, future = pending.popleft()
                result = pool.result(future, *args)
                self._reclean_one(article, stated, result, counts)
        if progress is not None:
            progress(len(ids), len(ids))
        return counts

    def _cleaning_input(self, article: dict[str, Any]) -> tuple[dict[str, str] | None,
                                                                tuple[str, str, dict[str, str]]]:
        """What the file stated at import (JSONL fields), and the cleaner's arguments.

        ``stated`` is None for JSONL articles imported before schema 3, whose
        stored fields may be hints or cleaner output alike.
        """
        src = self.db["sources"].get(article["id"])
        stated = json.loads(src["hints"]) if src.get("hints") is not None else None
        return stated, (src["raw"], article["format"], stated or {})

    def _reclean_one(self, article: dict[str, Any], stated: dict[str, str] | None, result: CleanResult,
                     counts: dict[str, int]) -> None:
        """Write one article's new cleaning, as ``reclean`` describes.

        The article, its blocks and their overrides are read again inside the
        write transaction: the cleaning ran outside it (in workers, ahead), and
        a metadata edit or an override made meanwhile must not be overwritten
        with what was read before.
        """
        aid = article["id"]
        with self.transaction():
            article = self.get_article(aid)
            old = self.blocks(aid)
            meta_update = _refreshed_meta(result.meta, stated, article["edited"])
            if meta_update:
                self.db["articles"].update(aid, meta_update)
            if [b["text"] for b in old] == [b.text for b in result.blocks]:
                decisions = [(block.kind, int(block.keep), block.reason, row["id"])
                             for row, block in zip(old, result.blocks, strict=True)]
                # one statement for all blocks: sqlite-utils' update() reads the
                # table's columns and keys again for every row (52 ms an article)
                self.db.conn.executemany(
                    "update blocks set kind = ?, keep = ?, reason = ? where id = ?", decisions)
                kept = self._keep_annotated_shown(old, result.blocks)
                if kept:
                    counts[ANNOTATED_KEPT] = counts.get(ANNOTATED_KEPT, 0) + kept
                same = (all((row["kind"], int(row["keep"]), row["reason"]) == d[:3]
                            for row, d in zip(old, decisions, strict=True))
                        and all(article.get(k) == v for k, v in meta_update.items()))
                counts["unchanged" if same else "updated"] += 1
            elif self.db.execute(
                "select exists(select 1 from annotations where article_id = ?)"
                " or exists(select 1 from links where status in ('confirmed', 'rejected')"
                " and (a_article = ? or b_article = ?))", [aid, aid, aid]
            ).fetchone()[0]:
                # spans and link decisions point at positions in these blocks: re-segmenting
                # would move them onto other words (a confirmed link onto other sentences)
                counts["kept_segmentation"] += 1
            else:
                overrides = {b["text_hash"]: b for b in old if b["override"] is not None}
                # suggestions and events name passages by position: they would point at
                # other sentences of the new segmentation until links are computed again
                self.db.execute("delete from links where a_article = ? or b_article = ?", [aid, aid])
                self.db.execute("delete from event_passages where article_id = ?", [aid])
                self.db.execute("delete from passages where article_id = ?", [aid])
                self.db.execute("delete from blocks where article_id = ?", [aid])
                self._insert_blocks(article["id"], result.blocks)
                self.db.conn.executemany(
                    "update blocks set override = ?, override_by = ?, override_at = ? where id = ?",
                    [(prior["override"], prior["override_by"], prior["override_at"], row["id"])
                     for row in self.blocks(article["id"])
                     if (prior := overrides.get(row["text_hash"]))])
                self.db["sources"].update(aid, {"working_text": result.working_text})
                counts["resegmented"] += 1
            self.db["articles"].update(aid, {"cleaner_version": _cleaner_version()})

    def _keep_annotated_shown(self, old: list[dict[str, Any]], new: Sequence[Block]) -> int:
        """Blocks a new cleaner would hide that hold live spans stay shown, by an override.

        A span says a person read the block as content. Hidden, the block and
        its spans would leave every export without a word; shown by an override
        (``override_by`` "parallax reclean", audited), the decision is visible
        and one ``parallax override ID --auto`` away from the cleaner's.
        Returns how many blocks were kept so.
        """
        flipped = {row["id"]: row for row, block in zip(old, new, strict=True)
                   if row["override"] is None and row["keep"] and not block.keep}
        if not flipped:
            return 0
        marks = ",".join("?" * len(flipped))
        annotated = [r[0] for r in self.db.execute(
            f"select distinct block_id from annotations where deleted_at is null and block_id in ({marks})",
            list(flipped))]
        for block_id in annotated:
            # after the row's own time, as every override (a reset there may be stamped)
            self.db["blocks"].update(block_id, {"override": 1, "override_by": RECLEAN_BY,
                                                "override_at": stamp_after(flipped[block_id]["override_at"])})
            self.audit(RECLEAN_BY, "override", block_id, {"override": None}, {"override": 1})
        return len(annotated)

    # ----------------------------------------------------------- label schema
    def schema(self) -> Schema:
        """The schema in force (the latest loaded version).

        Parsed once per schema version: every tag validates its label against
        it, and re-parsing the TOML on each keypress cost the app milliseconds.
        The cache key is read from the database, so a schema another process
        loaded is seen at once.
        """
        row = self.db.execute(
            "select version, hash from schema_versions order by version desc limit 1"
        ).fetchone()
        if row is None:
            return load_default()
        key = (row[0], row[1])
        cached = self._schema_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        toml_text, source = self.db.execute(
            "select toml, source from schema_versions where version = ?", [row[0]]
        ).fetchone()
        schema = parse_schema(toml_text, source=source)
        self._schema_cache = (key, schema)
        return schema

    def schema_version_number(self) -> int:
        row = self.db.execute("select max(version) from schema_versions").fetchone()
        return row[0] or 0

    def ensure_schema(self, schema: Schema | None, toml_text: str | None, annotator: str) -> Schema:
        """Install ``schema`` (or the default on first use); refuse orphaning changes.

        Loading the schema already in force is a no-op, so every CLI call may
        pass ``--schema`` without creating versions.
        """
        from tui.labels import default_schema_text

        current_row = self.db.execute(
            "select hash from schema_versions order by version desc limit 1"
        ).fetchone()
        if schema is None:
            if current_row is not None:
                return self.schema()
            schema, toml_text = load_default(), default_schema_text()
        if current_row is not None and current_row[0] == schema.digest:
            return schema
        with self.transaction():
            # counted and numbered inside the write lock: a span tagged or a schema
            # loaded by another process meanwhile is seen, not overwritten
            latest = self.db.execute(
                "select hash from schema_versions order by version desc limit 1").fetchone()
            if latest is not None and latest[0] == schema.digest:
                return schema  # the same schema, loaded by someone else just now
            used = self.label_counts()
            names = schema.by_name()
            orphans = [f"{name} ({n})" for name, n in sorted(used.items()) if name not in names]
            if orphans:
                raise SchemaConflict(
                    f"schema {schema.source} would orphan annotations labelled {', '.join(orphans)}: "
                    "keep those labels in the schema (you may change key, color or description)"
                )
            version = self.schema_version_number() + 1
            self.db["schema_versions"].insert(
                {"version": version, "name": schema.name, "hash": schema.digest,
                 "toml": toml_text or "", "source": schema.source,
                 "loaded_at": now(), "loaded_by": annotator}
            )
            self.db.execute("delete from labels")
            self.db["labels"].insert_all(
                [dict(_label_row(label), position=i, version=version)
                 for i, label in enumerate(schema.labels)]
            )
        return schema

    def labels(self) -> list[Label]:
        return list(self.schema().labels)

    def label_counts(self) -> dict[str, int]:
        return dict(
            self.db.execute(
                "select label, count(*) from annotations where deleted_at is null group by label"
            ).fetchall()
        )

    # ------------------------------------------------------------ annotations
    def add_annotation(
        self,
        *,
        block_id: str,
        start: int,
        end: int,
        label: str,
        annotator: str,
        note: str | None = None,
        scope: str = "span",
        annotation_id: str | None = None,
        created_at: str | None = None,
        origin: str = "app",
    ) -> dict[str, Any]:
        """Create a span annotation anchored to a block; validated, then committed."""
        rows = list(self.db.query("select id, article_id, text from blocks where id = ?", [block_id]))
        if not rows:
            raise UserError(f"no block {block_id!r}: the annotation must point at a stored block")
        block = rows[0]
        if not (0 <= start < end <= len(block["text"])):
            raise UserError(
                f"span {start}-{end} does not fit block {block_id} (length {len(block['text'])})"
            )
        stamp = created_at or now()
        row = {
            "id": annotation_id or uuid.uuid4().hex,
            "article_id": block["article_id"],
            "block_id": block_id,
            "start": start,
            "end": end,
            "text": block["text"][start:end],
            "label": label,
            "scope": scope,
            "note": note,
            "annotator": annotator,
            "origin": origin,
            "created_at": stamp,
            "updated_at": stamp,
            "deleted_at": None,
            "deleted_by": None,
        }
        with self.transaction():
            # checked inside the write lock: a schema loaded meanwhile by another
            # process cannot slip in between the check and the insert
            if label not in self.schema().by_name():
                raise UserError(f"unknown label {label!r}: see `parallax labels` for the schema in force")
            self._refuse_duplicate(row)
            self.db["annotations"].insert(row)
            self.audit(annotator, "annotate", row["id"], None, row)
        return row

    def _refuse_duplicate(self, row: dict[str, Any]) -> None:
        """A label is on a span once per annotator: refuse a second live copy.

        The app checks its own pane first, but two windows of one annotator (or
        a redo after the other window tagged the same words) each saw no copy
        and both saved one; exports and agreement then counted the span twice.
        Called inside the write transaction, so the check holds.
        """
        same = self.db.execute(
            "select 1 from annotations where block_id = ? and start = ? and end = ? and label = ? "
            "and annotator = ? and deleted_at is null and id != ?",
            [row["block_id"], row["start"], row["end"], row["label"], row["annotator"], row["id"]],
        ).fetchone()
        if same:
            raise UserError(f"{row['annotator']} already has {row['label']} on these words "
                            f"(\"{_excerpt(row['text'])}\"): nothing was added")

    def get_annotation(self, annotation_id: str) -> dict[str, Any]:
        rows = list(self.db.query("select * from annotations where id = ?", [annotation_id]))
        if not rows:
            raise UserError(f"no annotation {annotation_id!r}")
        return rows[0]

    def update_annotation(self, annotation_id: str, annotator: str, **changes: Any) -> dict[str, Any]:
        """Relabel or annotate with a note; the previous state goes to the audit log."""
        allowed = {"label", "note", "start", "end", "scope"}
        if set(changes) - allowed:
            raise UserError(f"cannot change {sorted(set(changes) - allowed)} of an annotation")
        with self.transaction():
            before = self.get_annotation(annotation_id)
            if "label" in changes and changes["label"] not in self.schema().by_name():
                raise UserError(f"unknown label {changes['label']!r}: see `parallax labels`")
            update = dict(changes, updated_at=stamp_after(before["updated_at"]))
            if before["deleted_at"] is None and {"label", "start", "end"} & set(changes):
                self._refuse_duplicate(dict(before, **changes))
            if "start" in changes or "end" in changes:
                block = self.db["blocks"].get(before["block_id"])
                start, end = changes.get("start", before["start"]), changes.get("end", before["end"])
                if not (0 <= start < end <= len(block["text"])):
                    raise UserError(f"span {start}-{end} does not fit block {before['block_id']}")
                update["text"] = block["text"][start:end]
            self.db["annotations"].update(annotation_id, update)
            self.audit(annotator, "update", annotation_id, {k: before[k] for k in changes}, changes)
        return self.get_annotation(annotation_id)

    def delete_annotation(self, annotation_id: str, annotator: str) -> dict[str, Any]:
        """Tombstone an annotation: it disappears from views and exports, not from the file."""
        with self.transaction():
            stamp = stamp_after(self.get_annotation(annotation_id)["updated_at"])
            self.db["annotations"].update(
                annotation_id, {"deleted_at": stamp, "deleted_by": annotator, "updated_at": stamp}
            )
            self.audit(annotator, "delete", annotation_id, None, None)
        return self.get_annotation(annotation_id)

    def restore_annotation(self, annotation_id: str, annotator: str) -> dict[str, Any]:
        """Undo a removal (or redo a creation that was undone).

        Refused when the span's label has left the schema since: a schema may
        drop a label only removed spans use, and bringing one back would make a
        live span the exported schema does not know (and block every later
        schema change as "orphaning" it).
        """
        with self.transaction():
            before = self.get_annotation(annotation_id)
            if before["deleted_at"] is not None and before["label"] not in self.schema().by_name():
                raise UserError(f"label {before['label']} is no longer in the label schema: a span "
                                "with it cannot come back (load a schema with that label first)")
            if before["deleted_at"] is not None:
                self._refuse_duplicate(before)
            self.db["annotations"].update(
                annotation_id, {"deleted_at": None, "deleted_by": None,
                                "updated_at": stamp_after(before["updated_at"])}
            )
            self.audit(annotator, "restore", annotation_id, None, None)
        return self.get_annotation(annotation_id)

    def annotations(
        self,
        article_id: str | None = None,
        *,
        annotator: str | None = None,
        include_deleted: bool = False,
    ) -> list[dict[str, Any]]:
        where, params = [], []
        if article_id:
            where.append("a.article_id = ?")
            params.append(article_id)
        if annotator:
            where.append("a.annotator = ?")
            params.append(annotator)
        if not include_deleted:
            where.append("a.deleted_at is null")
        sql = (
            "select a.* from annotations a join blocks b on b.id = a.block_id"
            + (" where " + " and ".join(where) if where else "")
            + " order by a.article_id, b.seq, a.start, a.end, a.created_at"
        )
        return list(self.db.query(sql, params))

    def annotators(self) -> list[str]:
        return [r[0] for r in self.db.execute(
            "select distinct annotator from annotations order by annotator")]

    # ------------------------------------------------------------------ audit
    def audit(self, annotator: str, action: str, target: str, before: Any, after: Any) -> None:
        """Append to the audit log (who, when, what, before, after); call inside a transaction.

        Public so the core modules that write (links, merge, import-annotations)
        leave the same trail as the store's own methods.
        """
        self.db["audit"].insert(
            {"at": now(), "annotator": annotator, "action": action, "target": target,
             "before": json.dumps(before, ensure_ascii=False) if before is not None else None,
             "after": json.dumps(after, ensure_ascii=False) if after is not None else None}
        )


def _label_row(label: Label) -> dict[str, Any]:
    return {"name": label.name, "key": label.key, "color": label.color,
            "description": label.description, "scope": label.scope}


#: An empty file with one of these names (or none) may be made a database: `touch team.db`.
_DB_SUFFIXES = frozenset(("", ".db", ".sqlite", ".sqlite3", ".db3", ".parallax"))


def _check_sqlite_file(p: Path) -> None:
    """Refuse what SQLite would take for a database it may write: an unreadable
    file, or an empty one that is not named like a database (``_refuse_foreign``
    reads the header of the others, once connected).

    The file is never opened with ``open()``: on POSIX, closing *any*
    descriptor of a file drops every lock this process holds on it, the
    app's open connection included. Another process would then take that
    connection's write-ahead log for its own, check it in and delete it, and
    what the app writes after that (each change it reports "saved") would go
    to a deleted file. SQLite keeps its own descriptors open while a lock is
    held, so the header is read through SQLite.
    """
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise UserError(f"cannot read database {p}: {exc.strerror}") from None
    if not os.access(p, os.R_OK):
        raise UserError(f"cannot read database {p}: permission denied; check its permissions")
    if size == 0 and p.suffix.lower() not in _DB_SUFFIXES:
        # SQLite would take an empty file as an empty database and write one into it:
        # an empty notes.txt given by mistake would silently become a database
        raise UserError(f"{p} is an empty file, not a database: pass a .db path with --db "
                        "(a new path is created); the file was not modified")


def not_sqlite(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite refused a file for its header: not an SQLite database at all."""
    return "not a database" in str(exc) or "encrypted" in str(exc)


def _refuse_foreign(conn: sqlite3.Connection, p: Path) -> None:
    """Read the header through the new connection before anything writes: a file
    that is not SQLite is refused untouched (connecting writes nothing)."""
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        if not_sqlite(exc):
            raise UserError(
                f"{p} is not an SQLite database: pass a Parallax database (or a new path) with --db; "
                "the file was not modified"
            ) from None
        raise


# ---------------------------------------------------------------- migrations
def _v1(db: sqlite_utils.Database) -> None:
    """The first schema. Later versions add functions here, never edit this one."""
    db["parallax_meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db["articles"].create(
        {"id": str, "content_hash": str, "path": str, "format": str, "encoding": str,
         "encoding_note": str, "title": str, "title_derived": int, "outlet": str, "date": str,
         "byline": str, "url": str, "edited": str, "imported_at": str, "cleaner_version": int},
        pk="id", not_null={"content_hash"},
    )
    db["articles"].create_index(["content_hash"], unique=True)
    db["sources"].create(
        {"article_id": str, "raw": str, "working_text": str}, pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["blocks"].create(
        {"id": str, "article_id": str, "seq": int, "start": int, "end": int, "text": str,
         "text_hash": str, "kind": str, "keep": int, "reason": str, "source_kind": str,
         "level": int, "override": int, "override_by": str, "override_at": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")],
    )
    db["blocks"].create_index(["article_id", "seq"], unique=True)
    db["passages"].create(
        {"id": str, "article_id": str, "block_id": str, "seq": int, "start": int, "end": int,
         "text": str},
        pk="id", foreign_keys=[("article_id", "articles", "id"), ("block_id", "blocks", "id")],
    )
    db["passages"].create_index(["article_id", "seq"])
    db["passages"].create_index(["block_id"])
    db["passages"].enable_fts(["text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2")
    db["schema_versions"].create(
        {"version": int, "name": str, "hash": str, "toml": str, "source": str,
         "loaded_at": str, "loaded_by": str},
        pk="version",
    )
    db["labels"].create(
        {"name": str, "key": str, "color": str, "description": str, "scope": str,
         "position": int, "version": int},
        pk="name",
    )
    db["annotations"].create(
        {"id": str, "article_id": str, "block_id": str, "start": int, "end": int, "text": str,
         "label": str, "scope": str, "note": str, "annotator": str, "origin": str,
         "created_at": str, "updated_at": str, "deleted_at": str, "deleted_by": str},
        pk="id", foreign_keys=[("article_id", "articles", "id"), ("block_id", "blocks", "id")],
    )
    db["annotations"].create_index(["article_id"])
    db["annotations"].create_index(["block_id"])
    db["annotations"].create_index(["annotator"])
    db["links"].create(
        {"id": str, "a": str, "b": str, "a_article": str, "b_article": str, "score": float,
         "method": str, "status": str, "status_by": str, "status_at": str, "computed_at": str},
        pk="id", defaults={"status": "suggested"},
    )
    db["links"].create_index(["a"])
    db["links"].create_index(["b"])
    db["events"].create(
        {"id": str, "label": str, "central_passage": str, "outlets": str, "size": int}, pk="id"
    )
    db["event_passages"].create(
        {"event_id": str, "passage_id": str, "article_id": str}, pk=("event_id", "passage_id")
    )
    db["event_passages"].create_index(["passage_id"])
    db["audit"].create(
        {"id": int, "at": str, "annotator": str, "action": str, "target": str, "before": str,
         "after": str},
        pk="id",
    )
    db["parallax_meta"].upsert({"key": "created_at", "value": now()}, pk="key")


def _v2(db: sqlite_utils.Database) -> None:
    """Indexes for the reader's link markers, merges and agreement (10k-article corpora).

    Per-article link lookups (markers in a pane), merges by ``updated_at`` and
    per-label counts were full scans in v1; at 10,000 articles that showed.
    """
    db["links"].create_index(["a_article"], if_not_exists=True)
    db["links"].create_index(["b_article"], if_not_exists=True)
    db["annotations"].create_index(["label"], if_not_exists=True)
    db["annotations"].create_index(["updated_at"], if_not_exists=True)
    db["audit"].create_index(["target"], if_not_exists=True)


def _v3(db: sqlite_utils.Database) -> None:
    """What an imported file stated about its article (JSONL title, outlet, date...).

    Re-cleaning needs it twice: the stated title marks the title block, as at
    import, and metadata fields nobody edited can be set to what the file
    stated or else what the current cleaner finds, even when that is nothing
    (an older cleaner's wrong outlet is then cleared, a stated one kept).
    Only JSONL lines state anything (their path is "<file>.jsonl#<line>"), so
    every other article stated nothing: "{}". JSONL articles imported before
    this version stay NULL: what their lines stated is not known.
    """
    db["sources"].add_column("hints", str)
    db.execute("update sources set hints = '{}' where article_id in "
               "(select id from articles where lower(path) not like '%.jsonl#%')")


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {1: _v1, 2: _v2, 3: _v3}


def _stated_or_found(meta: Meta, stated: dict[str, str]) -> dict[str, Any]:
    """An article's metadata columns: what the file stated, else what the cleaner found."""
    merged = stated_meta(meta, stated)
    row: dict[str, Any] = {field: getattr(merged, field) for field in META_FIELDS}
    row["title_derived"] = int(merged.title_derived)
    return row


def _check_meta_fields(fields: Iterable[str]) -> None:
    bad = [k for k in fields if k not in META_FIELDS]
    if bad:
        raise UserError(f"unknown metadata field {bad[0]!r}: use one of {', '.join(META_FIELDS)}")


def _refreshed_meta(meta: Meta, stated: dict[str, str] | None, edited: list[str]) -> dict[str, Any]:
    """The metadata a re-clean writes: each field nobody edited, as at import.

    With what the file stated known (``stated``), a field is set as the
    import sets it (``_stated_or_found``), None included. Without it (a JSONL
    article imported before schema 3) a field is only replaced by a value the
    cleaner finds, since the stored one may have come from the file.
    """
    if stated is None:
        update = {f: getattr(meta, f) for f in META_FIELDS
                  if f not in edited and getattr(meta, f) is not None}
        if "title" in update:
            update["title_derived"] = int(bool(meta.title_derived))
        return update
    return {f: v for f, v in _stated_or_found(meta, stated).items()
            if f not in edited and (f != "title_derived" or "title" not in edited)}
