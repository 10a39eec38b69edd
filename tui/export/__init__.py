"""Export the labeled dataset (and read it back): the core behind `parallax export`.

The app and the CLI call :func:`export_dataset`; it validates the filters,
derives the chosen format from the JSONL records (records.py), writes the file
atomically, then the label schema and a manifest beside it:

* ``<stem>.schema.json``: the labels (name, key, color, description, scope),
  the schema's version in the database and its content hash;
* ``<stem>.manifest.json``: format, counts, filters, tool version, time and the
  sha256 of the data file, so a dataset can be checked and cited.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tui import __version__
from tui.errors import UserError
from tui.export.atomic import atomic_path, check_writable, sha256_file, write_text_atomic
from tui.export.formats import WRITERS, FormatInfo
from tui.export.load import LoadReport, import_annotations
from tui.export.records import Counts, Progress, build_records, resolve_selection
from tui.export.text import ArticleText, article_text
from tui.store import Store, now

#: Export formats: name -> description and default file extension.
FORMATS: dict[str, FormatInfo] = {name: info for name, (info, _) in WRITERS.items()}

MANIFEST_VERSION = 1


@dataclass(slots=True)
class ExportReport:
    """What an export wrote; ``problems`` lists spans a format could not carry exactly."""

    format: str
    path: str
    schema_path: str
    manifest_path: str
    counts: dict[str, int]
    filters: dict[str, list[str]]
    sha256: str
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.counts
        hidden = (f", {c['spans_on_hidden_blocks']} spans on hidden blocks left out"
                  if c.get("spans_on_hidden_blocks") else "")
        return (f"exported {c['articles']} articles, {c['spans']} spans, {c['links']} links "
                f"as {self.format} to {self.path}{hidden}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sidecar_paths(out: Path) -> tuple[Path, Path]:
    """``data.jsonl`` -> ``data.schema.json``, ``data.manifest.json`` (same folder)."""
    return (out.with_name(f"{out.stem}.schema.json"), out.with_name(f"{out.stem}.manifest.json"))


def label_schema_document(store: Store) -> dict[str, Any]:
    schema = store.schema()
    return {
        "name": schema.name,
        "version": store.schema_version_number(),
        "hash": schema.digest,
        "labels": [{"name": lb.name, "key": lb.key, "color": lb.color,
                    "description": lb.description, "scope": lb.scope} for lb in schema.labels],
    }


def export_dataset(
    store: Store,
    fmt: str,
    out_path: str | Path,
    *,
    annotators: list[str] | tuple[str, ...] | None = None,
    labels: list[str] | tuple[str, ...] | None = None,
    articles: list[str] | tuple[str, ...] | None = None,
    links: str = "confirmed",
    progress: Progress | None = None,
) -> ExportReport:
    """Write the dataset in ``fmt`` to ``out_path`` plus its schema and manifest files.

    ``links`` picks the link statuses exported: "confirmed" (default),
    "suggested" (confirmed and still-open suggestions) or "all" (rejected ones
    too, as negatives); every link carries its ``status``.
    ``progress(done, total)`` is called once per article (the app shows a bar).
    Raises UserError for an unknown format, an unwritable path or an unknown
    filter value, before anything is written.
    """
    if fmt not in WRITERS:
        raise UserError(f"unknown export format {fmt!r}: use one of {', '.join(WRITERS)}")
    out = Path(out_path)
    schema_path, manifest_path = sidecar_paths(out)
    for p in (out, schema_path, manifest_path):
        check_writable(p)
    selection = resolve_selection(store, annotators, labels, articles, links)
    info, writer = WRITERS[fmt]
    counts = Counts()
    # A read transaction: the export sees one consistent state even while others write.
    own = not store.db.conn.in_transaction
    if own:
        store.db.execute("BEGIN")
    try:
        with atomic_path(out) as tmp:
            records = build_records(store, selection, counts, progress,
                                    sentences=fmt == "conll")
            problems = writer(records, tmp)
            digest = sha256_file(tmp)
        schema_doc = label_schema_document(store)
    finally:
        if own:
            store.db.execute("COMMIT")
    write_text_atomic(schema_path, json.dumps(schema_doc, ensure_ascii=False, indent=2) + "\n")
    count_dict = dict(counts.as_dict(), labels=len(schema_doc["labels"]))
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "format": fmt,
        "file": out.name,
        "sha256": digest,
        "counts": count_dict,
        "filters": selection.as_dict(),
        "schema_file": schema_path.name,
        "schema_hash": schema_doc["hash"],
        "tool": {"name": "parallax", "version": __version__},
        "created_at": now(),
        "problems": problems,
    }
    write_text_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return ExportReport(fmt, str(out), str(schema_path), str(manifest_path), count_dict,
                        selection.as_dict(), digest, problems)


__all__ = ["FORMATS", "ArticleText", "ExportReport", "LoadReport", "article_text", "export_dataset",
           "import_annotations", "label_schema_document", "sidecar_paths"]
