"""Markdown segmentation without markdown-it's token machinery, proven equal to it.

Markdown fast path
------------------

``segment.md_segments(text)`` returns exactly what markdown-it-py gives
(``segment.md_segments_reference``: its block parser as configured in
``segment._block_parser``, inline parser where a block has inline markup),
Seg tuple for Seg tuple, in a fraction of the time. markdown-it-py stays the
reference and the fallback.

*Blocks.* ``_Scanner`` replays markdown-it's own block algorithm line for
line - ``tokenize``, ``heading``, ``hr``, ``list``, ``lheading`` and
``paragraph`` (these two in one pass: they walk the same lines), with code
blocks, raw HTML and reference definitions off as in our configuration - on
plain lists (markdown-it's bMarks, eMarks, tShift, sCount, built with C-level
``map`` calls), and emits each block as a Seg instead of building tokens. The
block-start tests are regular expressions equal to markdown-it's character
loops (``_HR``, ``_LIST_MARKER``, ``_ATX``). A top-level block quote whose
lines all start with ">" (up to an empty line) is read by a scanner of its
own on the lines without the ">", as markdown-it's ``blockquote`` does.

*Inline.* ``inline_text`` makes ``segment._inline_text``'s choices with
substring tests; emphasis and escapes (the markup page dumps carry) are
resolved by replaying markdown-it's ``scanDelims`` and ``processDelimiters``
on the runs of ``*`` and ``_``.

*Fallbacks* (each exact, so the output never changes):

* the whole page to markdown-it when it holds a tab, CR or NUL (markdown-it
  expands or normalises them) or three backticks or tildes (a code fence);
* one region to markdown-it when a top-level block holds a block quote the
  scanner does not read (a lazy continuation line, a quote in a list item,
  a nested quote) or lists nested more than 10 deep: from that block to the
  next line that must start a top-level block (after an empty line, in column
  0, no list marker), parsed on its own;
* the whole page when such a region has a line prefix of 30 or more marker
  characters (markdown-it's nesting limit, Python's recursion limit);
* one block to markdown-it's inline parser when it holds "`", "<" or "]("
  (code spans, autolinks, links, images).

On the 50 dev pages every page and every block takes the fast path (4,190
top-level blocks, 8,456 Segs; no region and no block goes to markdown-it;
667 blocks go through the emphasis replay). ``tests/test_mdscan.py`` checks
fast == reference on the dev pages and the seeds, on random page-dump
Markdown, nested lists and quotes, random inline runs and arbitrary short
strings (hypothesis; each run with 20,000 examples while developing), and
the fallback triggers.

Speed (CPU time, best of 10 interleaved passes over the 50 dev pages,
2026-11-23, 2-core shared machine): ``md_segments`` 4.6-4.8 ms per page with
markdown-it alone, 1.00-1.06 ms with the scanner (4.4-4.7x); whole Markdown
cleaning (``clean_document`` + ``body_text``) 6.3-6.6 -> 2.65-2.70 ms per
page; ``bench/extraction.py --quick`` .md 147-154 -> 336-350 pages/s.
Where the scanner's millisecond goes: the line tables 0.12 ms, the block
rules about 0.5 ms, Segs and inline text about 0.4 ms.
"""

from __future__ import annotations

import re
from itertools import accumulate, repeat
from operator import add, getitem, sub

from markdown_it.common.utils import (
    MD_TRIM_CHARS,
    isMdAsciiPunct,
    isPunctChar,
    isWhiteSpace,
    mdTrim,
)

from tui.clean import segment as _seg

#: Deeper list nesting than this goes to markdown-it (its nesting limit and
#: Python's recursion limit are then in play).
_MAX_DEPTH = 10


