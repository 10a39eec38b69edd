"""Commands about the labeled dataset: export, import-annotations, merge, agreement."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.cli.main import Context, cli, echo, echo_json, progress_bar

pass_ctx = click.make_pass_decorator(Context)
#: Problem lines printed per reason by import-annotations (the rest are counted).
SKIPPED_SHOWN = 5


@cli.command("export")
@click.option("--format", "fmt", default="jsonl", show_default=True, metavar="FMT",
              help="jsonl, doccano, label-studio, spacy, csv, parquet, conll or brat.")
@click.option("--out", "out", required=True, type=click.Path(path_type=str), metavar="FILE",
              help="Data file to write (its folder must exist); FILE's stem also names <stem>.schema.json "
                   "and <stem>.manifest.json, or FILE's name when another export has that manifest.")
@click.option("--annotator", "annotators", multiple=True, metavar="NAME",
              help="Only spans by this annotator (repeatable).")
@click.option("--label", "labels", multiple=True, metavar="L", help="Only spans with this label (repeatable).")
@click.option("--article", "articles", multiple=True, metavar="ID", help="Only this article (repeatable; id prefix ok).")
@click.option("--links", "links", default="confirmed", show_default=True, metavar="WHICH",
              help="confirmed, suggested (confirmed + open suggestions) or all (rejected too, as negatives).")
@click.option("--json", "as_json", is_flag=True, help="Print the export report as JSON.")
@pass_ctx
def export_cmd(ctx: Context, fmt: str, out: str, annotators: tuple[str, ...], labels: tuple[str, ...],
               articles: tuple[str, ...], links: str, as_json: bool) -> None:
    """Export the labeled dataset, with its label schema and a manifest beside it.

    Beside FILE go <stem>.schema.json and <stem>.manifest.json; when
    <stem>.manifest.json describes another file (data.parquet, then
    data.csv), it is kept and this export writes data.csv.schema.json and
    data.csv.manifest.json instead (a note says so). The folder of FILE must
    exist.

    Offsets are computed into each article's clean text (title, blank line,
    visible blocks separated by blank lines; a title the cleaner derived from
    the lead heads the text too, meta.title_derived says so). Spans on hidden
    blocks and removed spans are left out; the manifest counts them.

    \b
    Formats:
      jsonl         one article per line: id, text, meta, spans, links (the contract)
      doccano       doccano JSONL: text + label [[start, end, label]]
      label-studio  Label Studio task list, one annotation per annotator
      spacy         spaCy DocBin, spans in doc.spans["sc"] (pip install 'parallax[spacy]')
      csv           one row per span, with notes
      parquet       one row per article, nested spans and links
      conll         CoNLL BIO tags, token<TAB>tag per line, for NER tools
      brat          brat standoff (.txt + .ann per article) in a zip (brat, INCEpTION)

    \b
    Examples:
      parallax export --format jsonl --out dataset.jsonl
      parallax export --format csv --out ana.csv --annotator ana --label EVENT
      parallax export --format parquet --out data.parquet
      parallax export --links all --out links-with-negatives.jsonl
      parallax export --format brat --out corpus.zip
    """
    from tui.export import export_dataset

    with progress_bar(f"exporting {fmt}", min_total=200) as progress:
        report = export_dataset(ctx.store(create=False), fmt, out, annotators=annotators, labels=labels,
                                articles=articles, links=links, progress=progress)
    for problem in report.problems:
        echo(f"parallax: warning: {problem}", err=True)
    for notice in report.notices:
        echo(f"parallax: note: {notice}", err=True)
    if as_json:
        echo_json(report.as_dict())
    else:
        echo(report.summary(), err=True)


@cli.command("import-annotations")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--annotator", "annotator", default=None, metavar="NAME",
              help="Name for spans without one (default: the global --annotator).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_ctx
def import_annotations_cmd(ctx: Context, path: str, annotator: str | None, as_json: bool) -> None:
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

    report = import_annotations(ctx.store(create=False), Path(path), default_annotator=annotator or ctx.annotator)
    if as_json:
        echo_json(report.as_dict())
    else:
        # a file exported from a bigger database names every article this one lacks:
        # a few lines of each reason, then how many more (all of them with --json)
        shown: dict[str, int] = {}
        for problem, reason in zip(report.problems, report.problem_reasons, strict=True):
            shown[reason] = shown.get(reason, 0) + 1
            if shown[reason] <= SKIPPED_SHOWN:
                echo(f"parallax: skipped: {problem}", err=True)
        for reason, n in shown.items():
            if n > SKIPPED_SHOWN:
                echo(f"parallax: skipped: ... and {n - SKIPPED_SHOWN} more '{reason}' "
                     "(--json lists every one)", err=True)
        echo(report.summary(), err=True)
    if report.problems:
        sys.exit(2)


@cli.command("merge")
@click.argument("others", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report per merged database.")
@pass_ctx
def merge_cmd(ctx: Context, others: tuple[str, ...], as_json: bool) -> None:
    """Merge other annotators' databases into --db (theirs are only read).

    Articles by content hash, annotations by id (newer change wins, removals
    included), links (a person's status beats a suggestion; newer wins),
    block overrides (newer wins) and labels. Every conflict is one line;
    merging the same file again changes nothing. Each file is merged in one
    transaction.

    \b
    Examples:
      parallax --db team.db merge ana.db ben.db
      parallax --db team.db merge ana.db --json
    """
    from tui.team.merge import merge_databases

    reports = merge_databases(ctx.store(), list(others), annotator=ctx.annotator)
    for report in reports:
        if as_json:
            echo_json(report.as_dict())
            continue
        for conflict in report.conflicts:
            echo(f"conflict: {conflict.line()}", err=True)
        echo(report.summary(), err=True)


def _fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


@cli.command("agreement")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--label", "labels", multiple=True, metavar="L",
              help="Show only this label's row (repeatable); the figures do not change.")
@pass_ctx
def agreement_cmd(ctx: Context, as_json: bool, labels: tuple[str, ...]) -> None:
    """Inter-annotator agreement per label and overall.

    For each pair of annotators on the articles both annotated: span F1 (exact
    and overlapping), Cohen's kappa over tokens and F1 on confirmed links;
    Krippendorff's alpha (nominal, tokens) over all annotators. See
    docs/dataset.md for the definitions.

    \b
    Examples:
      parallax --db team.db agreement
      parallax --db team.db agreement --label EVENT --json
    """
    from tui.team.agreement import agreement

    result = agreement(ctx.store(create=False), labels)
    if as_json:
        echo_json(result)
        return
    if len(result["annotators"]) < 2:
        echo("agreement needs two annotators: merge another annotator's database first "
             "(`parallax merge OTHER.db`)", err=True)
        return
    echo(f"annotators: {', '.join(result['annotators'])}")
    echo(f"{'label':<16} {'alpha':>6}  {'units':>7}")
    for scope, a in result["alpha"].items():
        echo(f"{scope:<16} {_fmt(a['alpha'])}  {a['units']:>7}")
    for pair in result["pairs"]:
        echo("")
        echo(f"{pair['a']} vs {pair['b']}: {pair['articles']} articles, {pair['tokens']} tokens, "
             f"confirmed links F1 {_fmt(pair['links']['f1']).strip()}")
        echo(f"  {'label':<16} {'spans':>9} {'F1 exact':>8} {'F1 ovl':>8} {'kappa':>7}")
        for scope, m in pair["labels"].items():
            echo(f"  {scope:<16} {m['spans_a']:>4}/{m['spans_b']:<4} {_fmt(m['f1_exact']):>8} "
                 f"{_fmt(m['f1_overlap']):>8} {_fmt(m['kappa']):>7}")
