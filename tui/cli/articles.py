"""Commands about articles: open, import, list, clean, labels, meta, blocks, override."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui.cli.main import Context, cli, echo, echo_json, progress_bar
from tui.errors import UserError
from tui.textsafe import safe

if TYPE_CHECKING:
    from tui.importer import ImportReport

pass_ctx = click.make_pass_decorator(Context)


@cli.command("open")
@pass_ctx
def open_app(ctx: Context) -> None:
    """Open the app. An empty database first imports ./seeds/.

    \b
    Example:
      parallax --db annotations.db open
    """
    from tui.importer import ensure_seeded

    store = ctx.store()
    seeded = ensure_seeded(store, Path.cwd() / "seeds")
    if seeded is not None and seeded.count("imported"):
        echo(f"first run: imported {seeded.count('imported')} seed articles into {ctx.db_path}", err=True)
    ctx.close()
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise UserError("the app needs an interactive terminal: run `parallax` in a terminal, or use a command (see `parallax --help`)")
    from tui.app import ParallaxApp

    ParallaxApp(db_path=ctx.db_path, annotator=ctx.annotator).run()


def _jobs_option(batch: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--jobs`` for the commands that clean in worker processes (import, reclean)."""
    def check_environment(_ctx: click.Context, _param: click.Parameter, value: int | None) -> int | None:
        if value is None:
            from tui.workers import default_jobs

            default_jobs()  # a bad $PARALLAX_JOBS is refused up front, not when a batch starts
        return value

    return click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, callback=check_environment,
                        help=f"Worker processes that clean {batch} or more [default: one per CPU, at most 8, "
                             "or $PARALLAX_JOBS; 1 cleans in this process].")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the per-file report as JSON lines.")
@click.option("--max-mb", type=click.IntRange(1, 2048), default=20, show_default=True,
              help="Refuse articles larger than this: a .txt/.md/.html file, or one line of a .jsonl feed.")
@_jobs_option("a batch of 16 files")
@pass_ctx
def import_cmd(ctx: Context, paths: tuple[str, ...], as_json: bool, max_mb: int, jobs: int | None) -> None:
    """Import .txt, .md, .html/.htm and .jsonl files or folders (recursively).

    Idempotent: an article is identified by the hash of its text, so importing
    it again changes nothing. A broken file is reported and skipped; the others
    are still imported, and the exit status is 2.

    \b
    Examples:
      parallax import seeds
      parallax --db team.db import downloads/*.html feed.jsonl
      parallax import --jobs 4 scrape/     # clean on four cores; the database is written in order
    """
    from tui.importer import ImportReport, import_paths

    store = ctx.store()
    report = ImportReport()
    try:
        with progress_bar("importing", min_total=4) as progress:
            import_paths(store, paths, progress=lambda i, total, _path: progress(i, total),
                         max_bytes=max_mb * 1024 * 1024, jobs=jobs, report=report)
    except KeyboardInterrupt:
        # what was stored before Ctrl-C is committed: say which, then abort as usual
        _print_import_report(report, as_json)
        raise
    _print_import_report(report, as_json)
    if report.problems:
        sys.exit(2)


def _print_import_report(report: ImportReport, as_json: bool) -> None:
    for r in report.results:
        if as_json:
            echo_json({"path": r.path, "status": r.status, "reason": r.reason,
                       "article_id": r.article_id, "title": r.title})
        elif r.status == "error":
            continue
        else:
            extra = f"  ({r.reason})" if r.reason and r.status == "imported" else ""
            echo(f"{r.status:<9} {r.path}  [{r.article_id}] {safe(r.title)}{extra}")
    for r in report.problems:
        echo(f"parallax: error: {r.path}: {r.reason}", err=True)
    echo(report.summary(), err=True)


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def list_cmd(ctx: Context, as_json: bool) -> None:
    """List articles: id, title, outlet, date, path, blocks, kept blocks, annotations.

    \b
    Example:
      parallax list --json
    """
    rows = ctx.store(create=False).list_articles()
    if as_json:
        echo_json([
            {"id": r["id"], "title": r["title"], "title_derived": bool(r["title_derived"]),
             "outlet": r["outlet"], "date": r["date"], "byline": r["byline"], "url": r["url"],
             "path": r["path"], "blocks": r["blocks"], "kept_blocks": r["kept_blocks"],
             "annotations": r["annotations"]}
            for r in rows
        ])
        return
    if not rows:
        echo("no articles yet: import some with `parallax import PATH`", err=True)
        return
    for r in rows:
        title = (r["title"] or "(untitled)") + (" [derived]" if r["title_derived"] else "")
        echo(f"{r['id']}  {safe(r['outlet'] or '-'):<22.22} {r['date'] or '-':<10}  "
             f"{r['kept_blocks']:>3}/{r['blocks']:<3} blocks  {r['annotations']:>4} ann  {safe(title)}")