#: markdown-it's block-start tests as patterns, matched at a line's first
#: non-space character with the line's end as ``endpos`` (no tabs on the
#: page, so a space is the only whitespace they see):
#: ``hr`` (three or more of one marker, spaces between),
_HR = re.compile(r"([*_-])(?: *\1){2,} *\Z")
#: ``skipOrderedListMarker`` / ``skipBulletListMarker`` (ASCII digits, at most 9),
_LIST_MARKER = re.compile(r"(?:[0-9]{1,9}[.)]|[*+-])(?= |\Z)")
#: (an hr needs three markers: ``str.count`` rules most lines out first)
#: ``heading`` (one to six "#", then a space or the end of the line).
_ATX = re.compile(r"#{1,6}(?= |\Z)")
_FIRST = slice(0, 1)


def _marker_end(src: str, pos: int, maximum: int) -> int:
    """Where a list marker at ``pos`` ends (``_LIST_MARKER``), or -1; bullets without a regex."""
    if src[pos] in "*-+":
        pos += 1
        return pos if pos >= maximum or src[pos] == " " else -1
    m = _LIST_MARKER.match(src, pos, maximum)
    return -1 if m is None else m.end()


#: First characters at which some block rule besides paragraph can fire.
_STARTERS = frozenset("*-_+0123456789#>")
#: ... and those a paragraph line must be checked for (terminators, underlines).
_SPECIAL = frozenset("*-_+0123456789#>=")


class _Unsupported(Exception):
    """The scanner meets a construct it does not replay (a block quote, deep nesting)."""


class _WholePage(Exception):
    """A region markdown-it might not parse alone as within the page: use it on the page."""


def _page_supported(text: str) -> bool:
    """Pages the scanner can read at all: no tabs, CR, NUL or code fences.

    markdown-it normalises CR and NUL before parsing and expands tabs in
    indentation; without fences (no run of three backticks or tildes
    anywhere) its fence rule can never fire.
    """
    return not ("\t" in text or "\r" in text or "\0" in text or "```" in text
                or "~~~" in text)


def md_segments_fast(text: str) -> list:
    """``segment.md_segments_reference(text)``, computed by the line scanner where it can."""
    if not text or not _page_supported(text):
        return _seg.md_segments_reference(text)
    scanner = _Scanner(text)
    try:
        return scanner.run()
    except (_WholePage, RecursionError):
        return _seg.md_segments_reference(text)


