"""The shared label schema: loading, validating and comparing TOML schemas.

The schema is data, not code, so a team can agree on one file and every
annotator's database holds the same labels. Validation happens here, before
anything touches the database, so a bad schema file is reported in one line
and never half-applied.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from tui.errors import UserError

SCOPES = ("span", "passage", "document")
#: Keys the reader binds itself; a label may not take them.
RESERVED_KEYS = frozenset("bgGjJkKhlHLqQuvVyYnNoOpPrRsStTwWxXeEfFcCmMaAdDiI?/ ")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    key: str
    color: str
    description: str
    scope: str = "span"


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    labels: tuple[Label, ...]
    source: str = "<default>"

    @property
    def digest(self) -> str:
        """Content hash: two files with the same labels are the same schema."""
        payload = json.dumps([asdict(label) for label in self.labels], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def by_name(self) -> dict[str, Label]:
        return {label.name: label for label in self.labels}

    def to_dict(self) -> dict:
        return {"name": self.name, "labels": [asdict(label) for label in self.labels]}


def default_schema_text() -> str:
    return resources.files("tui").joinpath("labels.toml").read_text(encoding="utf-8")


def load_default() -> Schema:
    return parse_schema(default_schema_text(), source="tui/labels.toml")


def load_schema_file(path: str | Path) -> Schema:
    p = Path(path)
    if not p.exists():
        raise UserError(f"schema file {p} does not exist: give the path of a TOML label schema")
    if p.is_dir():
        raise UserError(f"schema {p} is a folder: give the path of a TOML label schema file")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"schema file {p} is not UTF-8 text: save it as UTF-8 TOML") from None
    except OSError as exc:
        raise UserError(f"cannot read schema file {p}: {exc.strerror}") from None
    return parse_schema(text, source=str(p))


def parse_schema(text: str, source: str = "<schema>") -> Schema:
    """Parse and validate a schema; every problem is a one-line UserError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"schema {source} is not valid TOML ({exc}): fix the file") from None
    raw = data.get("labels")
    if not isinstance(raw, list) or not raw:
        raise UserError(f"schema {source} has no [[labels]] entries: add at least one label")
    labels: list[Label] = []
    seen_names: dict[str, int] = {}
    seen_keys: dict[str, str] = {}
    for i, item in enumerate(raw, 1):
        where = f"schema {source}, label {i}"
        if not isinstance(item, dict):
            raise UserError(f"{where} is not a table: write it as [[labels]] with name, key, color")
        name = str(item.get("name", "")).strip()
        if not _NAME.match(name):
            raise UserError(
                f"{where} has invalid name {name!r}: use a letter then letters, digits, _ or -"
            )
        if name.upper() in seen_names:
            raise UserError(f"{where}: label name {name} is used twice: give each label its own name")
        seen_names[name.upper()] = i
        key = str(item.get("key", "")).strip()
        if key:
            if len(key) != 1 or not (key.isdigit() and key != "0" or key.isalpha()):
                raise UserError(f"{where} ({name}) has invalid key {key!r}: use 1-9 or one letter")
            if key in RESERVED_KEYS:
                raise UserError(
                    f"{where} ({name}) uses key {key!r}, which the reader needs: pick 1-9 or another letter"
                )
            if key in seen_keys:
                raise UserError(
                    f"{where}: key {key!r} is used by both {seen_keys[key]} and {name}: give each label its own key"
                )
            seen_keys[key] = name
        color = str(item.get("color", "")).strip()
        if not _HEX.match(color):
            raise UserError(f"{where} ({name}) has invalid color {color!r}: use #rrggbb, e.g. #e5534b")
        scope = str(item.get("scope", "span")).strip()
        if scope not in SCOPES:
            raise UserError(f"{where} ({name}) has invalid scope {scope!r}: use span, passage or document")
        labels.append(Label(name, key, color.lower(), str(item.get("description", "")).strip(), scope))
    return Schema(name=str(data.get("name", "custom")), labels=tuple(labels), source=source)
