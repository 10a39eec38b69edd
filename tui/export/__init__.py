"""Export the labeled dataset (and read it back): the core behind `parallax export`.

The app and the CLI call :func:`export_dataset`; it validates the filters,
derives the chosen format from the JSONL records (records.py), writes the file
atomically, then the label schema and a manifest beside it:

* ``<stem>.schema.json``: the labels (name, key, color, description, scope),
  the schema's version in the database and its content hash;
* ``<stem>.manifest.json``: format, counts, filters, tool version, time and the
  sha256 of the data file, so a dataset can be checked and cited.

Two exports sharing a stem (``d.parquet`` then ``d.csv``) must not destroy
each other's manifest: :func:`choose_sidecars` keeps ``<stem>.*`` for the
export a manifest there describes (or when there is none), and gives any
other data file ``<name>.schema.json`` / ``<name>.manifest.json``
(``d.csv.manifest.json``), saying so in the report's ``notices``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tui import __version__
from tui.errors import UserError
from tui.export.atomic import (
    atomic_path,
    check_writable,
    make_parent,
    sha256_file,
    write_text_atomic,
)
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
    #: Things done that the user did not ask for in so many words: sidecars named
    #: after the whole file name, a folder created. One line each.
    notices: list[str] = field(default_factory=list)
    #: The top-most folder this export created (``make_folders``), or None.
    created_folder: str | None = None

    def summary(self) -> str:
        c = self.counts
        hidden = (f", {c['spans_on_hidden_blocks']} spans on hidden blocks left out"
                  if c.get("spans_on_hidden_blocks") else "")
        if c.get("spans_unplaced"):
            hidden += f", {c['spans_unplaced']} spans the text has no place for left out"
        if c.get("spans_left_out_by_format"):
            hidden += f", {c['spans_left_out_by_format']} spans {self.format} cannot hold left out"
        info = WRITERS.get(self.format)
        links = f"{c['links']} links " if info is None or info[0].carries_links else ""
        return (f"exported {c['articles']} articles, {c['spans']} spans, {links}"
                f"as {self.format} to {self.path}{hidden}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sidecar_paths(out: Path) -> tuple[Path, Path]:
    """``data.jsonl`` -> ``data.schema.json``, ``data.manifest.json`` (same folder).

    The documented names; :func:`choose_sidecars` decides whether an export may use them.
    """
    return (out.with_name(f"{out.stem}.schema.json"), out.with_name(f"{out.stem}.manifest.json"))


def _full_name_sidecars(out: Path) -> tuple[Path, Path]:
    """``d.csv`` -> ``d.csv.schema.json``, ``d.csv.manifest.json``: unique per data file name."""
    return (out.with_name(f"{out.name}.schema.json"), out.with_name(f"{out.name}.manifest.json"))


def _described_file(manifest: Path) -> str | None:
    """The data file a manifest names, "" when the file is there but is not a
    readable manifest (someone else's file: not ours to replace), None when absent."""
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return ""
    name = doc.get("file") if isinstance(doc, dict) else None
    return name if isinstance(name, str) else ""


def choose_sidecars(out: Path, out_field: str = "--out") -> tuple[Path, Path, str | None]:
    """Schema and manifest paths for ``out``, and a notice when they are not ``<stem>.*``.

    Scripts look for ``<stem>.manifest.json``, so that is used whenever it is
    free or already describes ``out`` (re-exporting replaces its own
    sidecars). When it describes another data file of the same stem
    (``d.parquet`` vs ``d.csv``), or is not a manifest at all, it is left
    alone and ``out`` gets ``<name>.schema.json`` / ``<name>.manifest.json``
    instead. A full-name manifest that already describes ``out`` wins over a
    free ``<stem>`` one, so an export never ends up with two manifests of
    different ages. Raises UserError when both names belong to other files.
    """
    stem_pair, full_pair = sidecar_paths(out), _full_name_sidecars(out)
    on_stem, on_full = _described_file(stem_pair[1]), _described_file(full_pair[1])
    if stem_pair == full_pair and on_stem not in (None, out.name):  # no extension: one name only
        raise UserError(f"cannot write the manifest of {out}: {stem_pair[1].name} belongs to "
                        f"{on_stem or 'another file (not a manifest)'}; give the file an extension "
                        f"(e.g. {out.name}.jsonl) or choose another {out_field}")
    if on_stem == out.name:
        return (*stem_pair, None)
    if on_full == out.name:
        return (*full_pair, _renamed_notice(stem_pair[1], on_stem, full_pair))
    if on_stem is None:
        return (*stem_pair, None)
    if on_full is None:
        return (*full_pair, _renamed_notice(stem_pair[1], on_stem, full_pair))
    raise UserError(f"cannot write the manifest of {out}: {stem_pair[1].name} and "
                    f"{full_pair[1].name} belong to other files ({on_stem or 'not a manifest'}, "
                    f"{on_full or 'not a manifest'}); choose another {out_field}")


def _renamed_notice(stem_manifest: Path, owner: str | None, pair: tuple[Path, Path]) -> str:
    """One line saying why this export's sidecars are not ``<stem>.*`` (scripts look there)."""
    if owner is None:  # <stem>.manifest.json is gone: keep the names of the earlier export
        why = f"{pair[1].name} already describes this file"
    elif owner:
        why = f"{stem_manifest.name} describes {owner} and was kept"
    else:
        why = f"{stem_manifest.name} is not a Parallax manifest and was kept"
    return f"{why}; this export's schema and manifest are {pair[0].name} and {pair[1].name}"


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
    make_folders: bool = False,
    out_field: str = "--out",
) -> ExportReport:
    """Write the dataset in ``fmt`` to ``out_path`` plus its schema and manifest files.

    ``links`` picks the link statuses exported: "confirmed" (default),
    "suggested" (confirmed and still-open suggestions) or "all" (rejected ones
    too, as negatives); every link carries its ``status``.
    ``progress(done, total)`` is called once per article (the app shows a bar).
    ``make_folders`` creates missing folders above ``out_path`` (the app's
    dialog: its user has no shell), once everything else has been checked;
    the command line leaves it off, so a mistyped folder is refused.
    ``out_field`` is what error messages call the path: ``--out`` for the
    command, ``path`` for the dialog's field.
    Raises UserError for an unknown format, an unwritable path or an unknown
    filter value, before anything is written.
    """
    if fmt not in WRITERS:
        raise UserError(f"unknown export format {fmt!r}: use one of {', '.join(WRITERS)}")
    out = Path(out_path)
    check_writable(out, out_field, make_folders)
    schema_path, manifest_path, renamed = choose_sidecars(out, out_field)
    for p in (schema_path, manifest_path):
        check_writable(p, out_field, make_folders)
    selection = resolve_selection(store, annotators, labels, articles, links)
    created = make_parent(out, out_field) if make_folders else None
    notices = [f"created folder {created}"] if created is not None else []
    if renamed:
        notices.append(renamed)
    info, writer = WRITERS[fmt]
    counts = Counts()
    # A read transaction: the export sees one consistent state even while others write.
    own = not store.db.conn.in_transaction
    if own:
        store.db.execute("BEGIN")
    try:
        with atomic_path(out, out_field) as tmp:
            records = build_records(store, selection, counts, progress,
                                    sentences=fmt == "conll")
            problems = writer(records, tmp)
            digest = sha256_file(tmp)
        schema_doc = label_schema_document(store)
    finally:
        if own:
            store.db.execute("COMMIT")
    write_text_atomic(schema_path, json.dumps(schema_doc, ensure_ascii=False, indent=2) + "\n",
                      out_field)
    # counts say what is in the file: no links where the format has none (csv,
    # doccano, conll, brat...), no span a format could not hold (CoNLL overlaps)
    if not info.carries_links:
        counts.links = counts.links_on_hidden_blocks = 0
    counts.spans -= getattr(problems, "left_out", 0)
    count_dict = dict(counts.as_dict(), labels=len(schema_doc["labels"]))
    if getattr(problems, "left_out", 0):
        count_dict["spans_left_out_by_format"] = problems.left_out
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
    write_text_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                      out_field)
    return ExportReport(fmt, str(out), str(schema_path), str(manifest_path), count_dict,
                        selection.as_dict(), digest, problems, notices,
                        None if created is None else str(created))


__all__ = ["FORMATS", "ArticleText", "ExportReport", "LoadReport", "article_text", "choose_sidecars",
           "export_dataset", "import_annotations", "label_schema_document", "sidecar_paths"]
