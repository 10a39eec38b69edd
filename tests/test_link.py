"""The cross-outlet linker: pure linking, database mode, file mode and the CLI."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tui.errors import UserError
from tui.link import (
    Params,
    Passage,
    link_id,
    link_passages,
    link_store,
    linked_passage_ids,
    links_for_passage,
    list_events,
    set_link_status,
)
from tui.model import Block, CleanResult, Meta, RawDocument
from tui.store import Store

# Two look-alike events (two earthquakes) and one unrelated story, told by
# several outlets. Same-event reports share the cues (place, date, magnitude);
# the look-alike shares the vocabulary ("earthquake", "magnitude", "killed").
TURKEY_A = [
    "A magnitude 7.8 earthquake struck southern Turkey near Gaziantep on Monday, killing hundreds.",
    "Rescuers in Gaziantep searched collapsed buildings through the night.",
]
TURKEY_B = [
    "Hundreds were killed when a 7.8 magnitude earthquake hit Gaziantep in southern Turkey on Monday.",
    "Rescue teams dug through the rubble of collapsed apartment blocks in Gaziantep.",
]
CHILE_C = [
    "A magnitude 6.1 earthquake struck northern Chile near Antofagasta on Thursday, killing two people.",
    "Officials in Antofagasta said several houses collapsed.",
]
CHILE_D = [
    "Two people died after a 6.1 magnitude earthquake shook Antofagasta in northern Chile on Thursday.",
    "Houses collapsed in Antofagasta, local officials said.",
]
FOOTBALL_E = [
    "The home side won the cup final 2-1 after extra time at Wembley on Saturday.",
    "Fans celebrated in the streets until the early hours.",
]


def add(store: Store, outlet: str, paragraphs: list[str], *, keep: list[bool] | None = None,
        kinds: list[str] | None = None) -> str:
    """Store a hand-made article (no cleaner involved) and return its id."""
    text = "\n\n".join(paragraphs)
    blocks, pos = [], 0
    for i, para in enumerate(paragraphs):
        start = text.index(para, pos)
        pos = start + len(para)
        blocks.append(Block(para, start, pos, kind="body" if kinds is None else kinds[i],
                            keep=True if keep is None else keep[i]))
    raw = RawDocument(path=f"{outlet}-{abs(hash(text)) % 10**8}.txt", text=text, format="txt",
                      hints={"outlet": outlet})
    return store.add_article(raw, CleanResult(Meta(outlet=outlet), blocks, text)).article_id


@pytest.fixture
def quake_store(store: Store) -> Store:
    add(store, "Reuters", TURKEY_A)
    add(store, "AP", TURKEY_B)
    add(store, "BBC", CHILE_C)
    add(store, "AFP", CHILE_D)
    add(store, "Guardian", FOOTBALL_E)
    return store


def _text_of(store: Store, passage_id: str) -> str:
    return store.db.execute("select text from passages where id = ?", [passage_id]).fetchone()[0]


def _stored_links(store: Store) -> list[dict]:
    return list(store.db.query("select * from links order by id"))


def test_same_event_linked_lookalike_not(quake_store: Store) -> None:
    summary = link_store(quake_store)
    assert summary.passages == 10 and summary.links >= 2 and summary.events >= 2
    pairs = {frozenset((_text_of(quake_store, r["a"])[:20], _text_of(quake_store, r["b"])[:20]))
             for r in _stored_links(quake_store)}
    assert frozenset((TURKEY_A[0][:20], TURKEY_B[0][:20])) in pairs
    assert frozenset((CHILE_C[0][:20], CHILE_D[0][:20])) in pairs
    for r in _stored_links(quake_store):
        a, b = _text_of(quake_store, r["a"]), _text_of(quake_store, r["b"])
        assert ("Turkey" in a or "Gaziantep" in a) == ("Turkey" in b or "Gaziantep" in b), (a, b)
    for event in list_events(quake_store):
        texts = " ".join(p["text"] for p in event["passages"])
        assert not ("Gaziantep" in texts and "Antofagasta" in texts), event
        assert len(event["outlets"]) >= 2
        assert event["label"] and event["size"] == len(event["passages"])


def test_events_group_each_quake(quake_store: Store) -> None:
    link_store(quake_store)
    events = list_events(quake_store)
    by_place = {}
    for ev in events:
        texts = " ".join(p["text"] for p in ev["passages"])
        place = "turkey" if "Gaziantep" in texts else "chile" if "Antofagasta" in texts else "other"
        by_place.setdefault(place, []).append(ev)
    assert {"turkey", "chile"} <= set(by_place)
    assert set(by_place["turkey"][0]["outlets"]) == {"Reuters", "AP"}
    assert set(by_place["chile"][0]["outlets"]) == {"BBC", "AFP"}
    first = events[0]
    assert set(first) >= {"id", "label", "outlets", "size", "passages"}
    assert set(first["passages"][0]) >= {"passage_id", "article_id", "outlet", "text"}


# One hockey game told by two outlets, and an unrelated story (an art
# festival) with a sentence worded like one of the game's quotes: a mixed
# folder's commonest false link before the articles' names were compared.
HOCKEY_A = [
    "Zach Parise scored twice as the Minnesota Wild beat the Chicago Blackhawks 4-2 at the "
    "Xcel Energy Center on Tuesday.",
    "Coach Bruce Boudreau praised Ryan Suter and Kevin Fiala after the game.",
    '"I was able to work my way out of a slump and find my game again," Parise said.',
]
HOCKEY_B = [
    "Zach Parise had two goals and the Minnesota Wild defeated the Chicago Blackhawks 4-2 on "
    "Tuesday night in St. Paul.",
    "Ryan Suter added two assists, and Bruce Boudreau said Kevin Fiala was the best player on the ice.",
    "Parise said he had worked his way out of a slump.",
]
FESTIVAL_C = [
    "The Amsterdam Light Festival opened on the Keizersgracht with works by Anna Vermeer and "
    "Pieter Claes.",
    "The Rijksmuseum lent two installations to the festival in Amsterdam.",
    "Vermeer said she had to work her way out of a slump to find her voice again.",
]


def _story_passages() -> list[Passage]:
    out = []
    for doc, outlet, texts in (("a", "Star Tribune", HOCKEY_A), ("b", "ESPN", HOCKEY_B),
                               ("c", "Dutch News", FESTIVAL_C)):
        out += [Passage(f"{doc}/{i}", outlet, doc, t) for i, t in enumerate(texts)]
    return out


def test_unrelated_stories_sharing_no_names_are_not_linked(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.link import core

    result = link_passages(_story_passages())
    linked = {(lk.a, lk.b) for lk in result.links}
    assert {("a/0", "b/0"), ("a/1", "b/1"), ("a/2", "b/2")} <= linked  # the game, line by line
    assert not any("c/" in lk.a + lk.b for lk in result.links), result.links
    assert not any(any(p.startswith("c/") for p in ev.passages) for ev in result.events)
    # the festival's quote is close enough to be linked on its words alone
    monkeypatch.setattr(core, "NAME_FLOOR", 1.0)
    ungated = link_passages(_story_passages())
    assert any("c/" in lk.a + lk.b for lk in ungated.links)


# Delhi's winter smog told by two outlets (stubble burning, schools closed), and
# another Delhi story (an oxygen bar at a mall) whose background sentence reads
# like one of theirs. The two stories share one name, so the article gate only
# partly closes; taken once, it still let that pair form a two-passage "event".
SMOG_A = [
    "Smog covered New Delhi again on Monday as farmers in Punjab and Haryana burned rice stubble.",
    "Chief Minister Arvind Kejriwal ordered schools closed, and the Supreme Court asked the Centre to act.",
    "The air quality index passed 450, and PM2.5 levels were twelve times the safe limit.",
    "Winter smog settles over the city every year when the winds slow and the pollution has "
    "nowhere to go.",
    "As temperatures drop, poorer residents burn wood fires for heat, sending more smoke and ash "
    "into the air.",
]
SMOG_C = [
    "Smog blanketed New Delhi on Monday while farmers in Punjab and Haryana set fire to their rice "
    "stubble.",
    "Arvind Kejriwal closed schools and the Supreme Court told the Centre to act within a week.",
    "The air quality index went past 450, with PM2.5 at twelve times the safe level.",
]
OXYGEN_BAR_B = [
    "A mall in Saket, in South Delhi, opened an oxygen bar where visitors pay Rs 299 for fifteen "
    "minutes of pure air.",
    "News Nation visited the bar, which Aryavir Kumar opened with Oxy Pure in May.",
    "Most residents check an app for the air quality index and the PM2.5 levels before going out.",
    "With the dip in temperature and slower winds, smoke and pollution have been settling over the city.",
    "Doctors at AIIMS said the sessions bring no lasting benefit against the winter smog.",
]


def test_an_unrelated_story_makes_no_event_with_one_similar_sentence(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.link import core

    def passages() -> list[Passage]:
        out = []
        for doc, outlet, texts in (("a", "Hindustan Times", SMOG_A), ("b", "India Today", OXYGEN_BAR_B),
                                   ("c", "The Hindu", SMOG_C)):
            out += [Passage(f"{doc}/{i}", outlet, doc, t) for i, t in enumerate(texts)]
        return out

    result = link_passages(passages())
    assert [ev.passages for ev in result.events] == [
        ["a/0", "a/1", "a/2", "a/3", "a/4", "c/0", "c/1", "c/2"]]  # the smog story, and only it
    assert {(lk.a, lk.b) for lk in result.links} == {("a/0", "c/0"), ("a/1", "c/1"), ("a/2", "c/2")}
    # with the gate taken once, the two "winter smog" sentences became an event of their own
    monkeypatch.setattr(core, "EVENT_GATE_POWER", 1)
    once = link_passages(passages())
    assert ["a/3", "b/3"] in [ev.passages for ev in once.events]


def test_names_exclude_numbers_and_calendar_words() -> None:
    from tui.link.features import is_name

    assert is_name("gaziantep") and is_name("nato")
    assert not is_name("#2019") and not is_name("friday") and not is_name("november")


def test_one_source_never_linked(store: Store) -> None:
    add(store, "Reuters", TURKEY_A)
    add(store, "Reuters", TURKEY_B)  # same outlet: never linked, however similar
    add(store, "reuters ", [TURKEY_A[0] + " Officials said."])  # same outlet, other spelling
    summary = link_store(store)
    assert summary.links == 0 and summary.events == 0
    passages = [Passage(f"{d}/{i}", "one", d, t) for d, texts in (("x", TURKEY_A), ("y", TURKEY_A))
                for i, t in enumerate(texts)]
    result = link_passages(passages, with_pairs=True)
    assert result.links == [] and result.pairs == [] and result.events == []


def test_hidden_blocks_are_not_linked(store: Store) -> None:
    add(store, "Reuters", TURKEY_A, keep=[False, False])
    add(store, "AP", TURKEY_B)
    assert link_store(store).passages == 2
    assert _stored_links(store) == []


def test_reporting_credits_are_not_linked(store: Store) -> None:
    """A wire credit under two outlets' articles is the same words, not the same event."""
    credit = "The Associated Press contributed to this report."
    add(store, "Reuters", [TURKEY_A[0], credit], kinds=["body", "credit"])
    add(store, "BBC", [CHILE_C[0], credit], kinds=["body", "credit"])
    summary = link_store(store)
    assert summary.passages == 2
    assert _stored_links(store) == []


