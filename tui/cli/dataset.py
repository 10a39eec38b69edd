"""Commands about the labeled dataset: export, import-annotations, merge, agreement."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.cli.main import Context, cli, echo, echo_json

pass_ctx = click.make_pass_decorator(Context)


def _format_help() -> str:
    from tui.export import FORMATS

    return "; ".join(f"{name}: {info.description}" for name, info in FORMATS.items())


@cli.command("export")
@click.option("--format", "fmt", default="jsonl", show_default=True, metavar="FMT",
              help="jsonl, doccano, label-studio, spacy, csv or parquet.")
@click.option("--out", "out", required=True, type=click.Path(path_type=str), metavar="FILE",
              help="Data file to write; FILE's stem also names <stem>.schema.json and <stem>.manifest.json.")
@click.option("--annotator", "annotators", multiple=True, metavar="NAME",
              help="Only spans by this annotator (repeatable).")
@click.option("--label", "labels", multiple=True, metavar="L", help="Only spans with this label (repeatable).")
@click.option("--article", "articles", multiple=True, metavar="ID", help="Only this article (repeatable; id prefix ok).")
@click.option("--json", "as_json", is_flag=True, help="Print the export report as JSON.")
@pass_ctx
def export_cmd(ctx: Context, fmt: str, out: str, annotators: tuple[str, ...], labels: tuple[str, ...],
               articles: tuple[str, ...], as_json: bool) -> None:
    """Export the labeled dataset, with its label schema and a manifest beside it.

    Offsets are computed into each article's clean text (title, blank line,
    visible blocks separated by blank lines). Spans on hidden blocks and
    removed spans are left out; the manifest counts them.

    \b
    Examples:
      parallax export --format jsonl --out dataset.jsonl
      parallax export --format csv --out ana.csv --annotator ana --label EVENT
      parallax export --format parquet --out data.parquet
    """
    from tui.export import export_dataset

    report = export_dataset(ctx.store(), fmt, out, annotators=annotators, labels=labels,
                            articles=articles)
    for problem in report.problems:
        echo(f"parallax: warning: {problem}", err=True)
    if as_json:
        echo_json(report.as_dict())
    else:
        echo(report.summary(), err=True)


export_cmd.help = (export_cmd.help or "") + "\n\nFormats: " + _format_help()


@cli.command("import-annotations")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_ctx
def import_annotations_cmd(ctx: Context, path: str, as_json: bool) -> None:
    """Load spans from a JSONL export (round trip); idempotent by span id.

    Articles are matched by id, else by identical clean text. A span without
    "annotator" gets the global --annotator. Spans that do not fit the text,
    cross a block boundary or use an unknown label are reported and skipped;
    the exit status is then 2, but everything that fits is imported.

    \b
    Example:
      parallax --db fresh.db --annotator ana import-annotations dataset.jsonl
    """
    from tui.export.load import import_annotations

    report = import_annotations(ctx.store(), Path(path), default_annotator=ctx.annotator)
    if as_json:
        echo_json(report.as_dict())
    else:
        for problem in report.problems:
            echo(f"parallax: skipped: {problem}", err=True)
        echo(report.summary(), err=True)
    if report.problems:
        sys.exit(2)