@cli.command("clean")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file and line.")
@click.option("--explain", is_flag=True, help="Show every block with its kind, decision and reason.")
def clean_cmd(files: tuple[str, ...], as_json: bool, explain: bool) -> None:
    """Print the cleaned article (no database involved).

    --json gives {path, title, outlet, date, byline, body, blocks: [{text, kind, keep, reason}]};
    body is the kept text without the title, paragraphs separated by a blank line.

    \b
    Examples:
      parallax clean seeds/000_ab852f80fd5993ad.txt
      parallax clean page.html --explain
      parallax clean seeds/*.txt --json | jq .title
    """
    from tui.clean import body_text, clean_document
    from tui.ingest import Problem, discover, read_path
    from tui.model import stated_meta

    paths, problems = discover(files)
    failed = bool(problems)
    for problem in problems:
        echo(f"parallax: error: {problem}", err=True)
    for path in paths:
        for item in read_path(path):
            if isinstance(item, Problem):
                echo(f"parallax: error: {item}", err=True)
                failed = True
                continue
            result = clean_document(item.text, item.format, item.hints)
            meta = stated_meta(result.meta, item.hints)  # what an import would store
            body = body_text(result)
            if as_json:
                echo_json({"path": item.path, "title": meta.title, "title_derived": meta.title_derived,
                           "outlet": meta.outlet, "date": meta.date, "byline": meta.byline,
                           "url": meta.url, "body": body,
                           "blocks": [{"text": b.text, "kind": b.kind, "keep": b.keep,
                                       "reason": b.reason} for b in result.blocks]})
            elif explain:
                echo(f"== {item.path}")
                echo(f"title: {meta.title or '-'}{' (derived)' if meta.title_derived else ''}  "
                     f"outlet: {meta.outlet or '-'}  date: {meta.date or '-'}  byline: {meta.byline or '-'}")
                for i, b in enumerate(result.blocks):
                    mark = "KEEP" if b.keep else "drop"
                    text = " ".join(b.text.split())
                    echo(f"{i:>3} {mark} {b.kind:<10} {text[:70]:<70} | {b.reason}")
            else:
                if len(paths) > 1:
                    echo(f"== {item.path}")
                if meta.title:
                    echo(meta.title)
                    echo()
                echo(body)
    if failed:
        sys.exit(2)


@cli.command("labels")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def labels_cmd(ctx: Context, as_json: bool) -> None:
    """The label schema in force: name, key, color, description, scope, in order.

    \b
    Examples:
      parallax labels
      parallax --schema my-labels.toml labels --json
    """
    if ctx.schema_path is None and not Path(ctx.db_path).exists():
        # the schema a new database would start with; asking must not create one
        from tui.labels import load_default

        labels, counts = load_default().labels, {}
    else:  # loading a schema (--schema) may start a database: the team's first step
        store = ctx.store()
        labels, counts = store.labels(), store.label_counts()
    if as_json:
        echo_json([{"name": lb.name, "key": lb.key, "color": lb.color,
                    "description": lb.description, "scope": lb.scope,
                    "annotations": counts.get(lb.name, 0)} for lb in labels])
        return
    for lb in labels:
        echo(f"{lb.key or '-':>2}  {lb.name:<16} {lb.color}  {lb.scope:<8} {counts.get(lb.name, 0):>5}  {lb.description}")


