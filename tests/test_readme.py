"""Every `parallax` command the README shows runs, as written, in README order.

The README is a user's first page, and its command-line examples are copied
into terminals as they are. A renamed option or a changed argument would
leave them wrong with every other test green, so this test reads them out of
the README's ``sh`` blocks and runs each one as a user would (a subprocess in
a folder holding the seeds), on the database the earlier examples built.

The examples name files a reader brings (``downloads/page.html``,
``feed.jsonl``, ``team-labels.toml``, a teammate's ``ben.db``...): the
workspace below provides each, and ``LINK_ID`` becomes a stored link's id.
"""

from __future__ import annotations

import glob
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEEDS
from tui.store import Store

#: A ``parallax ...`` line of a ``sh`` block; the comment after two spaces is dropped.
_COMMAND = re.compile(r"^(parallax(?: .*?)?)(?:\s{2,}#.*)?$")

PAGE_HTML = """<html><head><title>Rain floods the old harbour - The Daily Example</title></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Rain floods the old harbour</h1>
<p>Officials in Porto said on Monday that forty people were evacuated after the river rose
overnight, flooding streets near the old harbour and closing two schools.</p>
<p>The mayor told reporters that emergency crews would stay in place until the water fell,
and that the schools would reopen on Thursday at the earliest.</p></article>
<footer>Copyright 2024 The Daily Example. All rights reserved.</footer></body></html>
"""

FEED = {"title": "Storm closes the port", "outlet": "Example Wire", "date": "2024-03-02",
        "text": "The port of Example closed on Saturday as a storm brought winds of over 100 km/h "
                "to the coast, the harbour master said.\n\nShips were told to stay at anchor until "
                "the wind eased, which forecasters expected on Sunday evening."}


def readme_commands() -> list[str]:
    """The ``parallax`` command lines of the README's ``sh`` blocks, in order."""
    commands: list[str] = []
    in_sh = False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_sh = line.strip() == "```sh"
            continue
        m = _COMMAND.match(line.strip()) if in_sh else None
        if m:
            commands.append(m.group(1).strip())
    return commands


def workspace(folder: Path) -> None:
    """What the examples expect to find: the seeds and the files a reader brings."""
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "downloads").mkdir()
    (folder / "downloads" / "page.html").write_text(PAGE_HTML, encoding="utf-8")
    (folder / "feed.jsonl").write_text(json.dumps(FEED) + "\n", encoding="utf-8")
    # a team's schema: the built-in labels, as a team would start from them
    shutil.copy(ROOT / "tui" / "labels.toml", folder / "team-labels.toml")
    paragraphs = FEED["text"].split("\n\n")
    docs = [{"id": f"d{i}", "source": f"s{i}",
             "passages": [{"id": f"d{i}/{k}", "text": t} for k, t in enumerate(paragraphs)]}
            for i in range(3)]
    (folder / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")


def annotate(db: Path, annotator: str) -> None:
    """What the export examples need: someone tagged passages (in the app, for a reader)."""
    store = Store.open(db)
    try:
        blocks = [r["id"] for r in store.db.query(
            "select id from blocks where keep = 1 and length(text) > 40 order by id limit 3")]
        for block_id, label in zip(blocks, ("EVENT", "EVENT", "ACTOR"), strict=True):
            if not store.db.execute(  # tagged after an earlier import example already
                    "select 1 from annotations where block_id = ? and annotator = ? and label = ?",
                    [block_id, annotator, label]).fetchone():
                store.add_annotation(block_id=block_id, start=0, end=20, label=label,
                                     annotator=annotator)
    finally:
        store.close()


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` as a shell runs it: quotes, a glob, one ``>`` redirection."""
    argv = shlex.split(command)
    out = None
    if ">" in argv:
        k = argv.index(">")
        argv, out = argv[:k], cwd / argv[k + 1]
    argv = [a for arg in argv
            for a in (sorted(glob.glob(arg, root_dir=cwd)) or [arg] if "*" in arg else [arg])]
    proc = subprocess.run([sys.executable, "-m", "tui", *argv[1:]], cwd=cwd, capture_output=True,
                          text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PARALLAX_ANNOTATOR": "ana", "HOME": str(cwd)})
    if out is not None:
        out.write_text(proc.stdout, encoding="utf-8")
    return proc


def test_the_readme_shows_the_commands_this_test_runs() -> None:
    commands = readme_commands()
    assert len(commands) >= 20, commands
    # the command-line contract of DESIGN.md is among them
    for name in ("import", "list", "clean", "links", "search", "export"):
        assert any(c.split()[1:2] == [name] for c in commands), name


def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    workspace(tmp_path)
    # a teammate's databases for the merge example
    for other in ("ben.db", "cy.db"):
        proc = run(f"parallax --db {other} import seeds/", tmp_path)
        assert proc.returncode == 0, proc.stderr
    failures: list[str] = []
    for command in readme_commands():
        if command == "parallax":
            continue  # opens the app: tests/test_app.py drives it
        if "LINK_ID" in command:
            listed = json.loads(run("parallax links --list --json", tmp_path).stdout)
            assert listed, "the links example before this one stored no link"
            command = command.replace("LINK_ID", str(listed[0]["id"]))
        proc = run(command, tmp_path)
        if proc.returncode != 0 or "Traceback" in proc.stderr:
            failures.append(f"{command}\n  exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
        if command.startswith("parallax import ") and proc.returncode == 0:
            annotate(tmp_path / "annotations.db", "ana")
    assert not failures, "README commands that fail as written:\n" + "\n".join(failures)
    # and they did what the README says: files written, links in file mode
    for name in ("data.jsonl", "data.schema.json", "data.manifest.json", "data.parquet", "ana.conll"):
        assert (tmp_path / name).is_file(), name
    pairs = [json.loads(line) for line in (tmp_path / "links.jsonl").read_text().splitlines()]
    assert pairs and set(pairs[0]) >= {"a", "b", "score"}
