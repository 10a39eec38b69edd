"""The dataset export: every format on small real databases, offsets, schema, filters,
the manifest, import-annotations round trips and the CLI's errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tui.errors import UserError
from tui.export import FORMATS, article_text, export_dataset
from tui.model import Block, CleanResult, Meta, RawDocument
from tui.store import Store

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schemas" / "dataset.schema.json"


def add(store: Store, name: str, title: str | None, blocks: list[tuple[str, str, bool]],
        outlet: str = "Daily Test", title_derived: bool = False) -> str:
    """Store a hand-made article: blocks are (text, kind, keep)."""
    raw_text = "\n\n".join(text for text, _, _ in blocks)
    pos, made = 0, []
    for text, kind, keep in blocks:
        made.append(Block(text=text, start=pos, end=pos + len(text), kind=kind, keep=keep))
        pos += len(text) + 2
    result = CleanResult(meta=Meta(title=title, outlet=outlet, date="2024-05-01",
                                   title_derived=title_derived), blocks=made,
                         working_text=raw_text)
    return store.add_article(RawDocument(path=f"{name}.txt", text=raw_text + f"\n<!-- {name} -->",
                                         format="txt"), result).article_id


def span(store: Store, article_id: str, seq: int, needle: str, label: str, who: str,
         nth: int = 0, note: str | None = None) -> dict:
    block = store.blocks(article_id)[seq]
    start = -1
    for _ in range(nth + 1):
        start = block["text"].index(needle, start + 1)
    return store.add_annotation(block_id=block["id"], start=start, end=start + len(needle),
                                label=label, annotator=who, note=note)


@pytest.fixture
def corpus(store: Store) -> dict:
    """Two articles: a title block repeated as a block, a hidden advert, a hidden-but-annotated block."""
    a = add(store, "a", "Storm hits coast", [
        ("Storm hits coast", "title", True),
        ("A storm hit the coast on Monday, officials said.", "body", True),
        ("Subscribe to our newsletter!", "newsletter", False),
        ("The mayor said: \"We are ready\". Power was cut in Port Town.", "body", True),
    ])
    b = add(store, "b", "Coast braces for storm", [
        ("Coast braces for storm", "title", True),
        ("Ferries stopped on Monday as the storm neared Port Town.", "body", True),
        ("Photo: J. Doe", "credit", False),
    ], outlet="Evening Test")
    spans = [
        span(store, a, 0, "Storm", "EVENT", "ana"),
        span(store, a, 1, "A storm hit the coast", "EVENT", "ana", note="main event"),
        span(store, a, 1, "Monday", "TIME", "ben"),
        span(store, a, 3, "The mayor", "ACTOR", "ana"),
        span(store, a, 3, "Port Town", "PLACE", "ben"),
        span(store, a, 2, "newsletter", "CLAIM", "ana"),  # on a hidden block
        span(store, b, 1, "Ferries stopped", "EVENT", "ben"),
        span(store, b, 1, "Port Town", "PLACE", "ana"),
    ]
    gone = span(store, b, 1, "Monday", "TIME", "ana")
    store.delete_annotation(gone["id"], "ana")
    return {"a": a, "b": b, "spans": spans, "store": store}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------------ clean text
def test_article_text_is_title_blank_line_and_visible_blocks(corpus: dict) -> None:
    at = article_text(corpus["store"], corpus["a"])
    assert at.text == (
        "Storm hits coast\n\n"
        "A storm hit the coast on Monday, officials said.\n\n"
        "The mayor said: \"We are ready\". Power was cut in Port Town."
    )
    blocks = corpus["store"].blocks(corpus["a"])
    assert at.block_offsets[blocks[0]["id"]] == 0  # the title block is the header
    assert blocks[2]["id"] not in at.block_offsets  # hidden
    for block in blocks:
        if block["id"] in at.block_offsets:
            off = at.block_offsets[block["id"]]
            assert at.text[off:off + len(block["text"])] == block["text"]


def test_article_text_follows_overrides_and_edited_titles(corpus: dict) -> None:
    store = corpus["store"]
    blocks = store.blocks(corpus["a"])
    store.set_override(blocks[2]["id"], True, "ana")
    store.set_override(blocks[3]["id"], False, "ana")
    store.update_meta(corpus["a"], {"title": "A new title"}, "ana")
    at = article_text(store, corpus["a"])
    # The hand-edited title heads the text; the title block differs, so it stays as a block.
    assert at.text == ("A new title\n\nStorm hits coast\n\n"
                       "A storm hit the coast on Monday, officials said.\n\n"
                       "Subscribe to our newsletter!")
    assert at.locate(13, 18) == (blocks[0]["id"], 0, 5)
    assert at.locate(0, 30) is None  # crosses the title separator


def test_untitled_article_starts_with_its_first_block(store: Store) -> None:
    aid = add(store, "u", None, [("First para.", "body", True), ("Second para.", "body", True)])
    assert article_text(store, aid).text == "First para.\n\nSecond para."


# ------------------------------------------------------------------------ jsonl
def test_jsonl_records_follow_the_contract_and_offsets_hold(corpus: dict, tmp_path: Path) -> None:
    out = tmp_path / "data.jsonl"
    calls: list[tuple[int, int]] = []
    report = export_dataset(corpus["store"], "jsonl", out, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 2), (2, 2)]
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [corpus["a"], corpus["b"]]
    for r in records:
        assert set(r) == {"id", "text", "meta", "spans", "links"}
        assert set(r["meta"]) == {"title", "title_derived", "outlet", "date", "byline", "url", "path"}
        assert r["meta"]["title_derived"] is False
        for s in r["spans"]:
            assert set(s) == {"id", "start", "end", "label", "text", "annotator",
                              "created_at", "updated_at"}
            assert r["text"][s["start"]:s["end"]] == s["text"]
    a = records[0]
    assert [(s["text"], s["label"]) for s in a["spans"]] == [
        ("Storm", "EVENT"), ("A storm hit the coast", "EVENT"), ("Monday", "TIME"),
        ("The mayor", "ACTOR"), ("Port Town", "PLACE")]
    assert a["spans"][0]["start"] == 0  # the span on the title block lands on the header
    # the tombstoned span and the span on the hidden block are not exported
    assert report.counts == {"articles": 2, "spans": 7, "links": 0, "spans_on_hidden_blocks": 1,
                             "links_on_hidden_blocks": 0, "spans_unplaced": 0, "labels": 9}


def test_jsonl_validates_against_the_json_schema_and_reads_back(corpus: dict, tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    pa_json = pytest.importorskip("pyarrow.json")
    pd = pytest.importorskip("pandas")
    _confirm_link(corpus)
    out = tmp_path / "data.jsonl"
    export_dataset(corpus["store"], "jsonl", out)
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for record in read_jsonl(out):
        validator.validate(record)
    bad = dict(read_jsonl(out)[0], spans=[{"id": "x", "start": -1}])
    assert list(validator.iter_errors(bad))
    table = pa_json.read_json(out)
    assert table.num_rows == 2 and "spans" in table.column_names
    frame = pd.read_json(out, lines=True)
    assert list(frame["id"]) == [corpus["a"], corpus["b"]]


def _confirm_link(corpus: dict) -> dict:
    """A confirmed link between 'Power was cut in Port Town.' (a) and the ferries sentence (b)."""
    store = corpus["store"]
    pa_ = next(p for p in store.passages(corpus["a"]) if "Power" in p["text"])
    pb = next(p for p in store.passages(corpus["b"]) if "Ferries" in p["text"])
    with store.transaction():
        store.db["links"].insert({"id": "l1", "a": pa_["id"], "b": pb["id"],
                                  "a_article": corpus["a"], "b_article": corpus["b"],
                                  "score": 0.8, "method": "test", "status": "confirmed",
                                  "status_by": "ana", "status_at": "2024-05-01T10:00:00.000+00:00",
                                  "computed_at": "2024-05-01T09:00:00.000+00:00"})
        store.db["links"].insert({"id": "l2", "a": pa_["id"], "b": pb["id"] + "x",
                                  "a_article": corpus["a"], "b_article": corpus["b"],
                                  "score": 0.5, "method": "test", "status": "suggested"})
    return {"a": pa_, "b": pb}


def test_confirmed_links_are_placed_in_both_texts(corpus: dict, tmp_path: Path) -> None:
    link = _confirm_link(corpus)
    out = tmp_path / "data.jsonl"
    export_dataset(corpus["store"], "jsonl", out)
    by_id = {r["id"]: r for r in read_jsonl(out)}
    ra, rb = by_id[corpus["a"]], by_id[corpus["b"]]
    assert len(ra["links"]) == 1 and len(rb["links"]) == 1  # the suggested one is not exported
    la = ra["links"][0]
    assert ra["text"][la["start"]:la["end"]] == link["a"]["text"]
    assert la["target_article"] == corpus["b"]
    assert rb["text"][la["target_start"]:la["target_end"]] == link["b"]["text"]
    lb = rb["links"][0]
    assert (lb["start"], lb["end"], lb["target_start"], lb["target_end"]) == (
        la["target_start"], la["target_end"], la["start"], la["end"])
    assert la["status"] == "confirmed" and la["score"] == 0.8


def test_links_option_adds_open_suggestions_and_rejected_links(corpus: dict, tmp_path: Path) -> None:
    """--links suggested / all export more than the confirmed links, each with its status."""
    _confirm_link(corpus)
    store = corpus["store"]
    storm = next(p for p in store.passages(corpus["a"]) if p["text"].startswith("A storm"))
    mayor = next(p for p in store.passages(corpus["a"]) if "mayor" in p["text"])
    ferries = next(p for p in store.passages(corpus["b"]) if "Ferries" in p["text"])
    with store.transaction():
        for lid, a, status in (("l3", storm, "suggested"), ("l4", mayor, "rejected")):
            store.db["links"].insert({"id": lid, "a": a["id"], "b": ferries["id"],
                                      "a_article": corpus["a"], "b_article": corpus["b"],
                                      "score": 0.4, "method": "test", "status": status})
    seen = {}
    for which in ("confirmed", "suggested", "all"):
        out = tmp_path / f"{which}.jsonl"
        report = export_dataset(store, "jsonl", out, links=which)
        record = next(r for r in read_jsonl(out) if r["id"] == corpus["a"])
        seen[which] = sorted((record["text"][x["start"]:x["end"]], x["status"]) for x in record["links"])
        manifest = json.loads((tmp_path / f"{which}.manifest.json").read_text())
        assert manifest["filters"]["links"] == which and report.filters["links"] == which
    assert seen["confirmed"] == [("Power was cut in Port Town.", "confirmed")]
    assert seen["suggested"] == sorted(seen["confirmed"] + [(storm["text"], "suggested")])
    assert seen["all"] == sorted(seen["suggested"] + [(mayor["text"], "rejected")])
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    for record in read_jsonl(tmp_path / "all.jsonl"):
        validator.validate(record)
    with pytest.raises(UserError, match="unknown --links value 'some'"):
        export_dataset(store, "jsonl", tmp_path / "x.jsonl", links="some")


def _read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (token, tag), the way CoNLL readers split the file."""
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            docs.append([])
        elif not line:
            if sentence:
                docs[-1].append(sentence)
                sentence = []
        else:
            token, tag = line.split("\t")
            sentence.append((token, tag))
    return docs


