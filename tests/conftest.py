"""Shared fixtures: real SQLite files in a temporary folder, never mocks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from tui.store import Store

# Property tests run the same examples on every run by default, so CI passes
# or fails on the code, not on the draw. HYPOTHESIS_PROFILE=explore draws new
# random examples each run: use it (with more examples, e.g.
# MDSCAN_EXAMPLES=20000) when changing the cleaner, and add what it finds as
# an @example.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a database that does not exist yet."""
    return tmp_path / "annotations.db"


@pytest.fixture
def store(db_path: Path):
    """An empty, ready database with the default schema installed."""
    s = Store.open(db_path)
    s.ensure_schema(None, None, "tester")
    yield s
    s.close()


@pytest.fixture(scope="session")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Import the seeds once per session; tests get their own copy."""
    from tui.importer import import_paths

    path = tmp_path_factory.mktemp("template") / "seeded.db"
    s = Store.open(path)
    s.ensure_schema(None, None, "tester")
    report = import_paths(s, [SEEDS])
    assert report.count("imported") == 5, report.results
    s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    return path


@pytest.fixture
def seeded_db(_seeded_template: Path, tmp_path: Path) -> Path:
    """Path of a private database holding the five seed articles."""
    path = tmp_path / "seeded.db"
    shutil.copy(_seeded_template, path)
    return path


@pytest.fixture
def seeded_store(seeded_db: Path):
    s = Store.open(seeded_db)
    yield s
    s.close()