def _quake_passages() -> list[Passage]:
    out = []
    for doc, (outlet, texts) in enumerate([("Reuters", TURKEY_A), ("AP", TURKEY_B), ("BBC", CHILE_C),
                                            ("AFP", CHILE_D), ("Guardian", FOOTBALL_E)]):
        out += [Passage(f"d{doc}/{i}", outlet, f"d{doc}", t) for i, t in enumerate(texts)]
    return out


def test_deterministic_whatever_the_input_order() -> None:
    passages = _quake_passages()
    first = link_passages(passages, with_pairs=True)
    shuffled = passages[:]
    random.Random(7).shuffle(shuffled)
    second = link_passages(shuffled, with_pairs=True)
    assert first.links == second.links and first.pairs == second.pairs
    assert first.events == second.events
    assert first.pairs, "the fixture must produce links for this test to mean anything"


def test_recompute_keeps_confirmed_and_rejected(quake_store: Store) -> None:
    link_store(quake_store)
    links = _stored_links(quake_store)
    assert len(links) >= 2
    confirmed, rejected = links[0], links[1]
    assert confirmed["id"] == link_id(confirmed["a"], confirmed["b"]) == link_id(confirmed["b"], confirmed["a"])
    set_link_status(quake_store, confirmed["id"], "confirmed", "ana")
    set_link_status(quake_store, rejected["id"], "rejected", "ben")
    summary = link_store(quake_store)
    assert summary.kept_decisions == 2
    after = {r["id"]: r for r in _stored_links(quake_store)}
    assert after[confirmed["id"]]["status"] == "confirmed"
    assert after[confirmed["id"]]["status_by"] == "ana" and after[confirmed["id"]]["status_at"]
    assert after[rejected["id"]]["status"] == "rejected"
    assert after[rejected["id"]]["status_by"] == "ben"
    assert len(after) == len(links)  # nothing duplicated, nothing lost
    # the rejected link is listed last and is not a marker
    listed = links_for_passage(quake_store, rejected["a"])
    assert listed[-1]["link_id"] == rejected["id"] and listed[-1]["status"] == "rejected"
    assert listed[-1]["passage_id"] == rejected["b"]
    assert rejected["a"] not in linked_passage_ids(quake_store, rejected["a_article"]) or any(
        x["status"] != "rejected" for x in listed)
    assert confirmed["a"] in linked_passage_ids(quake_store, confirmed["a_article"])
    audit = list(quake_store.db.query("select * from audit where action = 'link-status'"))
    assert len(audit) == 2