class _Scanner:
    """markdown-it's block state for one page (spaces only), and the blocks found so far."""

    def __init__(self, text: str, out: _Scanner | None = None, offset: int = 0) -> None:
        self.src = text
        #: where blocks go: this scanner, or for a block quote's content (a
        #: scanner of its own lines without the ">") the page's, at ``offset``
        self.out = out or self
        self.offset = offset
        self.quote = out is not None
        lines = text.split("\n")
        # line starts as segment._line_starts gives them (no CR on the page)
        lengths = list(map(len, lines))
        starts = list(accumulate(map((1).__add__, lengths), initial=0))
        starts[-1] = len(text) + 1
        self.starts = starts
        if text.endswith("\n"):
            lines.pop()
            lengths.pop()
        elif not lines[-1].strip(" "):
            lines.pop()  # markdown-it gives a last line of only spaces no marker
            lengths.pop()
        n = len(lines)
        self.length = length = len(text)
        # markdown-it's bMarks, eMarks, tShift and sCount, with its extra line
        # (built by C-level maps: this runs over every line of the page)
        self.bm = starts[:n]
        self.bm.append(length)
        self.em = em = list(map(add, starts, lengths))
        em.append(length)
        stripped = list(map(str.lstrip, lines, repeat(" ", n)))
        self.ts = ts = list(map(sub, lengths, map(len, stripped)))
        ts.append(0)
        self.ts0 = ts[:]
        self.sc = ts[:]  # no tabs: the indent in columns is the count of spaces
        #: first character of each line ("" when empty), at its own indentation
        self.fc = fc = list(map(getitem, stripped, repeat(_FIRST, n)))
        fc.append("")
        self.line_max = n
        self.blk_indent = 0
        self.list_indent = -1
        self.line = 0
        self.depth = 0  # open lists
        self.segs: list = []
        #: the "3." of an ordered list item, shown with its first block
        #: (kept by ``out``: it may pass into or out of a block quote)
        self.marker = ""
        self.fast_blocks = 0  # top-level blocks read by the scanner
        self.slow_blocks = 0  # regions handed to markdown-it

    # -- the page -----------------------------------------------------------

    def run(self) -> list:
        """Top-level blocks one by one; a block the scanner gives up on goes to markdown-it."""
        line = 0
        line_max = self.line_max
        segs = self.segs
        fc = self.fc
        while line < line_max:
            while line < line_max and not fc[line]:
                line += 1
            if line >= line_max:
                break
            n_segs = len(segs)
            marker = self.marker
            self.line = line
            try:
                c = fc[line]
                if c == ">":
                    self._quote(line)
                elif c in _STARTERS:
                    self._block(line, line_max)
                else:
                    self._text_block(line)
                self.fast_blocks += 1
                line = self.line
            except _Unsupported:
                del segs[n_segs:]
                self.marker = marker
                # a list item's first line may still hold its shifted indent
                self.blk_indent, self.list_indent, self.depth = 0, -1, 0
                self.ts[:] = self.ts0
                self.sc[:] = self.ts0
                line = self._region(line)
                self.slow_blocks += 1
        return segs

    def _region(self, line: int) -> int:
        """markdown-it on the lines from ``line`` to the next sure top-level start; returns it.

        After a blank line, a line starting in column 0 that cannot continue a
        list (no list marker) starts a new top-level block in markdown-it
        whatever came before: a paragraph or block quote ends at the blank
        line, a list item at the outdented line, and the list at a line that
        is no list item (fences are excluded page-wide). So the region parses
        alone exactly as within the page.
        """
        bm, em, ts, src = self.bm, self.em, self.ts, self.src
        line_max = self.line_max
        end = line + 1
        while end < line_max:
            if (ts[end] == 0 and bm[end] < em[end] and bm[end - 1] + ts[end - 1] >= em[end - 1]
                    and src[bm[end]] not in "*+-0123456789"):
                break
            end += 1
        # nesting needs marker characters at the start of a line: a region
        # whose line prefixes are short cannot reach markdown-it's nesting
        # limit (40 levels) nor Python's recursion limit
        for i in range(line, end):
            p = k = bm[i]
            q = em[i]
            q = min(q, p + 30)
            while k < q and src[k] in " >*+-.)0123456789":
                k += 1
            if k - p >= 30:
                raise _WholePage
        chunk = src[bm[line]:bm[end]] if end < line_max else src[bm[line]:]
        tokens = _seg._MD.parse(chunk)
        self.marker = _seg._tokens_to_segs(tokens, src, self.starts, line, self.segs,
                                           self.marker)
        return end

    # -- markdown-it's helpers -----------------------------------------------

    def _get_lines(self, begin: int, end: int, indent: int) -> str:
        """markdown-it's ``getLines(begin, end, indent, False)`` without tabs.

        It drops up to ``indent`` columns of a line's indentation (``tShift``,
        which on a list item's first line also covers the marker).
        """
        src, bm, em = self.src, self.bm, self.em
        if indent == 0:
            return src[bm[begin]:em[end - 1]]
        ts = self.ts
        if end == begin + 1:
            return src[bm[begin] + min(indent, ts[begin]):em[begin]]
        parts = [src[bm[i] + min(indent, ts[i]):em[i] + 1] for i in range(begin, end - 1)]
        parts.append(src[bm[end - 1] + min(indent, ts[end - 1]):em[end - 1]])
        return "".join(parts)

    # -- block rules ----------------------------------------------------------

    def _tokenize(self, line: int, end_line: int) -> None:
        """markdown-it's ``ParserBlock.tokenize`` with our rule chain.

        Only ``line`` can be a list item's first line (its indent moved past
        the marker); later lines are as parsed, so ``fc`` tells if they are empty.
        ``end_line`` is always ``lineMax`` (only block quotes lower it).
        """
        bm, ts, em, sc, fc = self.bm, self.ts, self.em, self.sc, self.fc
        line_max = self.line_max
        while line < line_max and bm[line] + ts[line] >= em[line]:
            line += 1
        while True:
            self.line = line
            if line >= end_line or sc[line] < self.blk_indent:
                return
            self._block(line, end_line)
            line = self.line
            while line < line_max and not fc[line]:
                line += 1

    def _block(self, line: int, end_line: int) -> None:
        """One block at ``line``: markdown-it's rules in order (first-character dispatch)."""
        pos = self.bm[line] + self.ts[line]
        maximum = self.em[line]
        ch = self.src[pos] if pos < maximum else ""
        if ch in _STARTERS:
            if ch == ">":
                raise _Unsupported
            if ch in "*-_" and self.src.count(ch, pos, maximum) >= 3 \
                    and _HR.match(self.src, pos, maximum):
                self.line = line + 1
                return
            if ch in "*-+0123456789" and self._list(line, end_line):
                return
            if ch == "#" and self._heading(line):
                return
        self._text_block(line)

    def _quote(self, line: int) -> None:
        """A top-level block quote whose lines all start with ">", up to an empty line.

        markdown-it's ``blockquote`` takes every following line that starts
        with ">" and stops at an empty line; it parses the lines without the
        ">" and one space after it as a document of their own, at block indent
        0, whose paragraphs also stop at that empty line. A scanner of its own
        on those lines does the same. A line without ">" (a lazy continuation
        or a block that ends the quote) goes to markdown-it.
        """
        fc, bm, em, ts, src = self.fc, self.bm, self.em, self.ts, self.src
        line_max = self.line_max
        end = line
        while end < line_max and fc[end] == ">":
            end += 1
        if end < line_max and fc[end]:
            raise _Unsupported
        parts = []
        for i in range(line, end):
            p = bm[i] + ts[i] + 1
            if p < em[i] and src[p] == " ":
                p += 1
            parts.append(src[p:em[i]])
        inner = _Scanner("\n".join(parts) + "\n", self, line)
        inner._tokenize(0, inner.line_max)
        self.line = end

    def _terminates_paragraph(self, line: int) -> bool:
        """The paragraph terminators (fence, blockquote, hr, list, heading), silent.

        ``line`` follows the paragraph's first line, so its indent is as parsed.
        A fence needs three backticks or tildes: there are none on the page.
        """
        src = self.src
        pos = self.bm[line] + self.ts[line]
        maximum = self.em[line]
        ch = src[pos]
        if ch in "*-_" and src.count(ch, pos, maximum) >= 3 and _HR.match(src, pos, maximum):
            return True
        if ch in "*-+0123456789":
            # markdown-it's list rule, silent, as a paragraph terminator
            sc = self.sc[line]
            blk = self.blk_indent
            if self.list_indent >= 0 and sc - self.list_indent >= 4 and sc < blk:
                return False
            after = _marker_end(src, pos, maximum)
            if after < 0:
                return False
            if sc >= blk:  # it would interrupt the paragraph: stricter
                if ch in "0123456789" and int(src[pos:after - 1]) != 1:
                    return False
                if not src[after:maximum].strip(" "):
                    return False
            return True
        if ch == "#":
            return _ATX.match(src, pos, maximum) is not None
        # markdown-it's blockquote rule, silent, is true at any ">"
        return ch == ">"

    def _heading(self, line: int) -> bool:
        """markdown-it's ``heading``: "# text", its closing "#"s cut."""
        src = self.src
        pos = self.bm[line] + self.ts[line]
        maximum = self.em[line]
        m = _ATX.match(src, pos, maximum)
        if m is None:
            return False
        level = m.end() - pos
        pos = m.end()
        # cut tails like '    ###  '
        while maximum > pos and src[maximum - 1] == " ":
            maximum -= 1
        tmp = maximum
        while tmp > pos and src[tmp - 1] == "#":
            tmp -= 1
        if tmp > pos and src[tmp - 1] == " ":
            maximum = tmp
        self.line = line + 1
        self._emit(line, line + 1, mdTrim(src[pos:maximum]), level)
        return True

    def _text_block(self, start_line: int) -> None:
        """markdown-it's ``lheading``, else its ``paragraph``, in one pass.

        Both walk the same lines with the same terminators (with the end line
        ``lineMax`` in both, as no block quote is open); lheading also stops at
        an underline. When it finds none it fails and paragraph stops at the
        very line it stopped at, so one walk decides both.
        """
        fc = self.fc
        blk = self.blk_indent
        next_line = start_line + 1
        level = 0
        if fc[next_line]:  # else a one-line paragraph, the commonest block
            sc = self.sc
            end_line = self.line_max
            special = _SPECIAL
            while next_line < end_line:
                c = fc[next_line]
                if not c:
                    break  # an empty line
                if sc[next_line] - blk > 3 or c not in special:
                    next_line += 1  # lazy continuation, or no rule can start here
                    continue
                if (c == "-" or c == "=") and sc[next_line] >= blk:
                    src = self.src
                    pos = self.bm[next_line] + self.ts[next_line]
                    maximum = self.em[next_line]
                    while pos < maximum and src[pos] == c:
                        pos += 1
                    while pos < maximum and src[pos] == " ":
                        pos += 1
                    if pos >= maximum:
                        level = 1 if c == "=" else 2
                        break
                if self._terminates_paragraph(next_line):
                    break
                next_line += 1
        if next_line == start_line + 1:
            first = self.bm[start_line]
            if blk:
                first += min(blk, self.ts[start_line])
            content = self.src[first:self.em[start_line]].strip(MD_TRIM_CHARS)
        else:
            content = self._get_lines(start_line, next_line, blk).strip(MD_TRIM_CHARS)
        self.line = next_line + 1 if level else next_line
        self._emit(start_line, next_line, content, level)

    def _list(self, start_line: int, end_line: int) -> bool:
        """markdown-it's ``list_block``, not silent (see ``_terminates_paragraph``)."""
        src, bm, em, sc, ts, fc = self.src, self.bm, self.em, self.sc, self.ts, self.fc
        if (self.list_indent >= 0 and sc[start_line] - self.list_indent >= 4
                and sc[start_line] < self.blk_indent):
            return False
        start = bm[start_line] + ts[start_line]
        pos_after = _marker_end(src, start, em[start_line])
        if pos_after < 0:
            return False
        ordered = src[start] in "0123456789"
        marker_char = src[pos_after - 1]
        line_max = self.line_max
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Unsupported
        next_line = start_line
        while next_line < end_line:
            pos = pos_after
            maximum = em[next_line]
            initial = offset = sc[next_line] + pos_after - start
            while pos < maximum and src[pos] == " ":
                offset += 1
                pos += 1
            content_start = pos
            after = 1 if content_start >= maximum else offset - initial
            if after > 4:
                after = 1
            # list_item_open: the marker shown with the item's first block
            self.out.marker = src[start:pos_after - 1] + marker_char if ordered else ""
            old_ts = ts[start_line]
            old_sc = sc[start_line]
            old_list_indent = self.list_indent
            self.list_indent = self.blk_indent
            self.blk_indent = initial + after
            ts[start_line] = content_start - bm[start_line]
            sc[start_line] = offset
            if content_start < maximum and src[content_start] not in _STARTERS:
                # the item starts with a paragraph: what _tokenize would do first
                self._text_block(start_line)
                line = self.line
                while line < line_max and not fc[line]:
                    line += 1
                if line < end_line and sc[line] >= self.blk_indent:
                    self._tokenize(line, end_line)
                else:
                    self.line = line
            elif content_start >= maximum and not fc[start_line + 1]:
                self.line = min(self.line + 2, end_line)
            else:
                self._tokenize(start_line, end_line)
            self.out.marker = ""  # list_item_close: an empty item's number goes with it
            self.blk_indent = self.list_indent
            self.list_indent = old_list_indent
            ts[start_line] = old_ts
            sc[start_line] = old_sc
            next_line = start_line = self.line
            if next_line >= end_line:
                break
            if sc[next_line] < self.blk_indent:
                break
            c = fc[next_line]  # the list terminators: fence, blockquote, hr
            if not c or c == ">":
                break  # a block quote ends the list; an empty line is no item
            start = bm[next_line] + ts[next_line]
            maximum = em[next_line]
            if c in "*-_" and src.count(c, start, maximum) >= 3 \
                    and _HR.match(src, start, maximum):
                break
            pos_after = _marker_end(src, start, maximum)
            if pos_after < 0 or (c in "0123456789") != ordered:
                break
            if marker_char != src[pos_after - 1]:
                break
        self.depth -= 1
        self.line = next_line
        return True

    # -- output ---------------------------------------------------------------

    def _emit(self, begin: int, end_line: int, content: str, heading: int) -> None:
        """One inline block, as ``segment._tokens_to_segs`` turns its token into a Seg.

        ``begin < end_line <= line_max`` here, so the reference's bounds
        checks reduce to clipping the end to the text.
        """
        shown, links = inline_text(content)
        if not shown:
            return
        out = self.out
        if self.offset:
            begin += self.offset
            end_line += self.offset
        text = out.src
        start = out.bm[begin]
        end = out.starts[end_line] - 1
        if end > out.length:
            end = out.length
        if end_line == begin + 1 and not out.fc[begin].isspace() and not text[end - 1].isspace():
            # one line whose first character after its indent and last one
            # are no whitespace to Python either: what strip would find
            start += out.ts0[begin]
        else:
            raw = text[start:end]
            lead = raw.lstrip()
            start += len(raw) - len(lead)
            end = start + len(lead.rstrip())
        if out.marker:
            shown = f"{out.marker} {shown}"
            out.marker = ""
        if heading:
            kind = "heading"
        elif self.depth:
            kind = "list_item"
        elif self.quote:
            kind = "blockquote"
        else:
            kind = "paragraph"
        out.segs.append((shown, start, end, kind, heading, links))


