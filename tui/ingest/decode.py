"""Bytes to text, saying how it was done.

Order matters: a BOM is certain; strict UTF-8 is nearly so (random legacy
bytes almost never validate); UTF-16 without a BOM shows as NULs in every
other byte; anything else with NULs is binary. Only then do we guess a legacy
code page, and the guess is reported so the user can check the result.
"""

from __future__ import annotations

import codecs

from tui.errors import UserError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes, name: str) -> tuple[str, str, str]:
    """Return ``(text, encoding, note)``; ``note`` is non-empty when we guessed."""
    if not data.strip():
        raise UserError(f"{name} is empty: nothing to import")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding, ""
            except UnicodeDecodeError:
                raise UserError(
                    f"{name} starts with a {encoding} byte-order mark but is not valid {encoding}: re-save it as UTF-8"
                ) from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            text = ""
        if _mostly_printable(text):
            return text, utf16, f"decoded as {utf16} (no byte-order mark)"
    if b"\x00" in data[:65536] and _looks_binary(data[:65536]):
        raise UserError(f"{name} looks like a binary file, not text: import .txt, .md, .html or .jsonl files")
    try:
        return data.decode("utf-8"), "utf-8", ""
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    mixed = _mixed_lines(data)
    if mixed is not None:
        text, legacy_lines = mixed
        return text, "utf-8+cp1252", (
            f"mixed encodings: {legacy_lines} line(s) not valid UTF-8 were decoded as cp1252"
        )
    try:
        text = data.decode("cp1252")
        return text, "cp1252", f"not valid UTF-8 (byte {bad_at}): decoded as cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding, f"not valid UTF-8 (byte {bad_at}): decoded as {best.encoding}"
    return data.decode("latin-1"), "latin-1", f"not valid UTF-8 (byte {bad_at}): decoded as latin-1"


def _mixed_lines(data: bytes) -> tuple[str, int] | None:
    """Decode line by line when most of a file is UTF-8 and a few lines are not.

    Concatenated scrapes often mix a UTF-8 page with a pasted cp1252 fragment;
    decoding the whole file as cp1252 would turn every UTF-8 quote into
    mojibake, so only the offending lines fall back.
    """
    lines = data.split(b"\n")
    good_multibyte = 0
    decoded: list[str] = []
    legacy = 0
    for line in lines:
        try:
            text = line.decode("utf-8")
            if any(b >= 0x80 for b in line):
                good_multibyte += 1
        except UnicodeDecodeError:
            try:
                text = line.decode("cp1252")
            except UnicodeDecodeError:
                return None
            legacy += 1
        decoded.append(text)
    if good_multibyte == 0 or legacy == 0:
        return None
    return "\n".join(decoded), legacy


def _utf16_without_bom(data: bytes) -> str | None:
    """Detect BOM-less UTF-16 from the NUL pattern of mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul = even.count(0) / max(len(even), 1)
    odd_nul = odd.count(0) / max(len(odd), 1)
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _mostly_printable(text: str) -> bool:
    """A NUL pattern alone does not make UTF-16: the result must read as text."""
    sample = text[:2048]
    if not sample:
        return False
    good = sum(1 for ch in sample if ch.isprintable() or ch in "\n\r\t")
    return good / len(sample) > 0.95


def _looks_binary(sample: bytes) -> bool:
    """Runs of NULs or many of them mean binary; a few stray NULs in text do not.

    Scraped text sometimes carries an isolated NUL from a broken pipeline; such
    files are imported (the NULs are stripped with the other controls).
    """
    nul = sample.count(0)
    if nul == 0:
        return False
    controls = sum(sample.count(b) for b in (*range(1, 9), 11, 12, *range(14, 32)))
    return b"\x00\x00" in sample or (nul > 3 and nul / len(sample) > 0.01) or controls / len(sample) > 0.1
