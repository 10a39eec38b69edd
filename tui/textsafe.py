"""Keep terminal control sequences out of stored text and out of the terminal.

Scraped text can carry ESC sequences (colour codes, OSC title changes,
clear-screen) and other C0/C1 controls. They are removed at import, so the
stored article is plain text, and again on every CLI output path, so even
metadata a user typed cannot drive the terminal.
"""

from __future__ import annotations

import re

# CSI ... final byte, OSC ... BEL/ST, other two-byte ESC sequences, then any
# remaining C0/C1 control except tab and newline.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS/SOS/PM/APC
    r"|\x1b[@-Z\\-_]?"  # two-byte ESC, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters; keep ``\\n``, ``\\t``, ``\\r``."""
    if not text:
        return text
    if "\x1b" in text or "\x9b" in text:
        text = _ANSI.sub("", text)
    return _CONTROLS.sub("", text)


def safe(value: object) -> str:
    """A value made printable on a terminal: ``None`` -> "", controls removed."""
    if value is None:
        return ""
    return strip_controls(str(value))


def path_text(path: object) -> str:
    """A file path as text that can be stored and printed.

    A name that is not valid UTF-8 reaches Python with lone surrogates
    ("caf\\udce9.txt"), which SQLite and the terminal refuse; its odd bytes are
    shown as escapes instead ("caf\\xe9.txt"). The file itself is still opened
    by its real name.
    """
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return strip_controls(text)
