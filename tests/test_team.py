"""Team work: merging databases, agreement figures checked by hand, adjudication, CLI shapes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tui.errors import UserError
from tui.labels import parse_schema
from tui.model import Block, CleanResult, Meta, RawDocument
from tui.store import Store
from tui.team.agreement import agreement, cohen_kappa, krippendorff_alpha
from tui.team.merge import merge_database, schema_toml
from tui.team.review import accept, disagreements

ROOT = Path(__file__).resolve().parents[1]


def add(store: Store, name: str, title: str | None, blocks: list[tuple[str, str, bool]]) -> str:
    raw_text = "\n\n".join(text for text, _, _ in blocks) + f"\n<!-- {name} -->"
    pos, made = 0, []
    for text, kind, keep in blocks:
        made.append(Block(text=text, start=pos, end=pos + len(text), kind=kind, keep=keep))
        pos += len(text) + 2
    result = CleanResult(meta=Meta(title=title, outlet=f"Outlet {name}"), blocks=made,
                         working_text=raw_text)
    return store.add_article(RawDocument(path=f"{name}.txt", text=raw_text, format="txt"),
                             result).article_id


def tag(store: Store, article_id: str, seq: int, needle: str, label: str, who: str,
        nth: int = 0, **kw) -> dict:
    block = store.blocks(article_id)[seq]
    start = -1
    for _ in range(nth + 1):
        start = block["text"].index(needle, start + 1)
    return store.add_annotation(block_id=block["id"], start=start, end=start + len(needle),
                                label=label, annotator=who, **kw)


SENTENCE = "Rain hit Oslo on Monday and Bergen on Tuesday ."


# ------------------------------------------------------------------ agreement
@pytest.fixture
def two_annotators(store: Store) -> dict:
    x = add(store, "x", None, [(SENTENCE, "body", True)])
    y = add(store, "y", None, [("Only Ana read this one .", "body", True)])
    z = add(store, "z", None, [("Ferries stopped . Power was cut .", "body", True)])
    tag(store, x, 0, "Oslo", "PLACE", "ana")
    tag(store, x, 0, "Monday", "TIME", "ana")
    tag(store, x, 0, "Bergen", "PLACE", "ana")
    tag(store, x, 0, "Oslo", "PLACE", "ben")
    tag(store, x, 0, "on Monday", "TIME", "ben")
    tag(store, x, 0, "Tuesday", "TIME", "ben")
    tag(store, y, 0, "Ana", "ACTOR", "ana")  # only ana: not a shared article
    gone = tag(store, x, 0, "Rain", "EVENT", "ben")
    store.delete_annotation(gone["id"], "ben")  # removed spans do not count
    return {"store": store, "x": x, "y": y, "z": z}


def test_agreement_matches_hand_computed_figures(two_annotators: dict) -> None:
    r = agreement(two_annotators["store"])
    assert r["annotators"] == ["ana", "ben"]
    assert r["labels"] == ["ACTOR", "PLACE", "TIME"]
    (pair,) = r["pairs"]
    assert (pair["articles"], pair["tokens"]) == (1, 10)
    overall = pair["labels"]["overall"]
    # spans  ana: Oslo/PLACE Monday/TIME Bergen/PLACE   ben: Oslo/PLACE "on Monday"/TIME Tuesday/TIME
    # exact: only Oslo matches -> F1 = 2*1/(3+3) = 1/3
    # overlap: Oslo~Oslo, Monday~"on Monday" -> F1 = 2*2/6 = 2/3
    assert overall["f1_exact"] == pytest.approx(1 / 3)
    assert overall["f1_overlap"] == pytest.approx(2 / 3)
    # tokens  Rain hit Oslo on Monday and Bergen on Tuesday .
    #   ana   O    O   P    O  T      O   P      O  O       O
    #   ben   O    O   P    T  T      O   O      O  T       O
    # p_o = 7/10; ana O7 P2 T1, ben O6 P1 T3 -> p_e = (42+2+3)/100 = .47
    # kappa = (.70-.47)/(1-.47) = .23/.53
    assert overall["kappa"] == pytest.approx(0.23 / 0.53)
    # alpha: coincidences o_OO=10 o_PP=2 o_TT=2, o_OT=o_TO=2, o_OP=o_PO=1; n_O=13 n_P=3 n_T=4, n=20
    # alpha = 1 - (n-1) * D_o / sum_{c!=k} n_c n_k = 1 - 19*6 / (2*(39+52+12)) = 1 - 114/206
    assert r["alpha"]["overall"]["alpha"] == pytest.approx(1 - 114 / 206)
    assert r["alpha"]["overall"]["units"] == 10 and r["alpha"]["overall"]["articles"] == 1
    place = pair["labels"]["PLACE"]
    # PLACE: ana {Oslo, Bergen}, ben {Oslo}: F1 = 2/3; tokens differ only at Bergen:
    # p_o = .9, p_e = (2*1 + 8*9)/100 = .74, kappa = .16/.26
    assert place["f1_exact"] == pytest.approx(2 / 3)
    assert place["kappa"] == pytest.approx(0.16 / 0.26)
    # PLACE alpha: units O-O x8, P-P x1, P-O x1 -> o_OO=16 o_PP=2 o_PO=o_OP=1, n_O=17 n_P=3
    # alpha = 1 - 19*2/(2*17*3) = 1 - 38/102
    assert r["alpha"]["PLACE"]["alpha"] == pytest.approx(1 - 38 / 102)
    time_ = pair["labels"]["TIME"]
    # TIME: no exact match; Monday~"on Monday" overlap -> 2*1/(1+2)
    assert (time_["f1_exact"], time_["f1_overlap"]) == (0, pytest.approx(2 / 3))
    # TIME tokens: ana T at Monday; ben T at on, Monday, Tuesday -> p_o = .8,
    # p_e = (1*3 + 9*7)/100 = .66, kappa = .14/.34; alpha: o_OO=14 o_TT=2 o_OT=o_TO=2,
    # n_O=16 n_T=4 -> 1 - 19*4/(2*16*4) = 1 - 76/128
    assert time_["kappa"] == pytest.approx(0.14 / 0.34)
    assert r["alpha"]["TIME"]["alpha"] == pytest.approx(1 - 76 / 128)
    # ACTOR only on the article ben did not annotate: nothing to compare, kappa undefined
    actor = pair["labels"]["ACTOR"]
    assert (actor["f1_exact"], actor["kappa"], actor["spans_a"]) == (None, None, 0)


def test_agreement_label_filter(two_annotators: dict) -> None:
    r = agreement(two_annotators["store"], ["PLACE"])
    assert r["labels"] == ["PLACE"]
    place = r["pairs"][0]["labels"]["PLACE"]
    assert place["f1_exact"] == pytest.approx(2 / 3)
    assert place["kappa"] == pytest.approx(0.16 / 0.26)
    # the filter picks rows; the overall row stays the one of every label
    assert r["pairs"][0]["labels"]["overall"]["kappa"] == pytest.approx(0.23 / 0.53)
    with pytest.raises(UserError, match="unknown label 'NOPE'"):
        agreement(two_annotators["store"], ["NOPE"])


def test_a_label_s_figures_are_the_same_with_and_without_the_label_filter(two_annotators: dict,
                                                                           tmp_path: Path) -> None:
    """"Both annotated" used to be decided after the filter: on z, ana tags only an EVENT
    and ben only an ACTOR, so --label EVENT dropped z and gave nulls (and PLACE lost
    units) while the full table counted it."""
    store, z = two_annotators["store"], two_annotators["z"]
    tag(store, z, 0, "Ferries stopped", "EVENT", "ana")
    tag(store, z, 0, "Power", "ACTOR", "ben")
    full = agreement(store)
    (pair,) = full["pairs"]
    assert pair["articles"] == 2 and pair["labels"]["EVENT"]["spans_a"] == 1
    assert pair["labels"]["EVENT"]["kappa"] is not None
    for label in ("EVENT", "PLACE", "ACTOR", "TIME"):
        only = agreement(store, [label])
        assert only["labels"] == [label] and only["annotators"] == full["annotators"]
        (one,) = only["pairs"]
        assert (one["articles"], one["tokens"], one["links"]) == (pair["articles"], pair["tokens"],
                                                                  pair["links"])
        assert one["labels"] == {"overall": pair["labels"]["overall"], label: pair["labels"][label]}
        assert only["alpha"] == {"overall": full["alpha"]["overall"], label: full["alpha"][label]}
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    table = run(Path(store.path), "agreement").stdout.splitlines()
    filtered = run(Path(store.path), "agreement", "--label", "EVENT").stdout.splitlines()
    assert [x for x in filtered if x.strip().startswith("EVENT")] == \
        [x for x in table if x.strip().startswith("EVENT")]


def test_krippendorff_alpha_with_three_coders_and_missing_values() -> None:
    # units [a,a,a] [a,a,b] [b,b] [a]: o_aa = 6/2 + 2/2 = 4, o_ab = o_ba = 2/2 = 1, o_bb = 2/1 = 2
    # n_a = 5, n_b = 3, n = 8; alpha = 1 - 7*2/(2*5*3) = 16/30; the single value [a] is not pairable
    units = {("a", "a", "a"): 1, ("a", "a", "b"): 1, ("b", "b"): 1, ("a",): 1}
    from collections import Counter

    assert krippendorff_alpha(Counter(units)) == pytest.approx(16 / 30)
    assert krippendorff_alpha(Counter({("a", "a"): 3})) is None  # no variation: undefined
    assert cohen_kappa(Counter({("O", "O"): 4})) is None
    assert cohen_kappa(Counter({("x", "x"): 2, ("y", "y"): 2})) == 1.0
    try:
        import krippendorff  # cross-check against the reference implementation when installed
        import numpy as np
    except ImportError:
        return
    data = np.array([[0, 0, 1, 0], [0, 0, 1, np.nan], [0, 1, np.nan, np.nan]], dtype=float)
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="nominal") == \
        pytest.approx(16 / 30)


def test_link_agreement_uses_each_annotators_latest_decision(two_annotators: dict) -> None:
    from tui.link.db import link_id, set_link_status

    store = two_annotators["store"]
    px = store.passages(two_annotators["x"])[0]["id"]
    pz = [p["id"] for p in store.passages(two_annotators["z"])]
    py = store.passages(two_annotators["y"])[0]["id"]
    ids = []
    with store.transaction():
        for a, b in ((px, pz[0]), (px, pz[1]), (py, pz[0]), (py, pz[1])):
            lid = link_id(a, b)
            ids.append(lid)
            store.db["links"].insert({"id": lid, "a": a, "b": b, "a_article": a.split(":")[0],
                                      "b_article": b.split(":")[0], "score": 0.5, "method": "t",
                                      "status": "suggested"})
    set_link_status(store, ids[0], "confirmed", "ana")
    set_link_status(store, ids[1], "confirmed", "ana")
    set_link_status(store, ids[1], "confirmed", "ben")  # the row now says ben; ana's decision is in the audit
    set_link_status(store, ids[2], "confirmed", "ben")
    set_link_status(store, ids[3], "rejected", "ben")
    (pair,) = agreement(store)["pairs"]
    # ana {l0, l1}, ben {l1, l2} -> F1 = 2*1/(2+2) = 0.5 (l3 is rejected)
    assert pair["links"] == {"confirmed_a": 2, "confirmed_b": 2, "both": 1, "f1": 0.5}
    set_link_status(store, ids[0], "rejected", "ana")  # ana changes her mind: latest decision counts
    (pair,) = agreement(store)["pairs"]
    assert pair["links"]["f1"] == pytest.approx(2 * 1 / (1 + 2))


# ------------------------------------------------------------------ review
def test_disagreements_pair_spans_and_accept_copies_for_the_adjudicator(two_annotators: dict) -> None:
    store = two_annotators["store"]
    x = two_annotators["x"]
    tag(store, x, 0, "hit Oslo", "EVENT", "ben")
    pairs = disagreements(store, x, "ana", "ben")
    got = [(p.kind, p.a and p.a["text"], p.b and p.b["text"]) for p in pairs]
    assert got == [
        ("only_b", None, "hit Oslo"),
        ("exact", "Oslo", "Oslo"),
        ("overlap", "Monday", "on Monday"),
        ("only_a", "Bergen", None),
        ("only_b", None, "Tuesday"),
    ]
    chosen = pairs[2].b
    copy = accept(store, chosen["id"], "judge")
    assert (copy["annotator"], copy["text"], copy["label"], copy["origin"]) == (
        "judge", "on Monday", "TIME", "adjudication")
    assert chosen["id"] in copy["note"]
    assert accept(store, chosen["id"], "judge")["id"] == copy["id"]  # idempotent
    store.delete_annotation(copy["id"], "judge")
    assert accept(store, chosen["id"], "judge")["deleted_at"] is None  # restored, not duplicated
    assert len(store.annotations(x, annotator="judge")) == 1
    # ana's Oslo equals ben's Oslo: accepting both gives the judge one span, not two
    first = accept(store, pairs[1].a["id"], "judge")
    assert accept(store, pairs[1].b["id"], "judge")["id"] == first["id"]
    assert len(store.annotations(x, annotator="judge")) == 2
    assert store.annotations(x, annotator="ben")[0]["annotator"] == "ben"  # originals untouched


# ------------------------------------------------------------------ merge
def snapshot(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'table' and name not like 'passages_fts%' "
        "and name != 'sqlite_sequence'")]
    snap = {t: sorted(map(repr, conn.execute(f"select * from [{t}]").fetchall())) for t in tables}
    conn.close()
    return snap


def checkpoint(store: Store) -> None:
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture
def team(tmp_path: Path) -> dict:
    """ana.db and ben.db that started from the same two articles and then diverged."""
    base = Store.open(tmp_path / "base.db")
    base.ensure_schema(None, None, "lead")
    a = add(base, "a", "Storm hits", [("Storm hits", "title", True),
                                      ("A storm hit Oslo on Monday .", "body", True),
                                      ("Subscribe now !", "newsletter", False)])
    b = add(base, "b", "Ferries stop", [("Ferries stop", "title", True),
                                        ("Ferries stopped in Bergen .", "body", True)])
    shared = tag(base, a, 1, "storm", "EVENT", "lead")
    edited = tag(base, a, 1, "Oslo", "PLACE", "lead")
    removed = tag(base, b, 1, "Bergen", "PLACE", "lead")
    from tui.link.db import link_id
    pa, pb = base.passages(a)[1]["id"], base.passages(b)[1]["id"]
    lid = link_id(pa, pb)
    with base.transaction():
        base.db["links"].insert({"id": lid, "a": pa, "b": pb, "a_article": a, "b_article": b,
                                 "score": 0.7, "method": "t", "status": "suggested"})
    checkpoint(base)
    base.close()
    shutil.copy(tmp_path / "base.db", tmp_path / "ana.db")
    shutil.copy(tmp_path / "base.db", tmp_path / "ben.db")
    ana, ben = Store.open(tmp_path / "ana.db"), Store.open(tmp_path / "ben.db")
    # ben: a different meaning of EVENT, a new label whose key is taken, a new article
    text = schema_toml(ben.schema())
    text = text.replace('"Something that happened or will happen: an action, decision, attack, '
                        'meeting, announcement."', '"Only violent events."')
    text = text.replace('key = "9"', 'key = "z"')  # a cosmetic difference: not a conflict
    text += '\n[[labels]]\nname = "RUMOR"\nkey = "9"\ncolor = "#123456"\ndescription = "Unconfirmed."\nscope = "span"\n'
    ben.ensure_schema(parse_schema(text, "ben.toml"), text, "ben")
    c = add(ben, "c", "Only ben has this", [("Only ben has this", "title", True),
                                           ("Ben read a rumor here .", "body", True)])
    rumor = tag(ben, c, 1, "rumor", "RUMOR", "ben")
    ben_event = tag(ben, a, 1, "hit", "EVENT", "ben")
    ana_span = tag(ana, a, 1, "Monday", "TIME", "ana")
    # edits: ana relabels `edited` late, ben relabels it early -> ana's stays
    ana.update_annotation(edited["id"], "ana", label="ACTOR")
    ben.update_annotation(edited["id"], "ben", label="CLAIM")
    for s, when in ((ana, "2030-01-02T00:00:00.000+00:00"), (ben, "2030-01-01T00:00:00.000+00:00")):
        s.db.execute("update annotations set updated_at = ? where id = ?", [when, edited["id"]])
        s.db.conn.commit()
    # ben removes `removed` after ana's note on it -> the tombstone wins
    ana.update_annotation(removed["id"], "ana", note="is it Bergen?")
    ben.delete_annotation(removed["id"], "ben")
    for s, when in ((ana, "2030-01-01T00:00:00.000+00:00"), (ben, "2030-01-03T00:00:00.000+00:00")):
        s.db.execute("update annotations set updated_at = ? where id = ?", [when, removed["id"]])
        s.db.conn.commit()
    # ben shows the hidden newsletter block; both decide on the link
    ben.set_override(ben.blocks(a)[2]["id"], True, "ben")
    from tui.link.db import set_link_status
    set_link_status(ben, lid, "confirmed", "ben")
    for s in (ana, ben):
        checkpoint(s)
    ana.close()
    ben.close()
    return {"dir": tmp_path, "a": a, "b": b, "c": c, "shared": shared, "edited": edited,
            "removed": removed, "rumor": rumor, "ben_event": ben_event, "ana_span": ana_span,
            "link": lid}


def test_merge_brings_articles_spans_links_overrides_and_reports_conflicts(team: dict) -> None:
    d = team["dir"]
    ben_before = (d / "ben.db").read_bytes()
    with Store.open(d / "ana.db") as ana:
        report = merge_database(ana, d / "ben.db", annotator="ana")
        assert (d / "ben.db").read_bytes() == ben_before  # theirs is only read
        assert report.added["articles"] == 1 and report.added["labels"] == 1
        assert report.added["annotations"] == 2  # rumor, ben's EVENT
        assert report.updated["annotations"] == 1  # the tombstone
        assert report.updated["links"] == 1 and report.updated["overrides"] == 1
        lines = [c.line() for c in report.conflicts]
        assert any(line.startswith("label EVENT: means something else there") for line in lines)
        assert "label RUMOR: only there; added to our schema without a key (key '9' is taken here)" in lines
        labels = ana.schema().by_name()
        assert labels["RUMOR"].key == "" and labels["EVENT"].description.startswith("Something")
        anns = {r["id"]: r for r in ana.annotations(include_deleted=True)}
        assert anns[team["edited"]["id"]]["label"] == "ACTOR"  # ours is newer
        assert anns[team["removed"]["id"]]["deleted_at"] is not None  # newer tombstone
        assert anns[team["rumor"]["id"]]["article_id"] == team["c"]
        assert team["ana_span"]["id"] in anns
        assert ana.blocks(team["a"])[2]["visible"]
        link = ana.db["links"].get(team["link"])
        assert (link["status"], link["status_by"]) == ("confirmed", "ben")
        assert ana.get_article(team["c"])["title"] == "Only ben has this"
        assert len(ana.passages(team["c"])) == 2


def test_merging_twice_equals_merging_once(team: dict) -> None:
    d = team["dir"]
    with Store.open(d / "ana.db") as ana:
        merge_database(ana, d / "ben.db", annotator="ana")
        checkpoint(ana)
        once = snapshot(d / "ana.db")
        again = merge_database(ana, d / "ben.db", annotator="ana")
        checkpoint(ana)
        assert not again.changed
        assert snapshot(d / "ana.db") == once


def test_merge_is_symmetric_in_outcome_for_annotations(team: dict) -> None:
    d = team["dir"]
    shutil.copy(d / "ben.db", d / "ben2.db")
    with Store.open(d / "ana.db") as ana:
        merge_database(ana, d / "ben.db", annotator="ana")
        ours = {(r["id"], r["label"], r["deleted_at"] is None) for r in ana.annotations(include_deleted=True)}
    with Store.open(d / "ben2.db") as ben:
        merge_database(ben, d / "ana.db", annotator="ben")
        theirs = {(r["id"], r["label"], r["deleted_at"] is None) for r in ben.annotations(include_deleted=True)}
    assert ours == theirs


def test_merge_tombstone_older_than_an_edit_loses(team: dict) -> None:
    d = team["dir"]
    with Store.open(d / "ben.db") as ben:  # ben's removal is now older than ana's note
        ben.db.execute("update annotations set updated_at = '2029-01-01T00:00:00.000+00:00' where id = ?",
                       [team["removed"]["id"]])
        ben.db.conn.commit()
        checkpoint(ben)
    with Store.open(d / "ana.db") as ana:
        merge_database(ana, d / "ben.db", annotator="ana")
        row = ana.get_annotation(team["removed"]["id"])
        assert row["deleted_at"] is None and row["note"] == "is it Bergen?"


def test_merge_refuses_foreign_files_and_changes_nothing(team: dict, tmp_path: Path) -> None:
    d = team["dir"]
    text = tmp_path / "notes.db"
    text.write_text("hello")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    with Store.open(d / "ana.db") as ana:
        checkpoint(ana)
        before = snapshot(d / "ana.db")
        with pytest.raises(UserError, match="not an SQLite database"):
            merge_database(ana, text, annotator="ana")
        with pytest.raises(UserError, match="not a Parallax one"):
            merge_database(ana, other, annotator="ana")
        with pytest.raises(UserError, match="does not exist"):
            merge_database(ana, tmp_path / "missing.db", annotator="ana")
        with pytest.raises(UserError, match="being merged into"):
            merge_database(ana, d / "ana.db", annotator="ana")
        assert snapshot(d / "ana.db") == before


def test_merge_skips_and_reports_spans_whose_block_differs(team: dict) -> None:
    d = team["dir"]
    with Store.open(d / "ben.db") as ben:  # ben's block text differs (say, re-cleaned differently)
        ben.db.execute("update blocks set text = 'Ferries stopped in Bergen today .', text_hash = 'x' "
                       "where id = ?", [ben.blocks(team["b"])[1]["id"]])
        ben.db.conn.commit()
        tag(ben, team["b"], 1, "today", "TIME", "ben")
        checkpoint(ben)
    with Store.open(d / "ana.db") as ana:
        report = merge_database(ana, d / "ben.db", annotator="ana")
        skipped = [c for c in report.conflicts if c.kind == "annotation"]
        assert len(skipped) == 2 and all("skipped" in c.message for c in skipped)
        assert not [a for a in ana.annotations() if a["text"] == "today"]


# ------------------------------------------------------------------ CLI
def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", "--db", str(db), "--annotator", "ana", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_merge_and_agreement_json_shapes(team: dict) -> None:
    d = team["dir"]
    out = run(d / "ana.db", "merge", str(d / "ben.db"), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert set(report) == {"source", "added", "updated", "unchanged", "conflicts"}
    assert {"kind", "target", "message"} == set(report["conflicts"][0])
    text = run(d / "ana.db", "merge", str(d / "ben.db"))
    assert text.returncode == 0 and "conflict: label EVENT" in text.stderr
    assert "added nothing; updated nothing" in text.stderr
    agree = run(d / "ana.db", "agreement", "--json")
    assert agree.returncode == 0, agree.stderr
    result = json.loads(agree.stdout)
    assert set(result) == {"annotators", "labels", "alpha", "pairs"}
    assert "overall" in result["alpha"]
    pair = result["pairs"][0]
    assert set(pair) == {"a", "b", "articles", "tokens", "labels", "links"}
    assert set(pair["labels"]["overall"]) == {"spans_a", "spans_b", "exact", "overlap", "f1_exact",
                                              "f1_overlap", "kappa"}
    human = run(d / "ana.db", "agreement", "--label", "EVENT")
    assert human.returncode == 0 and "vs" in human.stdout
    bad = run(d / "ana.db", "merge", str(d / "nothere.db"))
    assert bad.returncode == 2 and bad.stderr.startswith("parallax: error:")
    assert len(bad.stderr.strip().splitlines()) == 1


def test_link_status_disagreement_keeps_the_newer_and_is_reported(team: dict) -> None:
    from tui.link.db import set_link_status

    d = team["dir"]
    with Store.open(d / "ana.db") as ana:
        set_link_status(ana, team["link"], "rejected", "ana")  # later than ben's confirmation
        report = merge_database(ana, d / "ben.db", annotator="ana")
        link = ana.db["links"].get(team["link"])
        assert (link["status"], link["status_by"]) == ("rejected", "ana")
        lines = [c.line() for c in report.conflicts if c.kind == "link"]
        assert lines == [f"link {team['link']}: rejected by ana here, confirmed by ben there; "
                         "kept ours (newer)"]
        # both decisions survive in the audit, so agreement on links still sees ben's
        from tui.team.agreement import link_decisions
        decisions = link_decisions(ana)
        assert decisions["ana"][team["link"]] == "rejected"
        assert decisions["ben"][team["link"]] == "confirmed"


def test_an_older_database_file_merges_read_only(tmp_path: Path, store: Store) -> None:
    """The frozen schema-v1 fixture merges into a current database and stays untouched."""
    fixture = ROOT / "tests" / "fixtures" / "parallax-v1.db"
    other = tmp_path / "v1.db"
    shutil.copy(fixture, other)
    before = other.read_bytes()
    report = merge_database(store, other, annotator="tester")
    assert other.read_bytes() == before
    assert report.added["articles"] == 3 and report.added["annotations"] == 3
    assert report.added["links"] == 1
    again = merge_database(store, other, annotator="tester")
    assert not again.changed


def test_merge_creates_nothing_beside_the_other_database(team: dict) -> None:
    """mode=ro on a WAL database left ben.db-wal and ben.db-shm beside ben's file."""
    d = team["dir"]
    before = sorted(p.name for p in d.iterdir())
    assert "ben.db-wal" not in before and "ben.db-shm" not in before
    ben_bytes = (d / "ben.db").read_bytes()
    with Store.open(d / "ana.db") as ana:
        assert merge_database(ana, d / "ben.db", annotator="ana").changed
    proc = run(d / "ana.db", "merge", str(d / "ben.db"))
    assert proc.returncode == 0, proc.stderr
    after = sorted(p.name for p in d.iterdir())
    assert [n for n in after if n.startswith("ben")] == ["ben.db"]
    assert (d / "ben.db").read_bytes() == ben_bytes
    # while ben works (his changes still in ben.db-wal), the merge reads them too
    with Store.open(d / "ben.db") as ben:
        late = tag(ben, team["b"], 1, "Ferries", "EVENT", "ben")
        assert (d / "ben.db-wal").exists()
        with Store.open(d / "ana.db") as ana:
            merge_database(ana, d / "ben.db", annotator="ana")
            assert ana.db["annotations"].get(late["id"])["label"] == "EVENT"