def _bio_spans(doc: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """(label, tokens joined by spaces) for every B-/I- run."""
    out: list[tuple[str, list[str]]] = []
    for sentence in doc:
        for token, tag in sentence:
            if tag.startswith("B-"):
                out.append((tag[2:], [token]))
            elif tag.startswith("I-"):
                assert out and out[-1][0] == tag[2:], "an I- tag must continue a span"
                out[-1][1].append(token)
    return [(label, " ".join(tokens)) for label, tokens in out]


def test_conll_bio_tags_match_the_spans(corpus: dict, tmp_path: Path) -> None:
    out = tmp_path / "data.conll"
    report = export_dataset(corpus["store"], "conll", out, annotators=["ana"])
    docs = _read_conll(out)
    records = [r for r in read_jsonl_export(corpus, tmp_path, annotators=["ana"])]
    assert len(docs) == len(records) == 2
    for doc, record in zip(docs, records, strict=True):
        tokens = [t for sentence in doc for t, _ in sentence]
        assert "".join(tokens) == "".join(record["text"].split())  # every character, in order
        expected = sorted((s["label"], " ".join(s["text"].split())) for s in record["spans"])
        assert sorted(_bio_spans(doc)) == expected
    # sentences follow the passages: "The mayor said: ..." and "Power was cut ..." are two
    first = [" ".join(t for t, _ in sentence) for sentence in docs[0]]
    assert first[0] == "Storm hits coast" and first[-1] == "Power was cut in Port Town ."
    assert report.problems == []


def test_conll_reports_overlaps_and_several_annotators(corpus: dict, tmp_path: Path) -> None:
    store = corpus["store"]
    span(store, corpus["a"], 1, "storm hit", "CLAIM", "ana")  # inside "A storm hit the coast"
    span(store, corpus["a"], 3, "Pow", "TIME", "ana")  # ends inside a token
    out = tmp_path / "data.conll"
    report = export_dataset(store, "conll", out)
    problems = "\n".join(report.problems)
    assert "share one tag layer" in problems  # ana and ben on one article
    assert "overlaps an earlier span" in problems
    assert "widened to token boundaries" in problems
    labels = [label for label, _ in _bio_spans(_read_conll(out)[0])]
    assert "CLAIM" not in labels


def read_jsonl_export(corpus: dict, tmp_path: Path, **filters: Any) -> list[dict]:
    out = tmp_path / "compare.jsonl"
    export_dataset(corpus["store"], "jsonl", out, **filters)
    return read_jsonl(out)


# ---------------------------------------------------------------- other formats
def test_every_format_writes_data_schema_and_manifest(corpus: dict, tmp_path: Path) -> None:
    for fmt, info in FORMATS.items():
        if fmt == "spacy":
            continue  # optional extra, tested below when installed
        out = tmp_path / f"data-{fmt}{info.extension}"
        report = export_dataset(corpus["store"], fmt, out)
        assert out.exists() and report.counts["spans"] == 7
        schema = json.loads((tmp_path / f"data-{fmt}.schema.json").read_text())
        assert [lb["name"] for lb in schema["labels"]][:3] == ["EVENT", "CLAIM", "QUOTE"]
        assert set(schema["labels"][0]) == {"name", "key", "color", "description", "scope"}
        assert schema["version"] == 1 and len(schema["hash"]) == 16
        manifest = json.loads((tmp_path / f"data-{fmt}.manifest.json").read_text())
        assert manifest["format"] == fmt and manifest["counts"]["articles"] == 2
        assert manifest["counts"]["labels"] == 9 and manifest["tool"]["name"] == "parallax"
        import hashlib
        assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
        # no temporary file is left behind
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_doccano_and_label_studio_offsets(corpus: dict, tmp_path: Path) -> None:
    export_dataset(corpus["store"], "doccano", tmp_path / "d.jsonl")
    for row in read_jsonl(tmp_path / "d.jsonl"):
        assert set(row) >= {"text", "label"}
        for start, end, label in row["label"]:
            assert row["text"][start:end] and label
    export_dataset(corpus["store"], "label-studio", tmp_path / "ls.json")
    tasks = json.loads((tmp_path / "ls.json").read_text())
    first = tasks[0]
    assert first["data"]["article_id"] == corpus["a"]
    assert sorted(a["parallax_annotator"] for a in first["annotations"]) == ["ana", "ben"]
    for ann in first["annotations"]:
        for res in ann["result"]:
            assert (res["from_name"], res["to_name"], res["type"]) == ("label", "text", "labels")
            v = res["value"]
            assert first["data"]["text"][v["start"]:v["end"]] == v["text"] and len(v["labels"]) == 1


def test_csv_has_one_row_per_span_with_notes(corpus: dict, tmp_path: Path) -> None:
    export_dataset(corpus["store"], "csv", tmp_path / "s.csv")
    with open(tmp_path / "s.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 7
    assert list(rows[0]) == ["article_id", "outlet", "title", "span_id", "start", "end", "label",
                             "text", "annotator", "note"]
    noted = [r for r in rows if r["note"]]
    assert [(r["text"], r["note"]) for r in noted] == [("A storm hit the coast", "main event")]


def test_parquet_loads_with_pyarrow_pandas_and_datasets(corpus: dict, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    _confirm_link(corpus)
    out = tmp_path / "data.parquet"
    export_dataset(corpus["store"], "parquet", out)
    table = pq.read_table(out)
    assert table.num_rows == 2
    rows = table.to_pylist()
    assert rows == read_jsonl(_jsonl(corpus, tmp_path))
    pd = pytest.importorskip("pandas")
    frame = pd.read_parquet(out)
    assert list(frame["id"]) == [corpus["a"], corpus["b"]]
    assert len(frame["spans"][0]) == 5
    try:
        import datasets
    except ImportError:
        return
    ds = datasets.Dataset.from_parquet(str(out))
    assert ds[0]["spans"][0]["text"] == "Storm"


def _jsonl(corpus: dict, tmp_path: Path) -> Path:
    out = tmp_path / "ref.jsonl"
    export_dataset(corpus["store"], "jsonl", out)
    return out


def test_spacy_docbin_when_installed(corpus: dict, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    out = tmp_path / "d.spacy"
    export_dataset(corpus["store"], "spacy", out)
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("xx").vocab))
    assert [s.text for s in docs[0].spans["sc"]][:2] == ["Storm", "A storm hit the coast"]
    assert docs[0].user_data["id"] == corpus["a"]
    # a span cut mid-word is widened to whole tokens and reported
    span(corpus["store"], corpus["b"], 1, "erries", "EVENT", "ana")
    report = export_dataset(corpus["store"], "spacy", out)
    assert len(report.problems) == 1 and "widened" in report.problems[0]
    manifest = json.loads((tmp_path / "d.manifest.json").read_text())
    assert manifest["problems"] == report.problems
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("xx").vocab))
    assert "Ferries" in [s.text for s in docs[1].spans["sc"]]