def test_back_to_suggested_carries_nobody_s_name(quake_store: Store) -> None:
    """Undoing a decision in the app sets the link back to "suggested": it must read
    like every suggestion the linker writes, not as decided by whoever pressed u."""
    link_store(quake_store)
    link = _stored_links(quake_store)[0]
    assert link["status_by"] is None and link["status_at"] is None
    set_link_status(quake_store, link["id"], "confirmed", "ana")
    row = set_link_status(quake_store, link["id"], "suggested", "ana")
    assert (row["status"], row["status_by"], row["status_at"]) == ("suggested", None, None)
    audit = [json.loads(r["after"]) for r in quake_store.db.query(
        "select after from audit where action = 'link-status' order by rowid")]
    assert audit == [{"status": "confirmed"}, {"status": "suggested"}]  # the history keeps who did it


def test_links_for_passage_shape_and_order(quake_store: Store) -> None:
    link_store(quake_store)
    some = _stored_links(quake_store)[0]
    items = links_for_passage(quake_store, some["a"])
    assert items and set(items[0]) == {"link_id", "passage_id", "article_id", "outlet", "text",
                                       "score", "status"}
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert links_for_passage(quake_store, "no-such-passage") == []


def test_set_link_status_validates(quake_store: Store) -> None:
    link_store(quake_store)
    lid = _stored_links(quake_store)[0]["id"]
    with pytest.raises(UserError, match="unknown link status"):
        set_link_status(quake_store, lid, "maybe", "ana")
    with pytest.raises(UserError, match="no link"):
        set_link_status(quake_store, "Lnope", "confirmed", "ana")
    row = set_link_status(quake_store, lid, "suggested", "ana")
    assert row["status"] == "suggested" and row["status_by"] is None  # a suggestion is nobody's


