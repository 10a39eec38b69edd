"""Database mode: link a Parallax database's visible passages and keep decisions.

Links are stored in ``links`` with ids derived from the passage pair, so a
recomputation finds the row a person already confirmed or rejected and keeps
that status (and who set it, and when). Suggested links that are no longer
found are dropped; decided ones never are. A rejected pair is taken out of
the similarity graph and a confirmed one counts as a perfect match, so the
events follow the reader's decisions too. The stored score stays the
linker's own, decided or not: status and score are two facts, and an export
of confirmed links should say how sure the model was, not 1.0. Everything is
one transaction.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from tui.errors import UserError
from tui.link.core import METHOD, Params, Passage, link_passages
from tui.store import Store, now

STATUSES = ("suggested", "confirmed", "rejected")
LABEL_CHARS = 90

#: The passages that may report an event: those a reader sees, except
#: reporting credits ("The Associated Press contributed to this report"),
#: which the cleaner keeps with the article but which say who reported, not
#: what happened; the same wire credit under two outlets' articles would
#: otherwise make an "event" of its own.
_VISIBLE_SQL = """
select p.id, p.article_id, p.text, a.outlet
from passages p
join blocks b on b.id = p.block_id
join articles a on a.id = p.article_id
where coalesce(b.override, b.keep) = 1 and b.kind != 'credit' and trim(p.text) != ''
order by p.id
"""


@dataclass(slots=True)
class LinkSummary:
    """What a run of :func:`link_store` did (also the CLI's ``--json`` output)."""

    passages: int
    articles: int
    candidates: int
    links: int
    events: int
    kept_decisions: int
    threshold: float
    method: str
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def link_id(a: str, b: str) -> str:
    """Deterministic id of the link between two passages (order-free)."""
    lo, hi = sorted((a, b))
    return "L" + hashlib.sha1(f"{lo}|{hi}".encode()).hexdigest()[:15]


def event_id(passage_ids: list[str]) -> str:
    return "E" + hashlib.sha1("|".join(sorted(passage_ids)).encode()).hexdigest()[:11]


def source_of(outlet: str | None, article_id: str) -> str:
    """An article without a known outlet is its own source."""
    return f"outlet:{outlet.strip().casefold()}" if outlet and outlet.strip() else f"article:{article_id}"


def link_store(
    store: Store,
    *,
    threshold: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LinkSummary:
    """Compute links and events for the database's visible passages and store them."""
    t0 = time.perf_counter()
    params = Params() if threshold is None else Params(threshold=threshold)
    if not 0.0 < params.threshold <= 1.0:
        raise UserError(f"threshold {params.threshold} is out of range: use a number in (0, 1]")
    rows = list(store.db.execute(_VISIBLE_SQL))
    passages = [Passage(pid, source_of(outlet, art), art, text) for pid, art, text, outlet in rows]
    article_of = {pid: art for pid, art, _t, _o in rows}
    decided = {
        r["id"]: r for r in store.db.query(
            "select * from links where status in ('confirmed', 'rejected')")
    }
    overrides: dict[tuple[str, str], float] = {}
    for r in decided.values():
        if r["a"] in article_of and r["b"] in article_of:
            overrides[(r["a"], r["b"])] = 1.0 if r["status"] == "confirmed" else 0.0
    result = link_passages(passages, params, progress=progress, overrides=overrides)
    stamp = now()
    link_rows = []
    for lk in result.links:
        lid = link_id(lk.a, lk.b)
        if lid in decided:
            continue
        link_rows.append({
            "id": lid, "a": lk.a, "b": lk.b, "a_article": article_of[lk.a],
            "b_article": article_of[lk.b], "score": lk.score, "method": METHOD,
            "status": "suggested", "status_by": None, "status_at": None, "computed_at": stamp,
        })
    text_of = {x.id: x.text for x in passages}
    outlet_of = {pid: outlet for pid, _a, _t, outlet in rows}
    event_rows, member_rows = [], []
    for ev in result.events:
        eid = event_id(ev.passages)
        outlets = sorted({outlet_of[p] or f"({article_of[p]})" for p in ev.passages})
        event_rows.append({"id": eid, "label": short_label(text_of[ev.central]),
                           "central_passage": ev.central, "outlets": json.dumps(outlets),
                           "size": len(ev.passages)})
        member_rows.extend({"event_id": eid, "passage_id": p, "article_id": article_of[p]}
                           for p in ev.passages)
    with store.transaction():
        store.db.execute("delete from links where status not in ('confirmed', 'rejected')"
                         " or status is null")
        # ignore=True: a link someone confirmed or rejected while the scores were
        # being computed (outside this transaction) is still in the table; their
        # decision wins over the fresh suggestion.
        store.db["links"].insert_all(link_rows, batch_size=1000, ignore=True)
        if decided:
            # Refresh the score of decided links the linker scored again, with its own
            # score: the override that made a confirmed pair count as a perfect match
            # in the events is a decision, not a score.
            fresh = {link_id(a, b): score for (a, b), score in result.model_scores.items()}
            for lid in sorted(decided):
                if lid in fresh:
                    store.db.execute("update links set score = ?, computed_at = ? where id = ?",
                                     [fresh[lid], stamp, lid])
        store.db.execute("delete from event_passages")
        store.db.execute("delete from events")
        store.db["events"].insert_all(event_rows, batch_size=1000)
        store.db["event_passages"].insert_all(member_rows, batch_size=1000)
    return LinkSummary(
        passages=len(passages), articles=len(set(article_of.values())),
        candidates=result.candidates, links=len(link_rows) + len(decided), events=len(event_rows),
        kept_decisions=len(decided), threshold=params.threshold, method=METHOD,
        seconds=round(time.perf_counter() - t0, 3),
    )


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """The first words of a passage, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + "…"


_LINK_SQL = """
select l.id as link_id, l.score, l.status, l.a, l.b,
       p.id as passage_id, p.article_id, p.text, a.outlet
from links l
join passages p on p.id = case when l.a = :pid then l.b else l.a end
join articles a on a.id = p.article_id
where l.a = :pid or l.b = :pid
"""


def links_for_passage(store: Store, passage_id: str) -> list[dict[str, Any]]:
    """Links of one passage, best first; rejected links are included, last.

    Each item: link_id, passage_id (the other end), article_id, outlet,
    text, score, status.
    """
    rows = list(store.db.query(_LINK_SQL, {"pid": passage_id}))
    rows.sort(key=lambda r: (r["status"] == "rejected", r["status"] != "confirmed",
                             -(r["score"] or 0.0), r["passage_id"]))
    return [{k: r[k] for k in ("link_id", "passage_id", "article_id", "outlet", "text", "score",
                               "status")} for r in rows]


def linked_passage_ids(store: Store, article_id: str) -> set[str]:
    """Passages of an article that have at least one link not rejected (for markers)."""
    rows = store.db.execute(
        "select a from links where a_article = ? and status != 'rejected' "
        "union select b from links where b_article = ? and status != 'rejected'",
        [article_id, article_id],
    )
    return {r[0] for r in rows}


def resolve_link_id(store: Store, prefix: str) -> str:
    """The id of the one link whose id is ``prefix`` or starts with it (``Store.resolve_id``)."""
    return store.resolve_id("links", prefix, "link", "see link ids with `parallax links --list`")


def set_link_status(store: Store, link_id: str, status: str, annotator: str) -> dict[str, Any]:
    """Confirm, reject or reset a link (id or unique prefix); kept across recomputations; audited."""
    if status not in STATUSES:
        raise UserError(f"unknown link status {status!r}: use one of {', '.join(STATUSES)}")
    link_id = resolve_link_id(store, link_id)
    rows = list(store.db.query("select * from links where id = ?", [link_id]))
    before = rows[0]
    # back to "suggested" (a reset, or undoing a decision) is the model's again: nobody's
    # name stays on it, as on the suggestions ``link_store`` writes
    decided = status != "suggested"
    with store.transaction():
        store.db["links"].update(link_id, {"status": status,
                                           "status_by": annotator if decided else None,
                                           "status_at": now() if decided else None})
        store.audit(annotator, "link-status", link_id, {"status": before["status"]},
                     {"status": status})
    return dict(store.db["links"].get(link_id))


def list_links(store: Store) -> list[dict[str, Any]]:
    """Every stored link with both passages' text and outlets, best first."""
    sql = """
    select l.*, pa.text as a_text, pb.text as b_text, aa.outlet as a_outlet, ab.outlet as b_outlet
    from links l
    left join passages pa on pa.id = l.a left join passages pb on pb.id = l.b
    left join articles aa on aa.id = l.a_article left join articles ab on ab.id = l.b_article
    order by l.score desc, l.id
    """
    return list(store.db.query(sql))


def list_events(store: Store) -> list[dict[str, Any]]:
    """Events, largest first: id, label, outlets, size, passages."""
    events = list(store.db.query("select * from events order by size desc, id"))
    members: dict[str, list[dict[str, Any]]] = {}
    for r in store.db.query(
        """select ep.event_id, ep.passage_id, ep.article_id, a.outlet, p.text
           from event_passages ep join passages p on p.id = ep.passage_id
           join articles a on a.id = ep.article_id order by ep.event_id, ep.passage_id"""
    ):
        members.setdefault(r["event_id"], []).append(
            {"passage_id": r["passage_id"], "article_id": r["article_id"], "outlet": r["outlet"],
             "text": r["text"]})
    return [{"id": e["id"], "label": e["label"], "outlets": json.loads(e["outlets"] or "[]"),
             "size": e["size"], "central_passage": e["central_passage"],
             "passages": members.get(e["id"], [])} for e in events]
