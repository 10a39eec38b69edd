"""File mode: link passages given as JSONL, no database involved.

Input, one document per line::

    {"id": "doc-1", "source": "Reuters", "passages": [{"id": "doc-1/0", "text": "..."}]}

Every problem with the file is a :class:`~tui.errors.UserError` naming the
line, so ``parallax links --jsonl`` fails with one clear line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from tui.errors import UserError
from tui.link.core import Passage


def read_docs(path: str | os.PathLike[str]) -> list[Passage]:
    """All passages of a docs JSONL file, validated."""
    seen: set[str] = set()
    out: list[Passage] = []
    for lineno, doc in _lines(path):
        if not isinstance(doc, dict):
            raise UserError(f"{path}:{lineno}: expected a JSON object with id, source, passages")
        doc_id = doc.get("id")
        source = doc.get("source", doc_id)
        passages = doc.get("passages")
        if not isinstance(doc_id, str) or not doc_id:
            raise UserError(f'{path}:{lineno}: missing "id" (a non-empty string)')
        if not isinstance(source, str) or not source:
            raise UserError(f'{path}:{lineno}: "source" must be a non-empty string')
        if not isinstance(passages, list):
            raise UserError(f'{path}:{lineno}: "passages" must be a list of {{"id", "text"}}')
        for k, item in enumerate(passages):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) \
                    or not isinstance(item.get("text"), str):
                raise UserError(
                    f'{path}:{lineno}: passage {k} must be an object with string "id" and "text"'
                )
            if item["id"] in seen:
                raise UserError(f"{path}:{lineno}: passage id {item['id']!r} appears twice")
            seen.add(item["id"])
            out.append(Passage(item["id"], source, doc_id, item["text"]))
    return out


def _lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, object]]:
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise UserError(f"{path}: no such file: give a docs .jsonl file") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder: give a docs .jsonl file") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        lineno = 0
        try:
            for lineno, line in enumerate(fh, 1):  # noqa: B007 - lineno used after the loop
                if not line.strip():
                    continue
                try:
                    yield lineno, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UserError(
                        f"{path}:{lineno}: not valid JSON ({exc.msg} at column {exc.colno}): "
                        "each line must be one JSON object"
                    ) from None
                except RecursionError:  # json's decoder recurses once per bracket
                    raise UserError(f"{path}:{lineno}: not valid JSON (nested too deeply): "
                                    "each line must be one JSON object") from None
        except UnicodeDecodeError:
            raise UserError(f"{path}:{lineno + 1}: not UTF-8 text: save the file as UTF-8") from None