# -- inline -------------------------------------------------------------------

#: Where the stripper has work: escapes, line breaks, emphasis delimiters.
_INLINE_SPECIAL = re.compile(r"[\\\n*_]")
_RUNS = re.compile(r"\*+|_+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~\n])")


def _unescape(m: re.Match) -> str:
    ch = m.group(1)
    return " " if ch == "\n" else ch

_ESCAPED = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def inline_text(content: str) -> tuple[str, int]:
    """``segment._inline_text(content)``, with emphasis and escapes done here.

    Without code spans, autolinks and links (no "`", "<" or "]("), the
    inline parser's output is the text with escapes resolved, line breaks
    as spaces and the emphasis delimiters it pairs removed; which ones it
    pairs is decided here by markdown-it's own algorithm (``scanDelims``
    and ``processDelimiters``), replayed on the delimiter runs. A "[" whose
    label is not followed by "(" is plain text (reference links are off).
    """
    # segment._inline_text's tests, as substring tests (several times faster
    # than its character-class search on long paragraphs)
    c = content
    if ("*" in c or "_" in c or "[" in c or "]" in c or "\\" in c or "`" in c or "<" in c
            or "~" in c):
        if "`" in c or "<" in c or "](" in c:
            return _seg._inline_parsed(c)
    elif "&" in c or "!" in c or "  \n" in c:
        return " ".join(c.split()), 0
    elif "\n" in c:
        return " ".join(map(str.strip, c.split("\n"))), 0
    else:
        return c.strip(), 0
    return " ".join(_strip_emphasis(content).split()), 0