def test_spacy_missing_is_a_one_line_error(corpus: dict, tmp_path: Path) -> None:
    try:
        import spacy  # noqa: F401
    except ImportError:
        with pytest.raises(UserError, match=r"pip install 'parallax\[spacy\]'"):
            export_dataset(corpus["store"], "spacy", tmp_path / "d.spacy")
        assert not (tmp_path / "d.spacy").exists()
    else:
        pytest.skip("spaCy is installed")


# ---------------------------------------------------------------------- filters
def test_filters_by_annotator_label_and_article(corpus: dict, tmp_path: Path) -> None:
    store = corpus["store"]
    out = tmp_path / "f.jsonl"
    r = export_dataset(store, "jsonl", out, annotators=["ben"])
    assert {s["annotator"] for rec in read_jsonl(out) for s in rec["spans"]} == {"ben"}
    assert r.counts["spans"] == 3 and r.filters["annotators"] == ["ben"]
    r = export_dataset(store, "jsonl", out, labels=["PLACE", "TIME"])
    assert sorted(s["text"] for rec in read_jsonl(out) for s in rec["spans"]) == [
        "Monday", "Port Town", "Port Town"]
    r = export_dataset(store, "jsonl", out, articles=[corpus["b"][:6]])
    assert [rec["id"] for rec in read_jsonl(out)] == [corpus["b"]]
    manifest = json.loads((tmp_path / "f.manifest.json").read_text())
    assert manifest["filters"]["articles"] == [corpus["b"]]


