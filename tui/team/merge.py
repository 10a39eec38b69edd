"""`parallax merge OTHER.db`: fold another annotator's database into ours.

Rules (docs/dataset.md has the long form):

* Articles are identified by content hash. Missing ones are copied whole
  (article, source, blocks, passages) with their ids, so annotations and
  links that point at them keep working. For an article both sides have,
  blocks are paired by position and text, so a span is only carried over when
  its block reads the same here; a differing metadata edit is a conflict
  (ours kept).
* Annotations by id: the newer ``updated_at`` wins, and a removal bumps
  ``updated_at``, so a tombstone newer than an edit keeps the span deleted
  (and an edit made after a removal brings it back). On equal times a
  tombstone beats a live span, then ours is kept.
* Links by id, else by the passage pair: a person's status (confirmed or
  rejected) beats ``suggested``; between two persons' statuses the newer
  ``status_at`` wins, and a disagreement is reported. Scores stay ours.
* Block overrides: the newer ``override_at`` wins.
* Label schema: a label both sides have but with another description or scope
  is a conflict: ours is kept and their spans with it are still merged (the
  name is the same). Labels only they have are added to our schema (a new
  schema version), without a key if theirs is taken here; a name that differs
  from ours only by case cannot be added: a conflict, and their spans with it
  are skipped and reported.

Nothing is dropped silently: every skip and every kept-ours decision that
loses information is one line in ``MergeReport.conflicts``. The other file is
opened read-only, and everything is written in one transaction, so a failure
leaves our database as it was. Merging the same file twice changes nothing
the second time.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.errors import UserError
from tui.labels import Label, Schema, load_default, parse_schema
from tui.store import SCHEMA_VERSION, Store, connect_read_only, not_sqlite

ANNOTATION_FIELDS = ("article_id", "block_id", "start", "end", "text", "label", "scope", "note",
                     "annotator", "origin", "created_at", "updated_at", "deleted_at", "deleted_by")
USER_STATUSES = ("confirmed", "rejected")


@dataclass(slots=True)
class Conflict:
    kind: str  # label | article | annotation | link | override
    target: str
    message: str

    def line(self) -> str:
        return f"{self.kind} {self.target}: {self.message}"


@dataclass(slots=True)
class MergeReport:
    source: str
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    conflicts: list[Conflict] = field(default_factory=list)

    def conflict(self, kind: str, target: str, message: str) -> None:
        self.conflicts.append(Conflict(kind, target, message))

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) + sum(self.updated.values()))

    def summary(self) -> str:
        def fmt(c: Counter) -> str:
            return ", ".join(f"{n} {k}" for k, n in sorted(c.items()) if n) or "nothing"
        return (f"merged {self.source}: added {fmt(self.added)}; updated {fmt(self.updated)}; "
                f"{len(self.conflicts)} conflicts")

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "added": dict(self.added), "updated": dict(self.updated),
                "unchanged": dict(self.unchanged),
                "conflicts": [{"kind": c.kind, "target": c.target, "message": c.message}
                              for c in self.conflicts]}


# ------------------------------------------------------------------ opening
def open_other(path: str | os.PathLike[str], ours: Store | None = None) -> sqlite3.Connection:
    """Open another Parallax database read-only, refusing anything else in one line."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"{p} does not exist: give the path of another annotator's Parallax database")
    if p.is_dir():
        raise UserError(f"{p} is a folder: give the path of a Parallax database file")
    if ours is not None and os.path.exists(ours.path) and os.path.samefile(p, ours.path):
        raise UserError(f"{p} is the database being merged into: give another annotator's file")
    # the header is read by SQLite, never with open(): see tui.store._check_sqlite_file
    if p.stat().st_size == 0:
        raise UserError(f"{p} is not an SQLite database: give another annotator's Parallax database")
    try:
        conn = connect_read_only(p)  # nothing may appear beside their file
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as error:
        if not_sqlite(error):
            raise UserError(f"{p} is not an SQLite database: give another annotator's Parallax database"
                            ) from None
        raise UserError(f"cannot open {p}: {error}: is it a Parallax database?") from None
    if "parallax_meta" not in tables or not {"articles", "blocks", "annotations"} <= tables:
        conn.close()
        raise UserError(f"{p} is an SQLite database but not a Parallax one: nothing was merged")
    row = conn.execute("select value from parallax_meta where key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        conn.close()
        raise UserError(f"{p} was written by a newer Parallax (database schema {version}): "
                        "upgrade parallax before merging it")
    conn.row_factory = sqlite3.Row
    return conn


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return [dict(r) for r in cur.execute(sql, params)]


# ------------------------------------------------------------------ articles
@dataclass(slots=True)
class _Maps:
    article: dict[str, str] = field(default_factory=dict)  # theirs -> ours
    block: dict[str, str] = field(default_factory=dict)
    passage: dict[str, str] = field(default_factory=dict)


def _merge_articles(other: sqlite3.Connection, store: Store, report: MergeReport) -> _Maps:
    maps = _Maps()
    ours_by_hash = dict(store.db.execute("select content_hash, id from articles").fetchall())
    our_ids = set(ours_by_hash.values())
    for art in _rows(other, "select * from articles order by rowid"):
        tid = art["id"]
        oid = ours_by_hash.get(art["content_hash"])
        if oid is None:
            if tid in our_ids:
                report.conflict("article", tid, "this id holds another text here; article not merged")
                continue
            _copy_article(other, store, art)
            report.added["articles"] += 1
            maps.article[tid] = tid
            for b in _rows(other, "select id from blocks where article_id = ?", [tid]):
                maps.block[b["id"]] = b["id"]
            for p in _rows(other, "select id from passages where article_id = ?", [tid]):
                maps.passage[p["id"]] = p["id"]
            continue
        maps.article[tid] = oid
        report.unchanged["articles"] += 1
        ours = store.db.execute("select title, outlet, date, byline, url from articles where id = ?",
                                [oid]).fetchone()
        differs = [k for k, v in zip(("title", "outlet", "date", "byline", "url"), ours, strict=True)
                   if art[k] != v]
        if differs:
            report.conflict("article", oid, f"metadata differs ({', '.join(differs)}); kept ours")
        _pair_blocks(other, store, tid, oid, maps)
    return maps


def _copy_article(other: sqlite3.Connection, store: Store, art: dict[str, Any]) -> None:
    tid = art["id"]
    store.db["articles"].insert(art)
    for table, key in (("sources", "article_id"), ("blocks", "article_id"), ("passages", "article_id")):
        rows = _rows(other, f"select * from {table} where {key} = ?", [tid])
        if rows:
            store.db[table].insert_all(rows, batch_size=500)


def _pair_blocks(other: sqlite3.Connection, store: Store, tid: str, oid: str, maps: _Maps) -> None:
    """Pair their blocks with ours by text (in order), so anchors move only onto equal text."""
    ours = list(store.db.query("select id, seq, text_hash from blocks where article_id = ? order by seq", [oid]))
    free: dict[str, list[str]] = defaultdict(list)
    for b in ours:
        free[b["text_hash"]].append(b["id"])
    theirs = _rows(other, "select id, seq, text_hash from blocks where article_id = ? order by seq", [tid])
    by_seq = {b["seq"]: b for b in ours}
    for b in theirs:
        same = by_seq.get(b["seq"])
        if same is not None and same["text_hash"] == b["text_hash"] and same["id"] in free[b["text_hash"]]:
            match = same["id"]
        elif free[b["text_hash"]]:
            match = free[b["text_hash"]][0]
        else:
            continue
        free[b["text_hash"]].remove(match)
        maps.block[b["id"]] = match
    our_passages = {(p["block_id"], p["start"], p["end"]): p["id"] for p in store.db.query(
        "select id, block_id, start, end from passages where article_id = ?", [oid])}
    for p in _rows(other, "select id, block_id, start, end from passages where article_id = ?", [tid]):
        block = maps.block.get(p["block_id"])
        if block is not None and (block, p["start"], p["end"]) in our_passages:
            maps.passage[p["id"]] = our_passages[(block, p["start"], p["end"])]


def copy_articles(source: Store, target: Store) -> int:
    """Copy the articles ``target`` lacks (no annotations, links or overrides); returns how many.

    Used to give a fresh database the same articles, e.g. for round trips.
    """
    report = MergeReport(source.path)
    with target.transaction():
        _merge_articles(source.db.conn, target, report)
    return report.added["articles"]


# ------------------------------------------------------------------ schema
def _their_schema(other: sqlite3.Connection) -> Schema:
    tables = {r[0] for r in other.execute("select name from sqlite_master where type = 'table'")}
    if "schema_versions" in tables:
        row = other.execute("select toml, source from schema_versions order by version desc limit 1").fetchone()
        if row is not None and row[0]:
            try:
                return parse_schema(row[0], source=row[1])
            except UserError:
                pass
    if "labels" in tables:
        rows = _rows(other, "select * from labels order by position")
        if rows:
            return Schema("theirs", tuple(Label(r["name"], r["key"] or "", r["color"], r["description"] or "",
                                                r["scope"] or "span") for r in rows))
    return load_default()


def schema_toml(schema: Schema) -> str:
    """Write a schema back as TOML (JSON strings are valid TOML basic strings)."""
    out = [f"name = {json.dumps(schema.name)}", ""]
    for label in schema.labels:
        out += ["[[labels]]", f"name = {json.dumps(label.name)}", f"key = {json.dumps(label.key)}",
                f"color = {json.dumps(label.color)}", f"description = {json.dumps(label.description)}",
                f"scope = {json.dumps(label.scope)}", ""]
    return "\n".join(out)


def _merge_schema(other: sqlite3.Connection, store: Store, report: MergeReport, who: str) -> set[str]:
    """Reconcile label schemas; returns the label names their spans may use here."""
    ours = store.schema()
    mine = ours.by_name()
    upper = {name.upper(): name for name in mine}
    keys = {label.key for label in ours.labels if label.key}
    usable = set(mine)
    added: list[Label] = []
    for label in _their_schema(other).labels:
        have = mine.get(label.name)
        if have is not None:
            if (have.description, have.scope) != (label.description, label.scope):
                report.conflict("label", label.name,
                                f"means something else there (scope {label.scope}, "
                                f"{label.description!r}) than here (scope {have.scope}, "
                                f"{have.description!r}); kept ours")
            continue
        if label.name.upper() in upper:
            report.conflict("label", label.name, f"clashes with our label {upper[label.name.upper()]} "
                            "(names differ only by case); not added, its spans are skipped")
            continue
        key = label.key
        if key and key in keys:
            report.conflict("label", label.name, f"only there; added to our schema without a key "
                            f"(key {key!r} is taken here)")
            key = ""
        else:
            report.conflict("label", label.name, "only there; added to our schema")
        if key:
            keys.add(key)
        added.append(Label(label.name, key, label.color, label.description, label.scope))
        upper[label.name.upper()] = label.name
        usable.add(label.name)
    if added:
        schema = Schema(ours.name, ours.labels + tuple(added), source=f"merge of {report.source}")
        store.ensure_schema(schema, schema_toml(schema), who)
        report.added["labels"] += len(added)
    return usable


# ------------------------------------------------------------------ annotations
def _wins(theirs: dict[str, Any], ours: dict[str, Any]) -> bool:
    """Last writer wins; on equal times a tombstone beats a live span; then ours stays."""
    t, o = theirs["updated_at"] or "", ours["updated_at"] or ""
    if t != o:
        return t > o
    return theirs["deleted_at"] is not None and ours["deleted_at"] is None


#: What a span is: an imported copy equal on these is our own span come back.
_SPAN_FIELDS = ("block_id", "start", "end", "label", "annotator")


def _same_span_imported(theirs: dict[str, Any], ours: dict[str, Any]) -> bool:
    """Their row is our span carried through a JSONL export and import-annotations.

    JSONL carries no note or origin (and, before stop 17, no times: such a
    copy is stamped at its import and would win "last writer wins" against
    the original, wiping its note for nothing). A copy nobody changed since
    its import (same span, still live, no note) is not an edit.
    """
    return (theirs.get("origin") == "import" and theirs.get("note") in (None, "")
            and theirs.get("deleted_at") is None and ours.get("deleted_at") is None
            and theirs.get("created_at") == theirs.get("updated_at")
            and all(theirs.get(k) == ours.get(k) for k in _SPAN_FIELDS))


def _untouched_import(theirs: dict[str, Any]) -> bool:
    """Their row is a copy of a span we have (same id), imported and never edited since.

    Its time says when it was imported (or, from an export that carries span
    times, when the original was last changed), not that anyone changed it
    after our version: our own later relabel, note or removal must stay. An
    edit of the copy afterwards stamps ``updated_at`` anew and competes as usual.
    """
    return theirs.get("origin") == "import" and theirs.get("created_at") == theirs.get("updated_at") \
        and theirs.get("deleted_at") is None


def _merge_annotations(other: sqlite3.Connection, store: Store, maps: _Maps, labels: set[str],
                       report: MergeReport) -> None:
    block_text: dict[str, str] = {}
    ours_all = {r["id"]: r for r in store.db.query("select * from annotations")}
    for ann in _rows(other, "select * from annotations order by created_at, id"):
        aid = ann["id"]
        block = maps.block.get(ann["block_id"])
        if block is None:
            report.conflict("annotation", aid, f"its block {ann['block_id']} has no equal here "
                            "(article missing or segmented differently); skipped")
            continue
        if block not in block_text:
            block_text[block] = store.db.execute("select text from blocks where id = ?", [block]).fetchone()[0]
        if block_text[block][ann["start"]:ann["end"]] != ann["text"]:
            report.conflict("annotation", aid, "its text does not fit our block; skipped")
            continue
        if ann["label"] not in labels:
            report.conflict("annotation", aid, f"label {ann['label']} cannot be added here; skipped")
            continue
        row = {k: ann.get(k) for k in ANNOTATION_FIELDS}
        row["article_id"], row["block_id"] = maps.article[ann["article_id"]], block
        ours = ours_all.get(aid)
        if ours is None:
            store.db["annotations"].insert(dict(row, id=aid))
            ours_all[aid] = dict(row, id=aid)
            report.added["annotations"] += 1
            continue
        if all(ours[k] == row[k] for k in ANNOTATION_FIELDS) or _same_span_imported(row, ours) \
                or _untouched_import(row):
            report.unchanged["annotations"] += 1
        elif _wins(row, ours):
            store.db["annotations"].update(aid, row)
            ours_all[aid] = dict(row, id=aid)
            report.updated["annotations"] += 1
        else:
            report.unchanged["annotations"] += 1


# ------------------------------------------------------------------ links and overrides
def _merge_links(other: sqlite3.Connection, store: Store, maps: _Maps, report: MergeReport) -> None:
    tables = {r[0] for r in other.execute("select name from sqlite_master where type = 'table'")}
    if "links" not in tables:
        return
    for link in _rows(other, "select * from links order by id"):
        a, b = maps.passage.get(link["a"]), maps.passage.get(link["b"])
        if a is None or b is None:
            if link["status"] in USER_STATUSES:
                report.conflict("link", link["id"], f"{link['status']} by {link['status_by']}, but a "
                                "passage has no equal here; skipped")
            continue
        found = list(store.db.query("select * from links where id = ?", [link["id"]])) or list(
            store.db.query("select * from links where (a = ? and b = ?) or (a = ? and b = ?)", [a, b, b, a]))
        if not found:
            row = dict(link, a=a, b=b, a_article=maps.article.get(link["a_article"], link["a_article"]),
                       b_article=maps.article.get(link["b_article"], link["b_article"]))
            store.db["links"].insert(row)
            report.added["links"] += 1
            continue
        ours = found[0]
        theirs_user, ours_user = link["status"] in USER_STATUSES, ours["status"] in USER_STATUSES
        take = False
        if theirs_user and not ours_user:
            take = True
        elif theirs_user and ours_user and (link["status"], link["status_by"], link["status_at"]) != (
                ours["status"], ours["status_by"], ours["status_at"]):
            take = (link["status_at"] or "") > (ours["status_at"] or "")
            if link["status"] != ours["status"]:
                kept = "theirs (newer)" if take else "ours (newer)"
                report.conflict("link", ours["id"], f"{ours['status']} by {ours['status_by']} here, "
                                f"{link['status']} by {link['status_by']} there; kept {kept}")
        if take:
            store.db["links"].update(ours["id"], {"status": link["status"], "status_by": link["status_by"],
                                                  "status_at": link["status_at"]})
            report.updated["links"] += 1
        else:
            report.unchanged["links"] += 1


def _merge_overrides(other: sqlite3.Connection, store: Store, maps: _Maps, report: MergeReport) -> None:
    for b in _rows(other, "select id, override, override_by, override_at from blocks "
                          "where override_at is not null"):
        block = maps.block.get(b["id"])
        if block is None:
            report.conflict("override", b["id"], "block has no equal here; skipped")
            continue
        ours = store.db.execute("select override, override_by, override_at from blocks where id = ?",
                                [block]).fetchone()
        if tuple(ours) == (b["override"], b["override_by"], b["override_at"]):
            report.unchanged["overrides"] += 1
        elif ours[2] is None or b["override_at"] > ours[2]:
            store.db["blocks"].update(block, {"override": b["override"], "override_by": b["override_by"],
                                              "override_at": b["override_at"]})
            report.updated["overrides"] += 1
        else:
            report.unchanged["overrides"] += 1


def _merge_audit(other: sqlite3.Connection, store: Store, report: MergeReport) -> None:
    """Carry their audit trail over (deduplicated), so every annotator's link decisions survive.

    A link row holds one status; the audit keeps who decided what, which the
    agreement on links needs after a merge.
    """
    tables = {r[0] for r in other.execute("select name from sqlite_master where type = 'table'")}
    if "audit" not in tables:
        return
    fields = ("at", "annotator", "action", "target", "before", "after")
    cols = ", ".join(f'"{f}"' for f in fields)
    ours = set(store.db.execute(f"select {cols} from audit").fetchall())
    new = [dict(zip(fields, r, strict=True)) for r in other.execute(f"select {cols} from audit order by id")
           if tuple(r) not in ours]
    if new:
        store.db["audit"].insert_all(new, batch_size=1000)
        report.added["audit entries"] += len(new)


# ------------------------------------------------------------------ entry point
def merge_database(store: Store, other_path: str | os.PathLike[str], *, annotator: str) -> MergeReport:
    """Merge one other database into ``store`` in one transaction; see the module doc."""
    other = open_other(other_path, store)
    report = MergeReport(str(other_path))
    try:
        with store.transaction():
            labels = _merge_schema(other, store, report, annotator)
            maps = _merge_articles(other, store, report)
            _merge_annotations(other, store, maps, labels, report)
            _merge_links(other, store, maps, report)
            _merge_overrides(other, store, maps, report)
            _merge_audit(other, store, report)
            if report.changed:
                store.audit(annotator, "merge", str(other_path), None,
                             {"added": dict(report.added), "updated": dict(report.updated),
                              "conflicts": len(report.conflicts)})
    finally:
        other.close()
    return report


def merge_databases(store: Store, paths: list[str], *, annotator: str) -> list[MergeReport]:
    """Check every file first (so a bad one merges nothing), then merge them in order."""
    for path in paths:
        open_other(path, store).close()
    return [merge_database(store, path, annotator=annotator) for path in paths]