#: (punctuation, whitespace) for ``scanDelims``, per character, by markdown-it's tests.
_CHAR_CLASS: dict[str, tuple[bool, bool]] = {}


def _char_class(ch: str) -> tuple[bool, bool]:
    cls = _CHAR_CLASS.get(ch)
    if cls is None:
        code = ord(ch)
        cls = (isMdAsciiPunct(code) or isPunctChar(ch), isWhiteSpace(code))
        if len(_CHAR_CLASS) < 4096:
            _CHAR_CLASS[ch] = cls
    return cls


def _flanks(src: str, i: int, j: int, ch: str) -> tuple[bool, bool]:
    """markdown-it's ``scanDelims`` for the run ``src[i:j]`` of ``ch``: (can open, can close)."""
    last_punct, last_space = _char_class(src[i - 1]) if i > 0 else (False, True)
    next_punct, next_space = _char_class(src[j]) if j < len(src) else (False, True)
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    if ch == "*":
        return left, right
    return left and (not right or last_punct), right and (not left or next_punct)


def _strip_emphasis(src: str) -> str:
    """The shown text of ``src`` (no code spans, autolinks or links) before whitespace clean-up.

    markdown-it's inline rules that can fire here are text, newline, escape
    and emphasis. Text and line breaks are shown as written (the caller
    folds whitespace); an escape shows the escaped character; a run of
    ``*`` or ``_`` becomes one delimiter per character, and the delimiters
    ``processDelimiters`` pairs are not shown. All characters of a run are
    the same, so only how many of a run's delimiters are paired matters.
    """
    if "*" not in src and "_" not in src:
        # escapes only (no delimiters): "\\" and an ASCII punctuation mark
        # shows the mark, "\\" at a line end is a line break, any other "\\" stays
        return _ESCAPE.sub(_unescape, src)
    if "\\" not in src:
        # Without escapes: a pair needs two runs of one marker, so one run of
        # each (or none) leaves the text as written; of exactly two runs of
        # one marker and length, markdown-it pairs every delimiter when the
        # first can open and the second can close (equal lengths are never
        # an "odd match"), and none otherwise (nothing opens before the first).
        found = list(_RUNS.finditer(src))
        if len(found) < 2:
            return src
        if len(found) == 2:
            a, b = found
            ch = src[a.start()]
            if ch != src[b.start()]:
                return src
            if a.end() - a.start() == b.end() - b.start():
                if _flanks(src, a.start(), a.end(), ch)[0] and \
                        _flanks(src, b.start(), b.end(), ch)[1]:
                    return src[:a.start()] + src[a.end():b.start()] + src[b.end():]
                return src
    pieces: list[str] = []
    runs: list[tuple[int, str, int, bool, bool]] = []  # (piece index, marker, length, open, close)
    n = len(src)
    pos = 0
    search = _INLINE_SPECIAL.search
    while pos < n:
        m = search(src, pos)
        if m is None:
            pieces.append(src[pos:])
            break
        i = m.start()
        if i > pos:
            pieces.append(src[pos:i])
        ch = src[i]
        if ch == "\n":
            pieces.append(" ")
            pos = i + 1
        elif ch == "\\":
            pieces.append("")  # a token between delimiter runs
            if i + 1 >= n:
                pieces[-1] = "\\"
                pos = i + 1
            else:
                c1 = src[i + 1]
                if c1 == "\n":
                    pieces[-1] = " "
                    pos = i + 2
                elif c1 in _ESCAPED:
                    pieces[-1] = c1
                    pos = i + 2
                else:
                    # escapes nothing: shown as written (a surrogate pair stays whole)
                    j = i + 2
                    if "\ud800" <= c1 <= "\udbff" and j < n and "\udc00" <= src[j] <= "\udfff":
                        j += 1
                    pieces[-1] = src[i:j]
                    pos = j
        else:
            j = i + 1
            while j < n and src[j] == ch:
                j += 1
            can_open, can_close = _flanks(src, i, j, ch)
            runs.append((len(pieces), ch, j - i, can_open, can_close))
            pieces.append(ch * (j - i))
            pos = j
    # a pair needs an opening run before a closing run of the same marker
    paired = False
    for marker in "*_":
        opened = False
        for run in runs:
            if run[1] == marker:
                if opened and run[4]:
                    paired = True
                    break
                opened = opened or run[3]
        if paired:
            break
    if not paired:
        return "".join(pieces)
    # markdown-it's delimiter list: one per character, [marker, run length,
    # token, end, open, close]; token numbers only need to tell whether two
    # delimiters are adjacent tokens, i.e. in one run
    delims: list[list] = []
    owner: list[int] = []
    for r, (index, marker, length, can_open, can_close) in enumerate(runs):
        token = 2 * index * n  # runs are never adjacent tokens...
        if r and runs[r - 1][0] == index - 1:
            token = delims[-1][2] + 1  # ...unless nothing stands between them
        for k in range(length):
            delims.append([marker, length, token + k, -1, can_open, can_close])
            owner.append(index)
    _process_delimiters(delims)
    hidden: dict[int, int] = {}
    for k, d in enumerate(delims):
        if d[3] != -1:
            hidden[owner[k]] = hidden.get(owner[k], 0) + 1
            hidden[owner[d[3]]] = hidden.get(owner[d[3]], 0) + 1
    for index, count in hidden.items():
        pieces[index] = pieces[index][count:]
    return "".join(pieces)