@pytest.mark.parametrize("kwargs, message", [
    ({"fmt": "xml"}, "unknown export format"),
    ({"annotators": ["zoe"]}, "no annotations by 'zoe'"),
    ({"labels": ["NOPE"]}, "unknown label 'NOPE'"),
    ({"articles": ["ffffffffffff"]}, "no article"),
])
def test_bad_filters_and_formats_are_user_errors(corpus: dict, tmp_path: Path, kwargs: dict,
                                                 message: str) -> None:
    fmt = kwargs.pop("fmt", "jsonl")
    with pytest.raises(UserError, match=message):
        export_dataset(corpus["store"], fmt, tmp_path / "x.jsonl", **kwargs)
    assert not list(tmp_path.glob("x*"))


def test_unwritable_paths_are_user_errors(corpus: dict, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        export_dataset(corpus["store"], "jsonl", tmp_path / "no" / "x.jsonl")
    with pytest.raises(UserError, match="is a folder"):
        export_dataset(corpus["store"], "jsonl", tmp_path)


def test_a_failed_export_leaves_the_previous_file_intact(corpus: dict, tmp_path: Path) -> None:
    out = tmp_path / "d.jsonl"
    out.write_text("previous\n")
    store = corpus["store"]
    # corrupt one stored quote so the offset check fails half-way through the export
    store.db.execute("update annotations set text = 'XX' where label = 'PLACE' and annotator = 'ana'")
    store.db.conn.commit()
    with pytest.raises(UserError, match="quotes 'XX' but its block reads 'Port Town'"):
        export_dataset(store, "jsonl", out)
    assert out.read_text() == "previous\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_exports_are_readable_by_the_team_and_keep_a_replaced_file_s_mode(corpus: dict,
                                                                         tmp_path: Path) -> None:
    """An export is made to share: it gets the user's usual permissions (the umask),
    not a temporary file's private 0600; overwriting keeps the old file's mode."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.jsonl"
        export_dataset(corpus["store"], "jsonl", fresh)
        for made in (fresh, tmp_path / "fresh.schema.json", tmp_path / "fresh.manifest.json"):
            assert stat.S_IMODE(made.stat().st_mode) == 0o644, made
        kept = tmp_path / "kept.jsonl"
        kept.write_text("previous\n")
        kept.chmod(0o640)
        export_dataset(corpus["store"], "jsonl", kept)
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() != "previous\n"
    finally:
        os.umask(old)


# ------------------------------------------------------------ import-annotations
def _fresh_copy_of_articles(corpus: dict, tmp_path: Path) -> Store:
    """A new database holding the same articles (same sources, same decisions), no spans."""
    from tui.team.merge import copy_articles

    fresh = Store.open(tmp_path / "fresh.db")
    fresh.ensure_schema(None, None, "tester")
    copy_articles(corpus["store"], fresh)
    return fresh


def test_round_trip_through_import_annotations_gives_identical_spans(corpus: dict,
                                                                     tmp_path: Path) -> None:
    from tui.export.load import import_annotations

    first = tmp_path / "first.jsonl"
    export_dataset(corpus["store"], "jsonl", first)
    fresh = _fresh_copy_of_articles(corpus, tmp_path)
    report = import_annotations(fresh, first, default_annotator="nobody")
    assert (report.imported, report.unchanged, report.skipped) == (7, 0, 0)
    second = tmp_path / "second.jsonl"
    export_dataset(fresh, "jsonl", second)
    assert read_jsonl(second) == read_jsonl(first)
    again = import_annotations(fresh, first, default_annotator="nobody")
    assert (again.imported, again.unchanged, again.skipped) == (0, 7, 0)
    assert len(fresh.annotations()) == 7
    fresh.close()


def test_import_matches_by_clean_text_and_realigns_hidden_blocks(corpus: dict, tmp_path: Path) -> None:
    from tui.export.load import import_annotations

    first = tmp_path / "first.jsonl"
    export_dataset(corpus["store"], "jsonl", first)
    fresh = _fresh_copy_of_articles(corpus, tmp_path)
    records = read_jsonl(first)
    records[1]["id"] = "unknown-id"  # found by its clean text instead
    for s in records[1]["spans"]:
        del s["id"], s["annotator"]
    # in the fresh database the newsletter block of article a is shown: its text differs
    fresh.set_override(fresh.blocks(corpus["a"])[2]["id"], True, "ana")
    path = tmp_path / "edited.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    report = import_annotations(fresh, path, default_annotator="carl")
    assert (report.imported, report.skipped) == (7, 0)
    assert sorted(a["annotator"] for a in fresh.annotations(corpus["b"])) == ["carl", "carl"]
    ours = {(a["block_id"], a["start"], a["end"], a["label"]) for a in fresh.annotations(corpus["a"])}
    theirs = {(a["block_id"], a["start"], a["end"], a["label"])
              for a in corpus["store"].annotations(corpus["a"])
              if a["block_id"] != corpus["store"].blocks(corpus["a"])[2]["id"]}
    assert ours == theirs
    assert import_annotations(fresh, path, default_annotator="carl").imported == 0


def test_bad_lines_and_spans_are_reported_and_skipped(corpus: dict, tmp_path: Path) -> None:
    from tui.export.load import import_annotations

    first = tmp_path / "first.jsonl"
    export_dataset(corpus["store"], "jsonl", first)
    fresh = _fresh_copy_of_articles(corpus, tmp_path)
    a, b = read_jsonl(first)
    text = a["text"]
    cut = text.index("\n\nThe mayor")
    a["spans"] += [
        {"id": "s-range", "start": 5, "end": 5000, "label": "EVENT", "text": "x", "annotator": "x"},
        {"id": "s-text", "start": 0, "end": 5, "label": "EVENT", "text": "Sturm", "annotator": "x"},
        {"id": "s-label", "start": 0, "end": 5, "label": "NOPE", "text": "Storm", "annotator": "x"},
        {"id": "s-cross", "start": cut - 3, "end": cut + 5, "label": "EVENT",
         "text": text[cut - 3:cut + 5], "annotator": "x"},
    ]
    lines = [json.dumps(a), "{not json", json.dumps({"id": "zzz", "text": "nothing like it",
                                                     "spans": []}), json.dumps(b)]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = import_annotations(fresh, path, default_annotator="x")
    assert report.imported == 7
    assert dict(report.reasons) == {"offsets out of range": 1, "text mismatch": 1, "unknown label": 1,
                                    "not inside one stored block": 1, "not JSON": 1,
                                    "no matching article": 1}
    assert any(p.startswith("bad.jsonl:2: not JSON") for p in report.problems)
    assert any("bad.jsonl:1 span 8 (s-cross)" in p for p in report.problems)


# ---------------------------------------------------------------------------- CLI
def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", "--db", str(db), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_export_and_errors(corpus: dict, tmp_path: Path) -> None:
    db = Path(corpus["store"].path)
    corpus["store"].db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    bad = run(db, "export", "--format", "xml", "--out", str(tmp_path / "x.xml"))
    assert bad.returncode == 2
    assert bad.stderr.startswith("parallax: error: unknown export format 'xml'")
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    bad = run(db, "export", "--out", str(tmp_path / "none" / "x.jsonl"))
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    ok = run(db, "export", "--format", "csv", "--out", str(tmp_path / "s.csv"), "--label", "EVENT",
             "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["counts"]["spans"] == 3


def test_cli_import_annotations_reports_and_exits_2_on_skips(corpus: dict, tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    export_dataset(corpus["store"], "jsonl", first)
    fresh = _fresh_copy_of_articles(corpus, tmp_path)
    fresh.close()
    db = tmp_path / "fresh.db"
    ok = run(db, "import-annotations", str(first))
    assert ok.returncode == 0, ok.stderr
    assert "7 spans imported, 0 unchanged, 0 skipped" in ok.stderr
    with open(first, "a") as fh:
        fh.write("{broken\n")
    again = run(db, "import-annotations", str(first), "--json")
    assert again.returncode == 2
    out = json.loads(again.stdout)
    assert (out["imported"], out["unchanged"], out["reasons"]) == (0, 7, {"not JSON": 1})


# ------------------------------------------------------------------ the seeds
def test_seed_articles_export_with_exact_offsets_and_round_trip(seeded_store: Store, seeded_db: Path,
                                                                 tmp_path: Path) -> None:
    """On the five real seed articles: a span on every visible block, exported and re-imported."""
    from tui.export.load import import_annotations

    store = seeded_store
    fresh_path = tmp_path / "fresh.db"
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    import shutil
    shutil.copy(seeded_db, fresh_path)  # the same articles, before any span exists
    n = 0
    for article in store.list_articles():
        at = article_text(store, article["id"])
        assert at.text.startswith(article["title"] or "")  # a derived one (seed 004) too
        assert "\n\n\n" not in at.text
        for block in store.blocks(article["id"]):
            text = block["text"]
            words = text.split()
            if not words:
                continue
            word = words[min(2, len(words) - 1)]
            start = text.index(word)
            store.add_annotation(block_id=block["id"], start=start, end=start + len(word),
                                 label="EVENT", annotator="ana")
            n += 1
    out = tmp_path / "seeds.jsonl"
    report = export_dataset(store, "jsonl", out)
    records = read_jsonl(out)
    assert len(records) == 5
    assert report.counts["spans"] + report.counts["spans_on_hidden_blocks"] == n
    assert report.counts["spans_on_hidden_blocks"] > 0  # the seeds carry boilerplate blocks
    for r in records:
        for s in r["spans"]:
            assert r["text"][s["start"]:s["end"]] == s["text"]
    with Store.open(fresh_path) as fresh:
        loaded = import_annotations(fresh, out, default_annotator="x")
        assert (loaded.imported, loaded.skipped) == (report.counts["spans"], 0)
        again = tmp_path / "again.jsonl"
        export_dataset(fresh, "jsonl", again)
        assert read_jsonl(again) == records


def test_conll_sentences_from_stored_passages_equal_a_fresh_split(corpus: dict, tmp_path: Path) -> None:
    """The writer reads sentences from the passages table; splitting again must agree."""
    from tui.export.formats import write_conll
    from tui.export.records import SENTENCES, Counts, Selection, build_records

    records = list(build_records(corpus["store"], Selection(), Counts(), sentences=True))
    assert all(r[SENTENCES] for r in records)
    stored, fresh = tmp_path / "stored.conll", tmp_path / "fresh.conll"
    write_conll(records, stored)
    write_conll([{k: v for k, v in r.items() if k != SENTENCES} for r in records], fresh)
    assert stored.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8")
    assert stored.read_text(encoding="utf-8").count("\n\n") > 4


def test_brat_zip_has_text_and_standoff_per_article(corpus: dict, tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "corpus.zip"
    report = export_dataset(corpus["store"], "brat", out)
    records = {r["id"]: r for r in read_jsonl_export(corpus, tmp_path)}
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert "corpus/annotation.conf" in names
        conf = zf.read("corpus/annotation.conf").decode()
        assert conf.startswith("[entities]\n") and "EVENT\n" in conf and "[relations]" in conf
        for article_id, record in records.items():
            text = zf.read(f"corpus/{article_id}.txt").decode("utf-8")
            assert text == record["text"]
            found, notes = [], {}
            for line in zf.read(f"corpus/{article_id}.ann").decode("utf-8").splitlines():
                key, middle, rest = line.split("\t", 2)
                if key.startswith("T"):  # text-bound: LABEL start end, then the text
                    label, start, end = middle.split(" ")
                    assert text[int(start):int(end)] == rest
                    found.append((label, int(start), int(end), key))
                else:
                    assert middle.startswith("AnnotatorNotes T")
                    notes[middle.split(" ")[1]] = rest
            expected = sorted((s["label"], s["start"], s["end"]) for s in record["spans"])
            assert sorted(f[:3] for f in found) == expected
            assert all(notes[key].startswith("annotator: ") for *_, key in found)
    assert report.counts["spans"] == 7
    all_notes = "".join(zipfile.ZipFile(out).read(n).decode() for n in names if n.endswith(".ann"))
    assert "note: main event" in all_notes  # the span's note travels with it


# --------------------------------------------------- input from other tools (QA)
def test_spans_with_wrong_json_types_are_reported_and_the_file_goes_on(corpus: dict,
                                                                       tmp_path: Path) -> None:
    """A list as label or a number as annotator used to crash the whole import (a
    traceback, later lines lost); "0", 0.0 or true as offsets got misleading reasons
    and a number as id was silently replaced by a generated one."""
    from tui.export.load import import_annotations

    first = tmp_path / "first.jsonl"
    export_dataset(corpus["store"], "jsonl", first)
    fresh = _fresh_copy_of_articles(corpus, tmp_path)
    a, b = read_jsonl(first)
    good = {"start": 0, "end": 5, "label": "EVENT", "text": "Storm", "annotator": "zoe"}
    bad = [dict(good, label=["EVENT"]), dict(good, label={"name": "EVENT"}),
           dict(good, annotator=7), dict(good, annotator=["zoe"]),
           dict(good, start="0"), dict(good, start=0.0), dict(good, start=True), dict(good, end=5.0),
           dict(good, id=5), dict(good, id={"x": 1}), dict(good, id=["x"]),
           dict(good, text=["Storm"])]
    path = tmp_path / "types.jsonl"
    path.write_text("".join(json.dumps(dict(a, spans=[s])) + "\n" for s in bad)
                    + json.dumps(a) + "\n" + json.dumps(b) + "\n")
    report = import_annotations(fresh, path, default_annotator="x")
    assert (report.imported, report.skipped) == (7, len(bad))  # the lines after them all imported
    assert dict(report.reasons) == {
        '"label" must be a string': 2, '"annotator" must be a string': 2,
        '"start" must be an integer': 3, '"end" must be an integer': 1,
        '"id" must be a string': 3, '"text" must be a string': 1}
    assert report.problems[0] == """types.jsonl:1 span 0: "label" must be a string: got ['EVENT']"""
    assert report.problems[6] == 'types.jsonl:7 span 0: "start" must be an integer: got True'
    assert not [x for x in fresh.annotations() if x["annotator"] == "zoe"]
    fresh.close()
    proc = run(tmp_path / "fresh.db", "import-annotations", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == len(bad) + 1 and all(x.startswith("parallax: skipped: ") for x in lines[:-1])
    assert lines[-1].startswith("0 spans imported, 7 unchanged, 12 skipped")


def test_deeply_nested_json_is_a_bad_line_not_a_crash(corpus: dict, tmp_path: Path) -> None:
    from tui.export.load import import_annotations

    first = tmp_path / "first.jsonl"
    export_dataset(corpus["store"], "jsonl", first)
    fresh = _fresh_copy_of_articles(corpus, tmp_path)
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 200_000 + "]" * 200_000 + "\n" + first.read_text(encoding="utf-8"),
                    encoding="utf-8")
    report = import_annotations(fresh, path, default_annotator="x")
    assert report.imported == 7
    assert report.problems == ["deep.jsonl:1: not JSON: nested too deeply to read"]
    fresh.close()


def test_a_byte_order_mark_is_accepted(corpus: dict, tmp_path: Path) -> None:
    """Windows tools write UTF-8 with a BOM; `parallax import` accepts it, so must this."""
    from tui.export.load import import_annotations

    first = tmp_path / "first.jsonl"
    export_dataset(corpus["store"], "jsonl", first)
    fresh = _fresh_copy_of_articles(corpus, tmp_path)
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + first.read_bytes())
    report = import_annotations(fresh, path, default_annotator="x")
    assert (report.imported, report.skipped) == (7, 0), report.problems
    fresh.close()


LEAD = "A storm hit the coast on Monday, officials said."
DERIVED = "A storm hit the coast on Monday, officials said"


def test_a_derived_title_is_the_header_and_spans_on_it_land_on_the_lead(store: Store,
                                                                        tmp_path: Path) -> None:
    """The cleaner derives a title from the lead when the page states none. The contract
    writes it as the header like any title (meta.title_derived tells it apart); it repeats
    the lead's first words on a line no block holds, so a span put there in another tool
    (doccano, say) lands on the same words of the lead instead of being refused."""
    from tui.export.load import import_annotations
    from tui.team.merge import copy_articles

    aid = add(store, "d", DERIVED, [(LEAD, "body", True), ("Power was cut in Port Town.", "body", True)],
              title_derived=True)
    assert store.get_article(aid)["title_derived"]
    head = DERIVED + "\n\n"
    assert article_text(store, aid).text == head + LEAD + "\n\nPower was cut in Port Town."
    span(store, aid, 0, "A storm", "EVENT", "ana")
    span(store, aid, 1, "Port Town", "PLACE", "ben")
    out = tmp_path / "d.jsonl"
    export_dataset(store, "jsonl", out)
    (record,) = read_jsonl(out)
    assert record["meta"]["title"] == DERIVED and record["meta"]["title_derived"] is True
    assert record["text"].startswith(record["meta"]["title"] + "\n\n")
    assert [(s["start"], s["text"]) for s in record["spans"]] == [
        (len(head), "A storm"), (len(head) + len(LEAD) + 19, "Port Town")]
    try:
        import jsonschema
    except ImportError:
        pass
    else:
        jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(record)
    fresh = Store.open(tmp_path / "fresh.db")
    fresh.ensure_schema(None, None, "tester")
    copy_articles(store, fresh)
    edited = tmp_path / "edited.jsonl"
    # a span someone puts on the header ("storm" in the derived title) lands on the lead
    edited.write_text(json.dumps(dict(record, spans=[
        {"start": 2, "end": 7, "label": "EVENT", "text": "storm", "annotator": "doccano"}])) + "\n")
    loaded = import_annotations(fresh, edited, default_annotator="x")
    assert (loaded.imported, loaded.skipped) == (1, 0), loaded.problems
    assert [(x["block_id"], x["start"], x["end"]) for x in fresh.annotations(aid)] == [
        (fresh.blocks(aid)[0]["id"], 2, 7)]
    # a text composed without the derived header still lands its spans
    bare = dict(record, text=record["text"][len(head):],
                spans=[dict(s, start=s["start"] - len(head), end=s["end"] - len(head))
                       for s in record["spans"]])
    edited.write_text(json.dumps(bare) + "\n")
    loaded = import_annotations(fresh, edited, default_annotator="x")
    assert (loaded.imported, loaded.skipped) == (2, 0), loaded.problems
    fresh.close()


def test_an_out_path_under_a_file_says_it_is_a_file(corpus: dict, tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("notes\n")
    for out in (tmp_path / "file.txt" / "z.jsonl", tmp_path / "file.txt" / "sub" / "z.jsonl"):
        with pytest.raises(UserError, match=r"file\.txt is a file, not a folder"):
            export_dataset(corpus["store"], "jsonl", out)
    corpus["store"].db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    proc = run(Path(corpus["store"].path), "export", "--out", str(tmp_path / "file.txt" / "z.jsonl"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "is a file, not a folder" in proc.stderr and "does not exist" not in proc.stderr


# ------------------------------------------------- sidecars of exports sharing a stem
def _manifest(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_exports_sharing_a_stem_keep_each_other_s_manifest(corpus: dict, tmp_path: Path) -> None:
    """d.parquet then d.csv: d.manifest.json stays d.parquet's (its sha256 and counts);
    d.csv gets d.csv.schema.json and d.csv.manifest.json, and the report says so."""
    import hashlib

    store = corpus["store"]
    parquet, table = tmp_path / "d.parquet", tmp_path / "d.csv"
    first = export_dataset(store, "parquet", parquet, labels=["EVENT"])
    assert (first.manifest_path, first.schema_path, first.notices) == (
        str(tmp_path / "d.manifest.json"), str(tmp_path / "d.schema.json"), [])
    second = export_dataset(store, "csv", table)
    assert second.manifest_path == str(tmp_path / "d.csv.manifest.json")
    assert second.schema_path == str(tmp_path / "d.csv.schema.json")
    assert second.notices == ["d.manifest.json describes d.parquet and was kept; this export's "
                              "schema and manifest are d.csv.schema.json and d.csv.manifest.json"]
    kept = _manifest(tmp_path / "d.manifest.json")
    assert kept["file"] == "d.parquet" and kept["format"] == "parquet"
    assert kept["sha256"] == hashlib.sha256(parquet.read_bytes()).hexdigest()
    assert kept["counts"]["spans"] == 3 and kept["schema_file"] == "d.schema.json"
    own = _manifest(tmp_path / "d.csv.manifest.json")
    assert own["file"] == "d.csv" and own["counts"]["spans"] == 7
    assert own["sha256"] == hashlib.sha256(table.read_bytes()).hexdigest()
    assert own["schema_file"] == "d.csv.schema.json"
    assert json.loads((tmp_path / "d.csv.schema.json").read_text())["labels"]
    # re-exporting either file replaces its own sidecars, and only those
    again = export_dataset(store, "csv", table, labels=["PLACE"])
    assert again.manifest_path == str(tmp_path / "d.csv.manifest.json")
    assert _manifest(tmp_path / "d.csv.manifest.json")["counts"]["spans"] == 2
    again = export_dataset(store, "parquet", parquet)
    assert again.manifest_path == str(tmp_path / "d.manifest.json") and again.notices == []
    assert _manifest(tmp_path / "d.manifest.json")["counts"]["spans"] == 7
    assert _manifest(tmp_path / "d.csv.manifest.json")["file"] == "d.csv"
    assert sorted(p.name for p in tmp_path.glob("d.*")) == [
        "d.csv", "d.csv.manifest.json", "d.csv.schema.json", "d.manifest.json", "d.parquet",
        "d.schema.json"]


def test_a_file_keeps_its_full_name_sidecars_once_it_has_them(corpus: dict, tmp_path: Path) -> None:
    """When the other export's manifest is gone, d.csv keeps d.csv.manifest.json rather than
    leaving a stale copy there and starting a second manifest under d.manifest.json."""
    store = corpus["store"]
    export_dataset(store, "jsonl", tmp_path / "d.jsonl")
    export_dataset(store, "csv", tmp_path / "d.csv")
    (tmp_path / "d.manifest.json").unlink()
    report = export_dataset(store, "csv", tmp_path / "d.csv")
    assert report.manifest_path == str(tmp_path / "d.csv.manifest.json")
    assert "already describes this file" in report.notices[0]
    assert not (tmp_path / "d.manifest.json").exists()


def test_a_stem_manifest_that_is_not_a_manifest_is_left_alone(corpus: dict, tmp_path: Path) -> None:
    (tmp_path / "d.manifest.json").write_text("my own notes\n")
    report = export_dataset(corpus["store"], "jsonl", tmp_path / "d.jsonl")
    assert (tmp_path / "d.manifest.json").read_text() == "my own notes\n"
    assert report.manifest_path == str(tmp_path / "d.jsonl.manifest.json")
    assert "d.manifest.json is not a Parallax manifest and was kept" in report.notices[0]


def test_sidecar_names_taken_by_other_files_are_a_user_error(corpus: dict, tmp_path: Path) -> None:
    store = corpus["store"]
    export_dataset(store, "parquet", tmp_path / "d.parquet")    # d.manifest.json
    export_dataset(store, "jsonl", tmp_path / "d.csv.jsonl")    # d.csv.manifest.json
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(UserError, match=r"d\.manifest\.json and d\.csv\.manifest\.json belong to "
                                        r"other files \(d\.parquet, d\.csv\.jsonl\); choose another --out"):
        export_dataset(store, "csv", tmp_path / "d.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    # a file without an extension has no second name to go to
    with pytest.raises(UserError, match=r"give the file an extension \(e\.g\. d\.jsonl\)"):
        export_dataset(store, "jsonl", tmp_path / "d")


def test_cli_says_where_the_sidecars_of_a_second_export_went(corpus: dict, tmp_path: Path) -> None:
    db = Path(corpus["store"].path)
    corpus["store"].db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    first = run(db, "export", "--format", "parquet", "--out", str(tmp_path / "d.parquet"))
    assert first.returncode == 0 and "note:" not in first.stderr, first.stderr
    second = run(db, "export", "--format", "csv", "--out", str(tmp_path / "d.csv"), "--json")
    assert second.returncode == 0, second.stderr
    assert ("parallax: note: d.manifest.json describes d.parquet and was kept; this export's "
            "schema and manifest are d.csv.schema.json and d.csv.manifest.json") in second.stderr
    report = json.loads(second.stdout)
    assert report["manifest_path"] == str(tmp_path / "d.csv.manifest.json")
    assert _manifest(tmp_path / "d.manifest.json")["file"] == "d.parquet"


# ------------------------------------------------- missing folders and the path's name
def test_make_folders_creates_missing_folders_only_for_a_valid_export(corpus: dict,
                                                                     tmp_path: Path) -> None:
    """The app's dialog asks for missing folders to be made (its user has no shell);
    a refused export makes none."""
    out = tmp_path / "new" / "deeper" / "x.jsonl"
    with pytest.raises(UserError, match="unknown label 'NOPE'"):
        export_dataset(corpus["store"], "jsonl", out, labels=["NOPE"], make_folders=True)
    assert not (tmp_path / "new").exists()
    report = export_dataset(corpus["store"], "jsonl", out, make_folders=True, out_field="path")
    assert out.is_file() and (out.parent / "x.manifest.json").is_file()
    assert report.created_folder == str(tmp_path / "new")
    assert report.notices == [f"created folder {tmp_path / 'new'}"]
    again = export_dataset(corpus["store"], "jsonl", out, make_folders=True)
    assert again.created_folder is None and again.notices == []


def test_path_errors_name_the_field_the_path_came_from(corpus: dict, tmp_path: Path) -> None:
    """--out for the command (its wording unchanged), the dialog's "path" field otherwise."""
    store = corpus["store"]
    (tmp_path / "file.txt").write_text("notes\n")
    with pytest.raises(UserError, match=r"^--out .* is a folder: give a file name"):
        export_dataset(store, "jsonl", tmp_path)
    with pytest.raises(UserError, match="choose another --out$"):
        export_dataset(store, "jsonl", tmp_path / "file.txt" / "x.jsonl")
    for call in (lambda: export_dataset(store, "jsonl", tmp_path, out_field="path"),
                 lambda: export_dataset(store, "jsonl", tmp_path / "file.txt" / "x.jsonl",
                                        make_folders=True, out_field="path")):
        with pytest.raises(UserError) as caught:
            call()
        assert "--out" not in caught.value.message
        assert caught.value.message.startswith("path ") or "choose another path" in caught.value.message


def test_import_annotations_prints_a_few_lines_per_reason_then_counts(store: Store, tmp_path: Path) -> None:
    """A file exported from a bigger database names every article a smaller one lacks:
    150 near-identical stderr lines buried the summary."""
    for n in range(8):
        aid = add(store, f"p{n}", f"Port {n} closes", [(f"Port {n} closes", "title", True),
                                                     (f"Storm winds closed port {n} today .", "body", True)])
        span(store, aid, 1, "Storm", "EVENT", "ana")
    export_dataset(store, "jsonl", tmp_path / "d.jsonl")
    fresh = tmp_path / "fresh.db"
    other = Store.open(fresh)
    other.ensure_schema(None, None, "ben")
    other.close()
    proc = run(fresh, "import-annotations", str(tmp_path / "d.jsonl"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert sum(ln.startswith("parallax: skipped:") and "no matching article" in ln
               and "more" not in ln for ln in lines) == 5
    assert "parallax: skipped: ... and 3 more 'no matching article' (--json lists every one)" in lines
    assert lines[-1].startswith("0 spans imported")
    listed = json.loads(run(fresh, "import-annotations", str(tmp_path / "d.jsonl"), "--json").stdout)
    assert len(listed["problems"]) == 8
