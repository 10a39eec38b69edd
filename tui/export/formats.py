"""Writers for each export format, all fed the same records (see records.py).

Each writer takes the records iterator and a temporary path to write (the
caller moves it into place atomically) and returns problems it wants in the
report (e.g. spans spaCy could not align). Optional libraries (spaCy) are
imported only when their format is asked for.
"""

from __future__ import annotations

import csv
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.errors import UserError
from tui.export.records import NOTES, SENTENCES, public

Records = Iterable[dict[str, Any]]
Writer = Callable[[Records, Path], list[str]]


@dataclass(frozen=True, slots=True)
class FormatInfo:
    name: str
    description: str
    extension: str
    carries_links: bool = False  # whether the file holds links at all (the manifest counts them)


class Problems(list):
    """A writer's problem lines, and how many spans it could not write (``left_out``).

    The manifest's ``counts.spans`` says what is in the file: a format that
    cannot hold a span (CoNLL's one tag per token) takes it off the count.
    """

    left_out: int = 0


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
                      ("label", pa.string()), ("text", pa.string()), ("annotator", pa.string()),
                      ("created_at", pa.string()), ("updated_at", pa.string())])
    link = pa.struct([("start", pa.int64()), ("end", pa.int64()),
                      ("target_article", pa.string()), ("target_start", pa.int64()),
                      ("target_end", pa.int64()), ("score", pa.float64()),
                      ("status", pa.string())])
    meta = pa.struct([("title", pa.string()), ("title_derived", pa.bool_()),
                      *((k, pa.string()) for k in ("outlet", "date", "byline", "url", "path"))])
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


#: Words (with inner hyphens and apostrophes) and single punctuation marks:
#: the tokens NER tools expect in CoNLL files.
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


def write_conll(records: Records, out: Path) -> list[str]:
    """CoNLL-2003-style BIO tags: a token and its tag per line, a blank line between sentences.

    Each article starts with a ``-DOCSTART- -X- O O`` line (the form
    CoNLL-2003 readers skip and ``spacy convert`` splits documents at), in
    the order of the JSONL export (import order); sentences are the app's
    passages, and tokens are words and single punctuation marks. BIO has
    one tag per token, so a span overlapping an earlier one (in start order,
    longer first) is left out and reported, and a span whose ends fall
    inside a token takes the whole token, also reported. Spans by several
    annotators share one tag layer: export one annotator at a time
    (``--annotator``) for separate layers.
    """
    problems = Problems()
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        for r in records:
            text = r["text"]
            tokens = [m.span() for m in _TOKEN.finditer(text)]
            tags = ["O"] * len(tokens)
            starts = [a for a, _ in tokens]
            annotators = {s["annotator"] for s in r["spans"]}
            if len(annotators) > 1:
                problems.append(f"{r['id']}: spans by {len(annotators)} annotators share one tag "
                                "layer; export with --annotator for one layer each")
            for s in sorted(r["spans"], key=lambda s: (s["start"], -(s["end"] - s["start"]))):
                start, end = s["start"], s["end"]
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                first = bisect_right(starts, start) - 1
                if first < 0 or tokens[first][1] <= start:
                    first += 1
                inside = []
                i = max(first, 0)
                while i < len(tokens) and tokens[i][0] < end:
                    inside.append(i)
                    i += 1
                if not inside:
                    problems.append(f"{r['id']}: span {s['id']} ({s['start']}-{s['end']}) has no tokens; left out")
                    problems.left_out += 1
                    continue
                if any(tags[i] != "O" for i in inside):
                    problems.append(f"{r['id']}: span {s['id']} overlaps an earlier span; BIO "
                                    "has one tag per token, so it is left out")
                    problems.left_out += 1
                    continue
                if tokens[inside[0]][0] != start or tokens[inside[-1]][1] != end:
                    problems.append(f"{r['id']}: span {s['id']} {s['start']}-{s['end']} widened to "
                                    f"token boundaries {tokens[inside[0]][0]}-{tokens[inside[-1]][1]}")
                tags[inside[0]] = f"B-{s['label']}"
                for i in inside[1:]:
                    tags[i] = f"I-{s['label']}"
            fh.write("-DOCSTART- -X- O O\n\n")
            k = 0
            for a, b in _sentences(text, r.get(SENTENCES)):
                wrote = False
                while k < len(tokens) and tokens[k][0] < b:
                    if tokens[k][0] >= a:
                        ts, te = tokens[k]
                        fh.write(f"{text[ts:te]}\t{tags[k]}\n")
                        wrote = True
                    k += 1
                if wrote:
                    fh.write("\n")
    return problems