def _process_delimiters(delimiters: list[list]) -> None:
    """markdown-it's ``balance_pairs.processDelimiters``, on [marker, length, token, end, open, close]."""
    openers_bottom: dict[str, list[int]] = {}
    maximum = len(delimiters)
    header_idx = 0
    last_token_idx = -2
    jumps: list[int] = []
    closer_idx = 0
    while closer_idx < maximum:
        closer = delimiters[closer_idx]
        jumps.append(0)
        if delimiters[header_idx][0] != closer[0] or last_token_idx != closer[2] - 1:
            header_idx = closer_idx
        last_token_idx = closer[2]
        if not closer[5]:
            closer_idx += 1
            continue
        bottoms = openers_bottom.setdefault(closer[0], [-1, -1, -1, -1, -1, -1])
        min_opener_idx = bottoms[(3 if closer[4] else 0) + closer[1] % 3]
        opener_idx = header_idx - jumps[header_idx] - 1
        new_min_opener_idx = opener_idx
        while opener_idx > min_opener_idx:
            opener = delimiters[opener_idx]
            if opener[0] != closer[0]:
                opener_idx -= jumps[opener_idx] + 1
                continue
            if opener[4] and opener[3] < 0:
                odd_match = ((opener[5] or closer[4])
                             and (opener[1] + closer[1]) % 3 == 0
                             and (opener[1] % 3 != 0 or closer[1] % 3 != 0))
                if not odd_match:
                    if opener_idx > 0 and not delimiters[opener_idx - 1][4]:
                        last_jump = jumps[opener_idx - 1] + 1
                    else:
                        last_jump = 0
                    jumps[closer_idx] = closer_idx - opener_idx + last_jump
                    jumps[opener_idx] = last_jump
                    closer[4] = False
                    opener[3] = closer_idx
                    opener[5] = False
                    new_min_opener_idx = -1
                    last_token_idx = -2
                    break
            opener_idx -= jumps[opener_idx] + 1
        if new_min_opener_idx != -1:
            bottoms[(3 if closer[4] else 0) + closer[1] % 3] = new_min_opener_idx
        closer_idx += 1
