"""Commands about cross-outlet links: links, events, link-status, search."""

from __future__ import annotations

import click

from tui.cli.main import Context, cli, echo, echo_json, progress_bar
from tui.errors import UserError
from tui.textsafe import safe

pass_ctx = click.make_pass_decorator(Context)


def _flat(text: str | None, width: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@cli.command("links")
@click.option("--jsonl", "jsonl_path", metavar="DOCS.jsonl", default=None,
              help='File mode: link the passages of {"id","source","passages":[{"id","text"}]} '
                   "lines and print {a, b, score} lines; no database is used.")
@click.option("--threshold", type=float, default=None, metavar="T",
              help="Event threshold: mean similarity needed to join passages (default 0.10).")
@click.option("--direct", is_flag=True,
              help="File mode: print only the strongest direct links, not every same-event pair.")
@click.option("--list", "list_only", is_flag=True,
              help="Database mode: list the stored links instead of recomputing them.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary (or --list) as JSON.")
@pass_ctx
def links_cmd(ctx: Context, jsonl_path: str | None, threshold: float | None, direct: bool,
              list_only: bool, as_json: bool) -> None:
    """Link passages that report the same event across outlets.

    Database mode computes links and events for the visible passages and
    stores them; links you confirmed or rejected keep their status. File mode
    (--jsonl) prints one {"a", "b", "score"} line per pair of passages (of
    different sources) that belong to the same event. --direct belongs to
    file mode, --list to database mode (and computes nothing, so it takes no
    --threshold).

    \b
    Examples:
      parallax links
      parallax links --json
      parallax links --list
      parallax links --jsonl docs.jsonl --threshold 0.1 > links.jsonl
    """
    _check_combination(jsonl_path is not None, threshold is not None, direct, list_only)
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise UserError(f"--threshold {threshold} is out of range: use a number in (0, 1]")
    if jsonl_path is not None:
        _file_mode(jsonl_path, threshold, direct)
        return
    from tui.link import link_store, list_links

    store = ctx.store(create=False)
    if list_only:
        rows = list_links(store)
        if as_json:
            echo_json([{k: r[k] for k in ("id", "a", "b", "a_article", "b_article", "score",
                                          "status", "status_by", "status_at", "a_outlet",
                                          "b_outlet", "a_text", "b_text")} for r in rows])
            return
        if not rows:
            echo("no links yet: run `parallax links` first", err=True)
        for r in rows:
            echo(f"{r['id']}  {r['score']:.3f} {r['status']:<9} {safe(r['a_outlet'] or '-')[:14]:<14} "
                 f"{_flat(r['a_text'], 40):<40} <> {safe(r['b_outlet'] or '-')[:14]:<14} "
                 f"{_flat(r['b_text'], 40)}")
        return
    with progress_bar("linking") as progress:
        summary = link_store(store, threshold=threshold, progress=progress)
    if as_json:
        echo_json(summary.as_dict())
        return
    echo(f"{summary.passages} passages in {summary.articles} articles: {summary.candidates} "
         f"candidate pairs, {summary.links} links ({summary.kept_decisions} decided by hand), "
         f"{summary.events} events in {summary.seconds:.1f} s")


def _check_combination(file_mode: bool, threshold: bool, direct: bool, list_only: bool) -> None:
    """Refuse options that would be silently ignored: the user meant something by them.

    (Before, ``--list --threshold`` listed at the default, ``--direct``
    without ``--jsonl`` ran a full recompute, and ``--jsonl --list`` linked
    the file.) ``--jsonl --json`` stays accepted: file mode prints JSON lines
    anyway, and scripts may pass --json to every command.
    """
    if direct and not file_mode:
        raise UserError("--direct only applies with --jsonl (file mode): "
                        "add --jsonl DOCS.jsonl, or drop --direct")
    if file_mode and list_only:
        raise UserError("--list shows the links stored in the database and does not apply with "
                        "--jsonl: drop one of them")
    if list_only and threshold:
        raise UserError("--threshold does not apply with --list, which shows the stored links "
                        "without computing: run `parallax links --threshold T` first, then --list")


def _file_mode(path: str, threshold: float | None, direct: bool) -> None:
    from tui.link import Params, link_passages, read_docs

    passages = read_docs(path)
    params = Params() if threshold is None else Params(threshold=threshold)
    result = link_passages(passages, params, with_pairs=not direct)
    for lk in result.links if direct else result.pairs:
        echo_json({"a": lk.a, "b": lk.b, "score": lk.score})


@cli.command("events")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def events_cmd(ctx: Context, as_json: bool) -> None:
    """Events found by `parallax links`: label, outlets and passages of each.

    \b
    Examples:
      parallax links && parallax events
      parallax events --json | jq '.[0].outlets'
    """
    from tui.link import list_events

    events = list_events(ctx.store(create=False))
    if as_json:
        echo_json(events)
        return
    if not events:
        echo("no events yet: run `parallax links` first", err=True)
        return
    for ev in events:
        echo(f"{ev['id']}  {ev['size']} passages, {len(ev['outlets'])} outlets: "
             f"{', '.join(safe(o) for o in ev['outlets'])}")
        echo(f"  {safe(ev['label'])}")
        for p in ev["passages"]:
            echo(f"    {p['passage_id']}  {safe(p['outlet'] or '-')[:18]:<18} {_flat(p['text'], 70)}")


@cli.command("link-status")
@click.argument("link_id")
@click.argument("status", type=click.Choice(["confirmed", "rejected", "suggested"]),
                metavar="STATUS")
@click.option("--json", "as_json", is_flag=True, help="Print the updated link as JSON.")
@pass_ctx
def link_status_cmd(ctx: Context, link_id: str, status: str, as_json: bool) -> None:
    """Confirm or reject a suggested link (kept when links are recomputed).

    STATUS is confirmed, rejected or suggested (back to undecided).

    LINK_ID may be a unique prefix of the id, as for articles.

    \b
    Examples:
      parallax links --list
      parallax --annotator ana link-status L3f2a9c1b0d4e5f6 confirmed
      parallax link-status L3f2a9c1 suggested     # undo; a unique prefix is enough
    """
    from tui.link import set_link_status

    row = set_link_status(ctx.store(create=False), link_id, status, ctx.annotator)
    if as_json:
        echo_json(row)
    else:
        echo(f"{row['id']}  {row['status']} by {row['status_by']} at {row['status_at']}")


@cli.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Most hits to print.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_ctx
def search_cmd(ctx: Context, query: str, limit: int, as_json: bool) -> None:
    """Find passages across all outlets; tolerant of misspellings.

    \b
    Examples:
      parallax search "accelerated membership"
      parallax search stoltenbreg --json --limit 5
    """
    from tui.search import search

    hits = search(ctx.store(create=False), query, limit=limit)
    if as_json:
        echo_json([{"article_id": h.article_id, "outlet": h.outlet, "title": h.title,
                    "passage_id": h.passage_id, "block_id": h.block_id, "text": h.text,
                    "score": h.score, "highlights": [list(x) for x in h.highlights]}
                   for h in hits])
        return
    if not hits:
        echo(f"no passage matches {query!r}", err=True)
        return
    for h in hits:
        echo(f"{h.score:5.1f}  {h.passage_id}  {safe(h.outlet or '-')[:18]:<18} {_flat(h.text, 80)}")
