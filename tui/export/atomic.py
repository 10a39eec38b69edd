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


def check_writable(path: Path) -> None:
    """Refuse an output path we cannot write, before any work is done."""
    if path.is_dir():
        raise UserError(f"--out {path} is a folder: give a file name, e.g. {path}/dataset.jsonl")
    parent = path.parent
    if not parent.is_dir():
        # A file where a folder is expected ("out.txt/data.jsonl") is a different
        # mistake from a missing folder, and "create it first" would mislead.
        for ancestor in (parent, *parent.parents):
            if ancestor.exists() and not ancestor.is_dir():
                raise UserError(f"cannot write {path}: {ancestor} is a file, not a folder; "
                                "choose another --out")
            if ancestor.is_dir():
                break
        raise UserError(f"cannot write {path}: folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise UserError(f"cannot write {path}: folder {parent} is not writable; choose another --out")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"cannot write {path}: the file is read-only; choose another --out")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success."""
    check_writable(path)
    try:
        tmp_path = _new_temp_file(path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}; choose another --out") from None
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp_path, stat.S_IMODE(path.stat().st_mode))  # replacing: keep its mode
        os.replace(tmp_path, path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}; choose another --out") from None
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


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