def test_threshold_validated(quake_store: Store) -> None:
    with pytest.raises(UserError, match="out of range"):
        link_store(quake_store, threshold=0)


def test_progress_is_reported(quake_store: Store) -> None:
    seen: list[tuple[int, int]] = []
    link_store(quake_store, progress=lambda done, total: seen.append((done, total)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]


def test_seeds_obvious_same_event_links(seeded_store: Store) -> None:
    summary = link_store(seeded_store)
    visible_blocks = seeded_store.db.execute(
        "select count(*) from blocks where coalesce(override, keep) = 1").fetchone()[0]
    assert 0 < summary.links <= visible_blocks  # about one link per paragraph or fewer
    outlet = {r["id"]: r["path"] for r in seeded_store.list_articles()}
    found = []
    for r in _stored_links(seeded_store):
        a, b = _text_of(seeded_store, r["a"]), _text_of(seeded_store, r["b"])
        files = {Path(outlet[r["a_article"]]).name[:3], Path(outlet[r["b_article"]]).name[:3]}
        found.append((files, a + " || " + b))
    assert any(f == {"000", "001"} and t.lower().count("accelerat") >= 2 for f, t in found), found
    assert any(f == {"001", "004"} and t.count("2008") >= 2 for f, t in found), found
    # two seeds close with "The Associated Press contributed to this report": no event of its own
    grouped = [r[0] for r in seeded_store.db.execute(
        "select p.text from event_passages ep join passages p on p.id = ep.passage_id")]
    assert grouped and not any("contributed to this report" in t for t in grouped)


# ------------------------------------------------------------------ file mode
def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "PARALLAX_ANNOTATOR": "tester"}
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          timeout=120, env=dict(base, **(env or {})))


