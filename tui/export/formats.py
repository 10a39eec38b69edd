"""Writers for each export format, all fed the same records (see records.py).

Each writer takes the records iterator and a temporary path to write (the
caller moves it into place atomically) and returns problems it wants in the
report (e.g. spans spaCy could not align). Optional libraries (spaCy) are
imported only when their format is asked for.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.errors import UserError
from tui.export.records import NOTES, public

Records = Iterable[dict[str, Any]]
Writer = Callable[[Records, Path], list[str]]


@dataclass(frozen=True, slots=True)
class FormatInfo:
    name: str
    description: str
    extension: str


def write_jsonl(records: Records, out: Path) -> list[str]:
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(public(record), ensure_ascii=False))
            fh.write("\n")
    return []


def write_doccano(records: Records, out: Path) -> list[str]:
    """doccano sequence labelling JSONL: ``{"text", "label": [[start, end, label]]}``."""
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        for r in records:
            row = {"id": r["id"], "text": r["text"],
                   "label": [[s["start"], s["end"], s["label"]] for s in r["spans"]]}
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")
    return []


def write_label_studio(records: Records, out: Path) -> list[str]:
    """A Label Studio task list: one task per article, one annotation per annotator.

    The labelling config this matches is ``<Labels name="label" toName="text">``
    over ``<Text name="text" value="$text"/>``. Label Studio identifies users
    by its own ids, so the annotator's name is kept in ``data.annotators`` (in
    annotation order) and in each annotation's ``parallax_annotator``.
    """
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("[")
        for n, r in enumerate(records):
            by_annotator: dict[str, list[dict]] = {}
            for s in r["spans"]:
                by_annotator.setdefault(s["annotator"], []).append({
                    "id": s["id"], "from_name": "label", "to_name": "text", "type": "labels",
                    "value": {"start": s["start"], "end": s["end"], "text": s["text"],
                              "labels": [s["label"]]},
                })
            task = {
                "data": {"text": r["text"], "article_id": r["id"], **r["meta"],
                         "annotators": list(by_annotator)},
                "annotations": [{"result": result, "ground_truth": False, "was_cancelled": False,
                                 "parallax_annotator": name}
                                for name, result in by_annotator.items()],
            }
            fh.write(",\n" if n else "\n")
            fh.write(json.dumps(task, ensure_ascii=False))  # dumps (C encoder), not dump
        fh.write("\n]\n")
    return []


CSV_COLUMNS = ("article_id", "outlet", "title", "span_id", "start", "end", "label", "text",
               "annotator", "note")


def write_csv(records: Records, out: Path) -> list[str]:
    """One row per span (UTF-8, RFC 4180 quoting; spreadsheet- and pandas-friendly)."""
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for r in records:
            notes = r.get(NOTES, {})
            for s in r["spans"]:
                writer.writerow([r["id"], r["meta"]["outlet"], r["meta"]["title"], s["id"],
                                 s["start"], s["end"], s["label"], s["text"], s["annotator"],
                                 notes.get(s["id"], "")])
    return []


def parquet_schema():  # -> pyarrow.Schema (pyarrow imported lazily)
    """One row per article, nested spans and links; the same shape as a JSONL record."""
    import pyarrow as pa

    span = pa.struct([("id", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                      ("label", pa.string()), ("text", pa.string()), ("annotator", pa.string())])
    link = pa.struct([("start", pa.int64()), ("end", pa.int64()),
                      ("target_article", pa.string()), ("target_start", pa.int64()),
                      ("target_end", pa.int64()), ("score", pa.float64()),
                      ("status", pa.string())])
    meta = pa.struct([(k, pa.string()) for k in ("title", "outlet", "date", "byline", "url", "path")])
    return pa.schema([("id", pa.string()), ("text", pa.string()), ("meta", meta),
                      ("spans", pa.list_(span)), ("links", pa.list_(link))])


def write_parquet(records: Records, out: Path, batch: int = 2000) -> list[str]:
    """Parquet in row groups of ``batch`` articles, so memory stays bounded."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        rows: list[dict] = []
        for r in records:
            rows.append(public(r))
            if len(rows) >= batch:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return []


def write_spacy(records: Records, out: Path) -> list[str]:
    """A spaCy DocBin: spans in ``doc.spans["sc"]`` (overlaps allowed), one Doc per article.

    Character spans are snapped outwards to token boundaries
    (``alignment_mode="expand"``); a span that changes by this is reported.
    """
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        raise UserError(
            "the spacy format needs spaCy, which is not installed: pip install 'parallax[spacy]'"
        ) from None
    nlp = spacy.blank("xx")
    docbin = DocBin(store_user_data=True)
    problems: list[str] = []
    for r in records:
        doc = nlp.make_doc(r["text"])
        spans = []
        for s in r["spans"]:
            span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")
            if span is None:
                problems.append(f"{r['id']}: span {s['id']} ({s['start']}-{s['end']}) has no tokens; left out")
                continue
            if (span.start_char, span.end_char) != (s["start"], s["end"]):
                problems.append(
                    f"{r['id']}: span {s['id']} {s['start']}-{s['end']} widened to token "
                    f"boundaries {span.start_char}-{span.end_char}"
                )
            spans.append(span)
        doc.spans["sc"] = spans
        doc.user_data["id"] = r["id"]
        doc.user_data["annotators"] = [s["annotator"] for s in r["spans"]]
        docbin.add(doc)
    docbin.to_disk(out)
    return problems


WRITERS: dict[str, tuple[FormatInfo, Writer]] = {
    "jsonl": (FormatInfo("jsonl", "JSON lines, one article per line (the Parallax dataset contract)",
                         ".jsonl"), write_jsonl),
    "doccano": (FormatInfo("doccano", "doccano sequence-labelling JSONL: text + [start, end, label]",
                           ".jsonl"), write_doccano),
    "label-studio": (FormatInfo("label-studio", "Label Studio task list (JSON), one annotation per annotator",
                                ".json"), write_label_studio),
    "spacy": (FormatInfo("spacy", "spaCy DocBin with spans in doc.spans['sc'] (needs parallax[spacy])",
                         ".spacy"), write_spacy),
    "csv": (FormatInfo("csv", "CSV, one row per span, with notes", ".csv"), write_csv),
    "parquet": (FormatInfo("parquet", "Parquet, one row per article with nested spans and links",
                           ".parquet"), write_parquet),
}
