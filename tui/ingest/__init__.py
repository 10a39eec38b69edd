"""Read files from disk into ``RawDocument``s, one per article.

Reading is separated from cleaning and storing so that a broken file is
reported (with the reason and, for JSONL, the line) without touching the
database, and so the benchmarks can feed the cleaner without a store.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tui.errors import UserError
from tui.ingest.decode import decode_bytes
from tui.model import RawDocument, location
from tui.textsafe import path_text, strip_controls

EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
              ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
#: An article larger than this is almost certainly not one article; refuse it
#: before it costs minutes of cleaning. ``--max-mb`` raises it.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: A text or Markdown "line" longer than this is a dump (minified data, a log,
#: base64), not prose: no article has a 1 MB paragraph. HTML is exempt because
#: minified pages are legitimately one line.
MAX_LINE_CHARS = 1_000_000
_HINT_FIELDS = ("title", "outlet", "date", "url", "byline")
_KNOWN = ".txt, .md, .html, .htm or .jsonl"


@dataclass(slots=True)
class Problem:
    """A file (or JSONL line) that could not be read, with a one-line reason."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{location(self.path, self.line)}: {self.reason}"


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders (recursively) into supported files, sorted.

    A named path that is missing or has an unknown extension is a problem; files
    inside folders with other extensions (images, .DS_Store) are simply ignored.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            problems.append(Problem(path_text(p), "no such file or folder: check the path"))
        elif p.is_dir():
            found = 0
            for child in sorted(p.rglob("*")):
                if (child.is_file() and child.suffix.lower() in EXTENSIONS
                        and not child.name.startswith(".")):
                    found += 1
                    if child.resolve() not in seen:
                        seen.add(child.resolve())
                        files.append(child)
            if not found:
                # a typo'd or wrong folder must not look like a successful import of nothing
                problems.append(Problem(path_text(p), f"has no {_KNOWN} files (searched recursively): "
                                                      "check the folder"))
        elif not p.is_file():
            problems.append(Problem(path_text(p), "is not a regular file (a pipe, socket or device?): save it to a file first"))
        elif p.suffix.lower() not in EXTENSIONS:
            problems.append(
                Problem(path_text(p), f"unsupported file type {path_text(p.suffix) or '(none)'!r}: import {_KNOWN}")
            )
        elif p.resolve() not in seen:
            seen.add(p.resolve())
            files.append(p)
    return files, problems


#: The largest JSONL feed read (it is read whole); articles in it are limited one by one.
MAX_FEED_BYTES = 2 * 1024 ** 3


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[RawDocument | Problem]:
    """Yield the documents of one file, or a Problem for each part that is broken."""
    name = path_text(path)
    feed = path.suffix.lower() == ".jsonl"
    try:
        size = path.stat().st_size
        # a JSONL feed holds many articles: the limit is per line (_read_jsonl), and the
        # file only has to fit in memory; a 47 MB feed of 3,000 articles was refused
        # as "over the 20 MB limit for one article", with no --max-mb in the app
        limit = MAX_FEED_BYTES if feed else max_bytes
        if size > limit:
            yield Problem(name, f"file is {size / 1048576:.0f} MB, over the {limit / 1048576:.0f} MB limit "
                                f"for {'one feed' if feed else 'one article'}: split it"
                                f"{'' if feed else ', or pass --max-mb'}")
            return
        data = path.read_bytes()
    except PermissionError:
        yield Problem(name, "permission denied: make the file readable")
        return
    except OSError as exc:
        yield Problem(name, f"cannot read file: {exc.strerror}")
        return
    fmt = EXTENSIONS.get(path.suffix.lower(), "txt")
    try:
        text, encoding, note = decode_bytes(data, name)
    except UserError as exc:
        yield Problem(name, exc.message.removeprefix(f"{name} ").removeprefix(f"{name}: "))
        return
    text = strip_controls(text)
    if fmt == "jsonl":
        yield from _read_jsonl(name, text, encoding, note, max_bytes)
        return
    if fmt == "txt" and _sniff_html(text):
        fmt = "html"
        note = "; ".join(filter(None, [note, "content is HTML: cleaned as HTML"]))
    if not text.strip():
        yield Problem(name, "has no text after removing control characters: nothing to import")
        return
    if fmt != "html" and len(text) > MAX_LINE_CHARS:
        longest = max(map(len, text.splitlines()), default=0)
        if longest > MAX_LINE_CHARS:
            yield Problem(name, f"has a single line of {longest / 1e6:.1f} million characters, which is not article text (a data dump or minified file?): split it into paragraphs")
            return
    yield RawDocument(path=name, text=text, format=fmt, encoding=encoding, encoding_note=note)


def _sniff_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def _read_jsonl(name: str, text: str, encoding: str, note: str,
                max_bytes: int = 0) -> Iterator[RawDocument | Problem]:
    any_line = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        any_line = True
        # a character is 1-4 bytes: only a line that may be over the limit is encoded to tell
        if max_bytes and len(line) * 4 > max_bytes and (size := len(line.encode("utf-8"))) > max_bytes:
            yield Problem(name, f"line is {size / 1048576:.0f} MB, over the "
                                f"{max_bytes / 1048576:.0f} MB limit for one article: split it, "
                                "or pass --max-mb", number)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(name, f"not valid JSON ({exc.msg} at column {exc.colno}): fix or remove the line", number)
            continue
        except RecursionError:
            yield Problem(name, "not valid JSON for an article (nested too deeply): fix or remove the line",
                          number)
            continue
        if not isinstance(record, dict):
            yield Problem(name, "is not a JSON object: write one {\"text\": ...} object per line", number)
            continue
        if "spans" in record and isinstance(record.get("meta"), dict):
            # a record of `parallax export` (text, meta, spans): imported as an article it
            # became a copy of its own article, its spans and metadata silently dropped.
            # Said once for the file: such a file is an export through and through.
            yield Problem(name, f"line {number} is a record of a Parallax dataset export (text, meta, "
                                "spans), not an article: load such a file with "
                                "`parallax import-annotations`; no line from there on was imported")
            return
        body, fmt = record.get("text"), "txt"
        if not isinstance(body, str) or not body.strip():
            body, fmt = record.get("html"), "html"
        if not isinstance(body, str) or not body.strip():
            yield Problem(name, "has no \"text\" or \"html\" string: add the article text", number)
            continue
        wrong = next((k for k in (*_HINT_FIELDS, "format") if record.get(k) is not None and (
            isinstance(record[k], bool) or not isinstance(record[k], (str, int, float)))), None)
        if wrong:
            # a list, object or true/false here is a mapping mistake upstream: storing
            # str(value) or dropping it silently would hide it in the dataset (numbers
            # were always taken as their text, and still are)
            yield Problem(name, f"field \"{wrong}\" is {_json_type(record[wrong])}, not a string: "
                                f"write it as a string or leave it out", number)
            continue
        if fmt == "txt" and record.get("format") == "md":
            fmt = "md"
        hints = {k: strip_controls(str(record[k])) for k in _HINT_FIELDS
                 if isinstance(record.get(k), (str, int, float)) and str(record[k]).strip()}
        yield RawDocument(path=f"{name}#{number}", text=strip_controls(body), format=fmt,
                          encoding=encoding, encoding_note=note, hints=hints, line=number)
    if not any_line:
        yield Problem(name, "has no JSON lines: nothing to import")


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"