@cli.command("meta")
@click.argument("article")
@click.option("--title")
@click.option("--outlet")
@click.option("--date")
@click.option("--byline")
@click.option("--url")
@click.option("--reset", "resets", multiple=True, metavar="FIELD",
              help="Undo your edit of FIELD: back to what the file states or the cleaner finds "
                   "(repeatable).")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def meta_cmd(ctx: Context, article: str, as_json: bool, resets: tuple[str, ...],
             **fields: str | None) -> None:
    """Show or correct an article's metadata (edits survive re-cleaning).

    An empty value clears a field (no outlet, say); the title cannot be empty.

    \b
    Examples:
      parallax meta 3f2a9c1b0d4e
      parallax meta 3f2a9c1b0d4e --outlet "Al Arabiya" --date 2023-06-02
      parallax meta 3f2a9c1b0d4e --reset outlet     # back to what the page says
    """
    store = ctx.store(create=False)
    changes = {k: v for k, v in fields.items() if v is not None}
    both = sorted(set(changes) & set(resets))
    if both:
        raise UserError(f"--{both[0]} and --reset {both[0]} contradict each other: give one")
    if resets:
        from tui.clean import clean_document

        store.reset_meta(article, resets, ctx.annotator, clean_document)
    if "date" in changes and changes["date"]:
        from datetime import date

        try:
            date.fromisoformat(changes["date"])
        except ValueError:
            raise UserError(f"--date {changes['date']!r} is not a date: use YYYY-MM-DD") from None
    article_row = store.update_meta(article, changes, ctx.annotator) if changes else store.get_article(article)
    keys = ("id", "title", "title_derived", "outlet", "date", "byline", "url", "path", "edited")
    shown = {k: bool(article_row.get(k)) if k == "title_derived" else article_row.get(k)
             for k in keys}
    if as_json:
        echo_json(shown)
    else:
        for k in keys:
            echo(f"{k:>13}: {shown[k]}")


@cli.command("blocks")
@click.argument("article")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def blocks_cmd(ctx: Context, article: str, as_json: bool) -> None:
    """Every block of a stored article with its decision, reason and override.

    \b
    Example:
      parallax blocks 3f2a9c1b0d4e
    """
    store = ctx.store(create=False)
    rows = store.blocks(store.get_article(article)["id"])
    if as_json:
        echo_json([{k: r[k] for k in ("id", "seq", "kind", "keep", "override", "visible", "reason", "text")}
                   for r in rows])
        return
    for r in rows:
        mark = "show" if r["visible"] else "hide"
        if r["override"] is not None:
            mark += "*"
        echo(f"{r['id']}  {mark:<5} {r['kind']:<10} {' '.join(r['text'].split())[:60]:<60} | {r['reason']}")


@cli.command("override")
@click.argument("block_ids", nargs=-1, required=True)
@click.option("--show", is_flag=True, help="Always show the block.")
@click.option("--hide", is_flag=True, help="Always hide the block.")
@click.option("--auto", is_flag=True, help="Back to the cleaner's decision.")
@pass_ctx
def override_cmd(ctx: Context, block_ids: tuple[str, ...], show: bool, hide: bool, auto: bool) -> None:
    """Override the cleaner's keep decision for blocks (stored, reversible).

    Several blocks are changed together or not at all: an unknown id changes nothing.

    \b
    Examples:
      parallax override 3f2a9c1b0d4e:0004 --show
      parallax override 3f2a9c1b0d4e:0004 3f2a9c1b0d4e:0005 --hide
      parallax override 3f2a9c1b0d4e:0004 --auto
    """
    chosen = [name for name, on in (("--show", show), ("--hide", hide), ("--auto", auto)) if on]
    if not chosen:
        raise UserError("say what to do: --show, --hide or --auto")
    if len(chosen) > 1:
        raise UserError(f"{' and '.join(chosen)} cannot be combined: pick one")
    value = True if show else (False if hide else None)
    for row in ctx.store(create=False).set_overrides(block_ids, value, ctx.annotator):
        echo(f"{row['id']}  {'shown' if row['visible'] else 'hidden'}"
             f"{' (override)' if row['override'] is not None else ' (automatic)'}")


@cli.command("reclean")
@click.argument("articles", nargs=-1)
@click.option("--stale", is_flag=True,
              help="Only articles cleaned by an older cleaner version.")
@_jobs_option("16 articles")
@pass_ctx
def reclean_cmd(ctx: Context, articles: tuple[str, ...], stale: bool, jobs: int | None) -> None:
    """Re-run the cleaner on stored articles, keeping overrides, edits and annotations.

    \b
    Examples:
      parallax reclean                 # every article
      parallax reclean --stale         # only those an older cleaner version cleaned
      parallax reclean 6be67237        # one article (any unique id prefix)
    """
    from tui.clean import clean_document
    from tui.store import reclean_summary

    store = ctx.store(create=False)
    ids = [store.get_article(a)["id"] for a in articles] if articles else None
    if stale:
        old = store.stale_articles()
        if ids is not None:
            older = set(old)
            ids = [i for i in ids if i in older]
        else:
            ids = old
    with progress_bar("re-cleaning", min_total=4) as progress:
        counts = store.reclean(clean_document, ids, progress=progress, jobs=jobs)
    echo(reclean_summary(counts))