def test_a_span_back_from_a_jsonl_round_trip_does_not_wipe_its_note(tmp_path: Path) -> None:
    """Export to JSONL, import-annotations into another database, merge it back: the
    imported copy (no note, stamped at its import) won "last writer wins" and wiped the
    original's note, origin and times. An untouched imported copy is not an edit."""
    from tui.export import export_dataset
    from tui.export.load import import_annotations
    from tui.team.merge import copy_articles

    ana = Store.open(tmp_path / "ana.db")
    ana.ensure_schema(None, None, "ana")
    art = add(ana, "a", "Storm hits", [("Storm hits", "title", True),
                                       ("A storm hit Oslo on Monday .", "body", True)])
    span = tag(ana, art, 1, "Oslo", "PLACE", "ana")
    ana.update_annotation(span["id"], "ana", note="the city, not the county")
    before = ana.get_annotation(span["id"])
    export_dataset(ana, "jsonl", tmp_path / "d.jsonl")
    other = Store.open(tmp_path / "other.db")
    other.ensure_schema(None, None, "ben")
    copy_articles(ana, other)
    loaded = import_annotations(other, tmp_path / "d.jsonl", default_annotator="ben")
    assert loaded.imported == 1
    checkpoint(other)
    other.close()
    report = merge_database(ana, tmp_path / "other.db", annotator="ana")
    after = ana.get_annotation(span["id"])
    assert {k: after[k] for k in ("note", "origin", "created_at", "updated_at")} == \
        {k: before[k] for k in ("note", "origin", "created_at", "updated_at")}
    assert report.updated["annotations"] == 0
    ana.close()
