"""The import pipeline: discover -> read -> clean -> store, one article at a time.

Each article is stored in its own transaction, so a crash or a broken file
in the middle of a batch leaves every earlier article complete and the rest
simply not there; running the same import again finishes the work (articles
already stored are recognised by content hash and skipped as unchanged).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tui.clean import clean_document
from tui.ingest import DEFAULT_MAX_BYTES, Problem, discover, read_path
from tui.store import Store, content_hash


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

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def problems(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "error"]

    def summary(self) -> str:
        return (f"{self.count('imported')} imported, {self.count('unchanged')} unchanged, "
                f"{self.count('error')} skipped with errors")


Progress = Callable[[int, int, str], None]


def import_paths(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    progress: Progress | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportReport:
    """Import files and folders; never raises for a bad file, reports it instead."""
    report = ImportReport()
    files, problems = discover(paths)
    for problem in problems:
        report.results.append(FileResult(problem.path, "error", problem.reason))
    total = len(files)
    for index, path in enumerate(files, 1):
        if progress:
            progress(index, total, str(path))
        for item in read_path(path, max_bytes=max_bytes):
            if isinstance(item, Problem):
                where = f"{item.path}:{item.line}" if item.line else item.path
                report.results.append(FileResult(where, "error", item.reason))
                continue
            known = store.find_article(content_hash(item.text))
            if known:
                report.results.append(FileResult(item.path, "unchanged", "already imported", known))
                continue
            try:
                result = clean_document(item.text, item.format, item.hints)
            except Exception as exc:  # a cleaner bug must not stop the batch
                report.results.append(
                    FileResult(item.path, "error", f"could not be cleaned ({type(exc).__name__}): please report this file")
                )
                continue
            if not result.blocks:
                report.results.append(FileResult(item.path, "error", "no article text found in it: nothing to import"))
                continue
            added = store.add_article(item, result)
            note = item.encoding_note
            report.results.append(FileResult(item.path, added.status, note, added.article_id, added.title))
    return report


def ensure_seeded(store: Store, seeds_dir: str | os.PathLike[str]) -> ImportReport | None:
    """First run: an empty database imports the seed articles."""
    if store.article_count() == 0 and os.path.isdir(seeds_dir):
        return import_paths(store, [seeds_dir])
    return None