def _sentences(text: str, stored: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
    """Sentence spans of a record's text: its stored passages where they cover a
    paragraph (every block's passages tile its text), else the paragraph split
    again (the title, or records built without passages)."""
    from tui.sentences import split_sentences

    stored = stored or []
    out: list[tuple[int, int]] = []
    j = 0
    for start, end in _paragraphs(text):
        while j < len(stored) and stored[j][1] <= start:
            j += 1
        inside = []
        while j < len(stored) and stored[j][0] < end:
            inside.append(stored[j])
            j += 1
        para = text[start:end]
        covered = bool(inside) and inside[0][0] == start + len(para) - len(para.lstrip()) \
            and inside[-1][1] == end - (len(para) - len(para.rstrip())) \
            and all(not text[x[1]:y[0]].strip() for x, y in zip(inside, inside[1:], strict=False))
        if covered:
            out.extend(inside)
        else:
            out.extend((start + a, start + b) for a, b in split_sentences(para))
    return out


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of the paragraphs of a record's text, split where ``text.compose`` joined them."""
    from tui.export.text import SEPARATOR

    out, pos = [], 0
    for part in text.split(SEPARATOR):
        if part.strip():
            out.append((pos, pos + len(part)))
        pos += len(part) + len(SEPARATOR)
    return out


def write_brat(records: Records, out: Path) -> list[str]:
    """brat standoff in a zip: ``<id>.txt`` and ``<id>.ann`` per article, and an ``annotation.conf``.

    Each span is a text-bound annotation (``T1<TAB>LABEL start end<TAB>text``,
    character offsets into the ``.txt``, which is the record's clean text);
    its annotator, and its note when there is one, go in an
    ``AnnotatorNotes`` line, since brat has no annotator field. Links join
    passages of two different articles, which brat's relations (inside one
    document) cannot express: they stay in the JSONL and Parquet exports.
    ``annotation.conf`` lists the labels the spans use. Unzip the file into
    brat's data folder (or import it into INCEpTION as "brat").
    """
    import zipfile

    from tui.export.atomic import final_name

    folder = Path(final_name(out)).stem
    labels: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for r in records:
            text = r["text"]
            notes = r.get(NOTES, {})
            lines = []
            for n, s in enumerate(r["spans"], 1):
                labels.add(s["label"])
                lines.append(f"T{n}\t{s['label']} {s['start']} {s['end']}\t{s['text']}")
                note = f"annotator: {s['annotator']}"
                if notes.get(s["id"]):
                    note += f"; note: {' '.join(notes[s['id']].split())}"
                lines.append(f"#{n}\tAnnotatorNotes T{n}\t{note}")
            zf.writestr(f"{folder}/{r['id']}.txt", text)
            zf.writestr(f"{folder}/{r['id']}.ann", "".join(line + "\n" for line in lines))
        conf = ["[entities]", *sorted(labels), "", "[relations]", "", "[events]", "", "[attributes]", ""]
        zf.writestr(f"{folder}/annotation.conf", "\n".join(conf) + "\n")
    return []


WRITERS: dict[str, tuple[FormatInfo, Writer]] = {
    "jsonl": (FormatInfo("jsonl", "JSON lines, one article per line (the Parallax dataset contract)",
                         ".jsonl", carries_links=True), write_jsonl),
    "doccano": (FormatInfo("doccano", "doccano sequence-labelling JSONL: text + [start, end, label]",
                           ".jsonl"), write_doccano),
    "label-studio": (FormatInfo("label-studio", "Label Studio task list (JSON), one annotation per annotator",
                                ".json"), write_label_studio),
    "spacy": (FormatInfo("spacy", "spaCy DocBin with spans in doc.spans['sc'] (needs parallax[spacy])",
                         ".spacy"), write_spacy),
    "csv": (FormatInfo("csv", "CSV, one row per span, with notes", ".csv"), write_csv),
    "parquet": (FormatInfo("parquet", "Parquet, one row per article with nested spans and links",
                           ".parquet", carries_links=True), write_parquet),
    "conll": (FormatInfo("conll", "CoNLL BIO tags, a token and its tag per line (NER tools)",
                         ".conll"), write_conll),
    "brat": (FormatInfo("brat", "brat standoff (.txt + .ann per article) in a zip, for brat and INCEpTION",
                        ".zip"), write_brat),
}
