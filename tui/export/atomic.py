"""Atomic file writes: a crash or an error never leaves a half-written export.

Each file is written to a temporary name in the destination folder and moved
into place with ``os.replace`` (atomic on POSIX and Windows), after an fsync.
The file gets the permissions any new file of the user gets (the umask), or
keeps those of the file it replaces: an export is made to be shared, and
``tempfile.mkstemp``'s private 0600 would leave it unreadable to the team.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from tui.errors import UserError


def check_writable(path: Path, field: str = "--out", make_folders: bool = False) -> None:
    """Refuse an output path we cannot write, before any work is done.

    ``field`` is what the user typed the path into, so the one-line error
    points at it: ``--out`` on the command line, ``path`` in the app's dialog
    (which has no ``--out``). With ``make_folders`` a missing folder is fine
    as long as it can be made (see :func:`make_parent`): the app's user has
    no shell to run ``mkdir`` in.
    """
    if path.is_dir():
        raise UserError(f"{field} {path} is a folder: give a file name, e.g. {path}/dataset.jsonl")
    parent = path.parent
    if not parent.is_dir():
        # A file where a folder is expected ("out.txt/data.jsonl") is a different
        # mistake from a missing folder, and "create it first" would mislead.
        existing = _nearest_existing(parent)
        if existing is not None and not existing.is_dir():
            raise UserError(f"cannot write {path}: {existing} is a file, not a folder; "
                            f"choose another {field}")
        if not make_folders:
            raise UserError(f"cannot write {path}: folder {parent} does not exist; create it first")
        if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
            raise UserError(f"cannot write {path}: cannot make folder {parent}, {existing} is not "
                            f"writable; choose another {field}")
        return
    if not os.access(parent, os.W_OK):
        raise UserError(f"cannot write {path}: folder {parent} is not writable; choose another {field}")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"cannot write {path}: the file is read-only; choose another {field}")
    _refuse_replacing(path, field)


def _refuse_replacing(path: Path, field: str) -> None:
    """Refuse to replace what an export must never replace: a database, a pipe, a device.

    ``--out annotations.db`` (the database being exported, or a teammate's)
    used to be replaced by the export, every annotation in it gone; a named
    pipe or ``/dev/null`` became a plain file (as root, a device node would
    be replaced). The database test goes through SQLite, not ``open()``:
    closing any descriptor of a file drops every lock this process holds on
    it, and the file may be the database this process has open.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # does not exist (yet): nothing to replace
    if not stat.S_ISREG(mode):
        raise UserError(f"{field} {path} is not a regular file (a pipe or a device): an export is "
                        f"written to a file; give a file name")
    if _is_sqlite(path):
        raise UserError(f"{field} {path} is an SQLite database (a Parallax database?): the export "
                        f"would replace it; choose another file name")


def _is_sqlite(path: Path) -> bool:
    """Whether ``path`` opens as an SQLite database (read-only, creating nothing)."""
    import sqlite3
    from urllib.parse import quote

    try:
        conn = sqlite3.connect(f"file:{quote(os.fsencode(path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _nearest_existing(folder: Path) -> Path | None:
    """The closest of ``folder`` and its ancestors that exists (a folder or, by mistake, a file)."""
    for ancestor in (folder, *folder.parents):
        if ancestor.exists():
            return ancestor
    return None


def make_parent(path: Path, field: str = "--out") -> Path | None:
    """Create the missing folders above ``path``; return the top-most one made, or None.

    Called only once the path and the filters have been checked, so a refused
    export (an unknown label, say) leaves no empty folder behind.
    """
    parent = path.parent
    if parent.is_dir():
        return None
    missing = parent
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot make folder {parent}: {exc.strerror}; choose another {field}") from None
    return missing


@contextlib.contextmanager
def atomic_path(path: Path, field: str = "--out") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success.

    ``field`` names where the path came from in error messages (see :func:`check_writable`).
    """
    check_writable(path, field)
    try:
        tmp_path = _new_temp_file(path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}; choose another {field}") from None
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp_path, stat.S_IMODE(path.stat().st_mode))  # replacing: keep its mode
        os.replace(tmp_path, path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}; choose another {field}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def _new_temp_file(path: Path) -> Path:
    """An empty new file beside ``path``, ``.<name>.<random>.tmp``, created with mode
    0666 so that the umask, not a private 0600, decides who may read it."""
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name beside {path}")


def final_name(path: Path) -> str:
    """The file name ``path`` will have once moved into place (itself when not temporary).

    Writers that name things after the output file (brat's folder inside the
    zip) are handed :func:`atomic_path`'s temporary path.
    """
    name = path.name
    if name.startswith(".") and name.endswith(".tmp") and name.count(".") >= 3:
        return name[1:].rsplit(".", 2)[0]
    return name


def write_text_atomic(path: Path, text: str, field: str = "--out") -> None:
    """Write a small text file (schema, manifest) as atomically as the data file."""
    with atomic_path(path, field) as tmp:
        tmp.write_text(text, encoding="utf-8")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