def _write_docs(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for doc, (outlet, texts) in enumerate([("Reuters", TURKEY_A), ("AP", TURKEY_B),
                                                ("BBC", CHILE_C), ("AFP", CHILE_D),
                                                ("Reuters", TURKEY_B)]):
            fh.write(json.dumps({"id": f"d{doc}", "source": outlet, "passages": [
                {"id": f"d{doc}/{i}", "text": t} for i, t in enumerate(texts)]}) + "\n")
    return path


def test_file_mode_prints_scored_pairs(tmp_path: Path) -> None:
    docs = _write_docs(tmp_path / "docs.jsonl")
    proc = run_cli("links", "--jsonl", str(docs), env={"PYTHONHASHSEED": "1"})
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows and all(set(r) == {"a", "b", "score"} for r in rows)
    source = {"d0": "Reuters", "d1": "AP", "d2": "BBC", "d3": "AFP", "d4": "Reuters"}
    for r in rows:
        assert source[r["a"].split("/")[0]] != source[r["b"].split("/")[0]]
        assert 0 < r["score"] <= 1.0
    linked = {frozenset((r["a"], r["b"])) for r in rows}
    assert frozenset(("d0/0", "d1/0")) in linked and frozenset(("d2/0", "d3/0")) in linked
    assert not any({x.split("/")[0] for x in pair} in ({"d0", "d2"}, {"d1", "d3"}) for pair in linked)
    again = run_cli("links", "--jsonl", str(docs), env={"PYTHONHASHSEED": "99"})
    assert again.stdout == proc.stdout  # byte for byte, whatever the hash seed
    direct = run_cli("links", "--jsonl", str(docs), "--direct")
    assert direct.returncode == 0 and direct.stdout.strip()


@pytest.mark.parametrize(("content", "fragment"), [
    ('{"id": "a", "source": "s", "passages": []}\n{"id": "b", oops}\n', "docs.jsonl:2: not valid JSON"),
    ('{"id": "a", "source": "s", "passages": [{"id": 1, "text": "x"}]}\n', "docs.jsonl:1: passage 0"),
    ('[1, 2]\n', "docs.jsonl:1: expected a JSON object"),
    ('{"source": "s", "passages": []}\n', 'docs.jsonl:1: missing "id"'),
    # json's decoder recurses per level: this used to end in a RecursionError traceback
    pytest.param('{"id": "a", "source": "s", "passages": []}\n' + "[" * 200_000 + "]" * 200_000 + "\n",
                 "docs.jsonl:2: not valid JSON (nested too deeply)", id="deeply-nested"),
])
def test_file_mode_bad_input_is_one_line(tmp_path: Path, content: str, fragment: str) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(content, encoding="utf-8")
    proc = run_cli("links", "--jsonl", str(docs))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parallax: error:") and fragment in lines[0], lines
    assert proc.stdout == ""


def test_file_mode_missing_file_and_bad_threshold(tmp_path: Path) -> None:
    proc = run_cli("links", "--jsonl", str(tmp_path / "nope.jsonl"))
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr
    docs = _write_docs(tmp_path / "docs.jsonl")
    proc = run_cli("links", "--jsonl", str(docs), "--threshold", "7")
    assert proc.returncode == 2 and "out of range" in proc.stderr


def test_cli_database_mode_events_and_status(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    store = Store.open(db)
    store.ensure_schema(None, None, "tester")
    for outlet, texts in (("Reuters", TURKEY_A), ("AP", TURKEY_B), ("BBC", CHILE_C), ("AFP", CHILE_D)):
        add(store, outlet, texts)
    store.close()
    proc = run_cli("--db", str(db), "links", "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert set(summary) >= {"passages", "candidates", "links", "events", "seconds"}
    listed = json.loads(run_cli("--db", str(db), "links", "--list", "--json").stdout)
    assert len(listed) == summary["links"]
    events = json.loads(run_cli("--db", str(db), "events", "--json").stdout)
    assert len(events) == summary["events"] and events[0]["passages"]
    status = run_cli("--db", str(db), "--annotator", "ana", "link-status", listed[0]["id"], "confirmed",
                     "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["status_by"] == "ana"
    bad = run_cli("--db", str(db), "link-status", "Lnope", "confirmed")
    assert bad.returncode == 2 and "no link" in bad.stderr
    again = json.loads(run_cli("--db", str(db), "links", "--json").stdout)
    assert again["kept_decisions"] == 1
    for cmd in ("links", "events", "link-status", "search"):
        help_text = run_cli(cmd, "--help").stdout
        assert "Example" in help_text, cmd


def test_default_params_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "linking.md").read_text(encoding="utf-8")
    assert f"`threshold` ({Params().threshold:.2f})" in doc
    assert f"`k` candidates per passage ({Params().k})" in doc


def test_database_mode_deterministic(tmp_path: Path) -> None:
    """Two databases with the same articles get the same links and events, row for row."""
    results = []
    for name, order in (("one.db", [0, 1, 2, 3, 4]), ("two.db", [4, 2, 0, 3, 1])):
        s = Store.open(tmp_path / name)
        s.ensure_schema(None, None, "tester")
        articles = [("Reuters", TURKEY_A), ("AP", TURKEY_B), ("BBC", CHILE_C), ("AFP", CHILE_D),
                    ("Guardian", FOOTBALL_E)]
        for k in order:
            add(s, *articles[k])
        link_store(s)
        links = list(s.db.execute("select id, a, b, score, status from links order by id"))
        events = list(s.db.execute("select id, label, central_passage, outlets, size from events "
                                   "order by id"))
        members = list(s.db.execute("select * from event_passages order by event_id, passage_id"))
        results.append((links, events, members))
        s.close()
    assert results[0] == results[1]
    assert results[0][0] and results[0][1]


def test_a_decision_taken_while_links_are_computed_is_kept(seeded_store) -> None:
    """The app computes links in a worker while the annotator keeps confirming."""
    import tui.link.db as link_db
    from tui.link import link_store, set_link_status

    link_store(seeded_store)
    first = seeded_store.db.execute("select id from links order by id limit 1").fetchone()[0]
    seeded_store.db.execute("delete from links where id = ?", [first])  # as if never suggested
    seeded_store.db.conn.commit()
    real = link_db.link_passages

    def racing(*args, **kwargs):
        result = real(*args, **kwargs)
        # another annotator decides on the link between the snapshot and the write
        a, b = next((lk.a, lk.b) for lk in result.links if link_db.link_id(lk.a, lk.b) == first)
        with seeded_store.transaction():
            seeded_store.db["links"].insert({"id": first, "a": a, "b": b, "a_article": a.split(":")[0],
                                             "b_article": b.split(":")[0], "score": 0.5,
                                             "method": "x", "status": "suggested"})
        set_link_status(seeded_store, first, "rejected", "ana")
        return result

    link_db.link_passages = racing
    try:
        link_store(seeded_store)
    finally:
        link_db.link_passages = real
    row = seeded_store.db["links"].get(first)
    assert row["status"] == "rejected" and row["status_by"] == "ana"


def test_a_confirmed_link_keeps_the_linker_s_own_score(quake_store: Store) -> None:
    """Confirmed pairs enter the linker as perfect matches (so the events follow the
    decision); that 1.0 used to be stored as the link's score on the next run."""
    link_store(quake_store)
    before = {r["id"]: r for r in _stored_links(quake_store)}
    confirmed, rejected = list(before.values())[:2]
    assert confirmed["score"] < 1.0
    set_link_status(quake_store, confirmed["id"], "confirmed", "ana")
    set_link_status(quake_store, rejected["id"], "rejected", "ana")
    link_store(quake_store)
    after = {r["id"]: r for r in _stored_links(quake_store)}
    assert after[confirmed["id"]]["score"] == pytest.approx(confirmed["score"])
    assert after[rejected["id"]]["score"] == pytest.approx(rejected["score"])
    assert after[confirmed["id"]]["status"] == "confirmed"
    # the override still makes the confirmed pair count as a perfect match for the events
    passages = [Passage(r[0], r[3], r[1], r[2]) for r in quake_store.db.execute(
        "select p.id, p.article_id, p.text, a.outlet from passages p "
        "join articles a on a.id = p.article_id order by p.id")]
    pair = (confirmed["a"], confirmed["b"])
    result = link_passages(passages, overrides={pair: 1.0})
    assert result.model_scores[tuple(sorted(pair))] == pytest.approx(confirmed["score"])
    assert any(lk.score == 1.0 and {lk.a, lk.b} == set(pair) for lk in result.links)
    assert any(set(pair) <= set(ev.passages) for ev in result.events)


def test_link_status_takes_a_unique_prefix(quake_store: Store, tmp_path: Path) -> None:
    link_store(quake_store)
    ids = sorted(r["id"] for r in _stored_links(quake_store))
    target = ids[0]
    unique = next(target[:n] for n in range(2, 17) if sum(i.startswith(target[:n]) for i in ids) == 1)
    row = set_link_status(quake_store, unique, "confirmed", "ana")
    assert row["id"] == target and row["status"] == "confirmed"
    with pytest.raises(UserError, match=r"link id 'L' is ambiguous \(\d+ links start with it: L"):
        set_link_status(quake_store, "L", "rejected", "ana")
    with pytest.raises(UserError, match="no link 'Lzz'"):
        set_link_status(quake_store, "Lzz", "rejected", "ana")
    quake_store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = quake_store.path
    ok = run_cli("--db", str(db), "--annotator", "ben", "link-status", unique, "rejected", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["id"] == target
    bad = run_cli("--db", str(db), "link-status", "L", "rejected")
    assert bad.returncode == 2 and "ambiguous" in bad.stderr and len(bad.stderr.splitlines()) == 1


@pytest.mark.parametrize(("args", "fragment"), [
    (["--list", "--threshold", "0.5"], "--threshold does not apply with --list"),
    (["--direct"], "--direct only applies with --jsonl"),
    (["--list", "--direct"], "--direct only applies with --jsonl"),
    (["--jsonl", "DOCS", "--list"], "--list shows the links stored in the database"),
])
def test_links_refuses_options_it_would_ignore(tmp_path: Path, args: list[str], fragment: str) -> None:
    docs = _write_docs(tmp_path / "docs.jsonl")
    db = tmp_path / "q.db"
    store = Store.open(db)
    store.ensure_schema(None, None, "tester")
    add(store, "Reuters", TURKEY_A)
    add(store, "AP", TURKEY_B)
    store.close()
    proc = run_cli("--db", str(db), "links", *[str(docs) if a == "DOCS" else a for a in args])
    assert proc.returncode == 2, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parallax: error:") and fragment in lines[0], lines
    assert proc.stdout == ""
    with Store.open(db) as s:  # nothing was computed
        assert s.db.execute("select count(*) from links").fetchone()[0] == 0
