"""The import pipeline: discover -> read -> clean -> store, one article at a time.

Each article is stored in its own transaction, so a crash or a broken file
in the middle of a batch leaves every earlier article complete and the rest
simply not there; running the same import again finishes the work (articles
already stored are recognised by content hash and skipped as unchanged).

Cleaning and sentence splitting are pure functions of one document and are
most of an import's time; for a batch they run in worker processes
(``jobs``) while this process reads the next files and stores the finished
articles, in input order. Only this process writes to the database, so the
transactions, the order and the results are those of a one-process import
(a test compares the two databases row by row).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from tui.clean import clean_document
from tui.ingest import DEFAULT_MAX_BYTES, Problem, discover, read_path
from tui.model import CleanResult, RawDocument, location
from tui.sentences import split_sentences
from tui.store import Store, content_hash
from tui.textsafe import path_text
from tui.workers import BATCH_MIN, OrderedPool

#: A JSONL file this large counts as a batch on its own (about 50 articles).
POOL_MIN_JSONL_BYTES = 256 * 1024


@dataclass(slots=True)
class FileResult:
    path: str
    status: str  # imported | unchanged | error
    reason: str = ""
    article_id: str | None = None
    title: str | None = None


@dataclass(slots=True)
class ImportReport:
    results: list[FileResult] = field(default_factory=list)
    workers: int = 1  # worker processes the batch was given (1: cleaned in this process)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def problems(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "error"]

    def summary(self) -> str:
        return (f"{self.count('imported')} imported, {self.count('unchanged')} unchanged, "
                f"{self.count('error')} skipped with errors")


#: ``progress(done, total, current)``: steps done and steps in all (a step is a
#: file, or one line of a JSONL feed), and what is imported next ("" at the end).
Progress = Callable[[int, int, str], None]
#: What preparing a document gives: the cleaned result and each block's
#: sentence spans, or the one-line reason it cannot be imported.
Prepared = tuple[CleanResult, list[list[tuple[int, int]]]] | str


def prepare(text: str, fmt: str, hints: dict[str, str]) -> Prepared:
    """Clean one document and split its blocks into sentences (runs in a worker).

    Never raises: a cleaner bug must not stop the batch, so it becomes the
    document's error line.
    """
    try:
        result = clean_document(text, fmt, hints)
    except Exception as exc:
        return f"could not be cleaned ({type(exc).__name__}): please report this file"
    if not result.blocks:
        return "no article text found in it: nothing to import"
    return result, [split_sentences(block.text) for block in result.blocks]


def _is_batch(files: list[Path]) -> bool:
    if len(files) >= BATCH_MIN:
        return True
    for path in files:
        if path.suffix.lower() == ".jsonl":
            try:
                if path.stat().st_size >= POOL_MIN_JSONL_BYTES:
                    return True
            except OSError:
                pass
    return False


def _units(path: Path, max_bytes: int) -> int:
    """How many progress steps a file is: one, or one per line of a JSONL feed.

    A feed of 10,000 articles is minutes of work in one file: counted by
    file, the progress bar would stand still until the end.
    """
    if path.suffix.lower() != ".jsonl":
        return 1
    try:
        if path.stat().st_size > max_bytes:
            return 1
        return max(1, sum(1 for line in path.read_bytes().splitlines() if line.strip()))
    except OSError:
        return 1


def _documents(files: list[Path], max_bytes: int) -> Iterator[tuple[int, Path, RawDocument | Problem | None]]:
    """Every document of every file, each with the progress step it starts (0: none).

    A file's step starts at a ``None`` marker before its documents; a JSONL
    feed has no marker, and each of its documents is a step of its own.
    """
    step = 0
    for path in files:
        feed = path.suffix.lower() == ".jsonl"
        if not feed:
            step += 1
            yield step, path, None
        for item in read_path(path, max_bytes=max_bytes):
            if feed:
                step += 1
            yield (step if feed else 0), path, item


def import_paths(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    jobs: int | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Import files and folders; never raises for a bad file, reports it instead.

    ``jobs`` caps the worker processes for a batch (``None``:
    ``tui.workers.default_jobs``; 1: clean everything in this process). Small imports never start workers.
    A script that calls this with workers from a thread, or on macOS, must
    keep its top level under ``if __name__ == "__main__":`` (workers are
    spawned there, which imports the script again), or pass ``jobs=1``.
    Results are appended to ``report`` as each article is stored, so a caller
    that passes its own still has them when the import is interrupted.
    """
    report = ImportReport() if report is None else report
    files, problems = discover(paths)
    for problem in problems:
        report.results.append(FileResult(problem.path, "error", problem.reason))
    total = sum(_units(path, max_bytes) for path in files) if progress else 0
    preparer: OrderedPool[Prepared] = OrderedPool(prepare, jobs if _is_batch(files) else 1)
    report.workers = preparer.workers
    pending: deque[tuple[int, Path, RawDocument | Problem | None, str, Future[Prepared] | None]] = deque()
    submitted: set[str] = set()  # hashes sent to a worker: a repeat in the batch is not cleaned twice

    def finish(step: int, path: Path, item: RawDocument | Problem | None, digest: str,
               future: Future[Prepared] | None) -> None:
        if step and progress:  # steps done so far, and what the next one is
            progress(step - 1, max(total, step), location(path_text(path), None if item is None else item.line))
        if item is None:
            return
        if isinstance(item, Problem):
            report.results.append(FileResult(location(item.path, item.line), "error", item.reason))
            return
        known = store.find_article(digest)
        if known:
            if future is not None:
                future.cancel()
            report.results.append(FileResult(item.path, "unchanged", "already imported", known,
                                             store.article_title(known)))
            return
        prepared = preparer.result(future, item.text, item.format, item.hints)
        if isinstance(prepared, str):
            report.results.append(FileResult(item.path, "error", prepared))
            return
        result, sentences = prepared
        added = store.add_article(item, result, sentences, digest)
        report.results.append(FileResult(item.path, added.status, item.encoding_note, added.article_id, added.title))

    try:
        for step, path, item in _documents(files, max_bytes):
            future = None
            digest = content_hash(item.text) if isinstance(item, RawDocument) else ""
            if digest and preparer.parallel and digest not in submitted and not store.find_article(digest):
                submitted.add(digest)
                future = preparer.submit(item.text, item.format, item.hints)
            pending.append((step, path, item, digest, future))
            while len(pending) > preparer.ahead:
                finish(*pending.popleft())
        while pending:
            finish(*pending.popleft())
    finally:
        preparer.close()
    if progress and total:
        progress(total, total, "")
    return report


def ensure_seeded(store: Store, seeds_dir: str | os.PathLike[str]) -> ImportReport | None:
    """First run: an empty database imports the seed articles."""
    if store.article_count() == 0 and os.path.isdir(seeds_dir):
        return import_paths(store, [seeds_dir])
    return None
