"""Markdown segmentation without markdown-it's token machinery, proven equal to it.

``segment.md_segments_reference`` (markdown-it-py's block parser, configured
as in ``segment._block_parser``) is the reference. This module replays the
same block algorithm (markdown-it's own ``tokenize``, ``paragraph``,
``lheading``, ``heading``, ``hr`` and ``list`` rules, line for line, with
code blocks, raw HTML and reference definitions off) on plain Python lists
of line offsets and emits the blocks directly instead of building tokens.
Where it meets something it does not replay, it gives up on that top-level
block and lets markdown-it parse the region from there to the next point
where markdown-it is bound to start a new top-level block; a page it cannot
read line by line at all goes to markdown-it whole. The inline side is in
``inline_text``: the common inline markup of page dumps is removed by
regular expressions, and any block it is not sure of goes to markdown-it's
inline parser.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace, mdTrim

from tui.clean import segment as _seg
from tui.clean.segment import _INLINE_MARKUP, _INLINE_SYNTAX

#: Deeper list nesting than this goes to markdown-it (its nesting limit and
#: Python's recursion limit are then in play).
_MAX_DEPTH = 10


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

    def __init__(self, text: str) -> None:
        self.src = text
        starts = _seg._line_starts(text)
        self.starts = starts
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        elif not lines[-1].strip(" "):
            lines.pop()  # markdown-it gives a last line of only spaces no marker
        n = len(lines)
        self.bm = bm = starts[:n]
        self.em = [b + len(line) for b, line in zip(bm, lines, strict=True)]
        self.ts = [len(line) - len(line.lstrip(" ")) for line in lines]
        length = len(text)
        bm.append(length)
        self.em.append(length)
        self.ts.append(0)
        self.ts0 = self.ts[:]
        self.sc = self.ts[:]  # no tabs: the indent in columns is the count of spaces
        self.line_max = n
        self.blk_indent = 0
        self.list_indent = -1
        self.line = 0
        self.depth = 0  # open lists
        self.segs: list = []
        self.marker = ""
        self.fast_blocks = 0  # top-level blocks read by the scanner
        self.slow_blocks = 0  # regions handed to markdown-it

    # -- the page -----------------------------------------------------------

    def run(self) -> list:
        """Top-level blocks one by one; a block the scanner gives up on goes to markdown-it."""
        line = 0
        line_max = self.line_max
        segs = self.segs
        while line < line_max:
            line = self._skip_empty(line)
            if line >= line_max:
                break
            n_segs = len(segs)
            marker = self.marker
            self.line = line
            try:
                self._block(line, line_max)
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

    def _skip_empty(self, line: int) -> int:
        bm, ts, em = self.bm, self.ts, self.em
        line_max = self.line_max
        while line < line_max and bm[line] + ts[line] >= em[line]:
            line += 1
        return line

    def _empty(self, line: int) -> bool:
        return self.bm[line] + self.ts[line] >= self.em[line]

    def _get_lines(self, begin: int, end: int, indent: int) -> str:
        """markdown-it's ``getLines(begin, end, indent, False)`` without tabs."""
        src, bm, em = self.src, self.bm, self.em
        if indent == 0:
            return src[bm[begin]:em[end - 1]]
        ts = self.ts
        parts = [src[bm[i] + min(indent, ts[i]):em[i] + 1] for i in range(begin, end - 1)]
        parts.append(src[bm[end - 1] + min(indent, ts[end - 1]):em[end - 1]])
        return "".join(parts)

    # -- block rules ----------------------------------------------------------

    def _tokenize(self, line: int, end_line: int) -> None:
        """markdown-it's ``ParserBlock.tokenize`` with our rule chain."""
        sc = self.sc
        while line < end_line:
            line = self._skip_empty(line)
            self.line = line
            if line >= end_line:
                break
            if sc[line] < self.blk_indent:
                break
            self._block(line, end_line)
            line = self.line
            if line < end_line and self._empty(line):
                line += 1
                self.line = line

    def _block(self, line: int, end_line: int) -> None:
        """One block at ``line``: markdown-it's rules in order (first-character dispatch)."""
        pos = self.bm[line] + self.ts[line]
        ch = self.src[pos] if pos < self.em[line] else ""
        if ch == ">":
            raise _Unsupported
        if ch in "*-_" and self._hr(line):
            self.line = line + 1
            return
        if ch in "*-+0123456789" and self._list(line, end_line, False):
            return
        if ch == "#" and self._heading(line, False):
            return
        if self._lheading(line, end_line):
            return
        self._paragraph(line)

    def _terminates_paragraph(self, line: int) -> bool:
        """The paragraph terminators (fence, blockquote, hr, list, heading), silent."""
        pos = self.bm[line] + self.ts[line]
        if pos >= self.em[line]:
            return False
        ch = self.src[pos]
        if ch in "*-_":
            if self._hr(line):
                return True
            return ch != "_" and self._list(line, self.line_max, True)
        if ch in "+0123456789":
            return self._list(line, self.line_max, True)
        if ch == "#":
            return self._heading(line, True)
        if ch == ">":
            raise _Unsupported
        return False  # a fence needs three backticks or tildes: none on the page

    def _terminates_list(self, line: int) -> bool:
        """The list terminators (fence, blockquote, hr), silent."""
        pos = self.bm[line] + self.ts[line]
        if pos >= self.em[line]:
            return False
        ch = self.src[pos]
        if ch == ">":
            raise _Unsupported
        return ch in "*-_" and self._hr(line)

    def _hr(self, line: int) -> bool:
        src = self.src
        pos = self.bm[line] + self.ts[line]
        maximum = self.em[line]
        marker = src[pos]
        cnt = 1
        pos += 1
        while pos < maximum:
            ch = src[pos]
            pos += 1
            if ch != marker and ch != " ":
                return False
            if ch == marker:
                cnt += 1
        return cnt >= 3

    def _heading(self, line: int, silent: bool) -> bool:
        src = self.src
        pos = self.bm[line] + self.ts[line]
        maximum = self.em[line]
        level = 1
        pos += 1
        ch = src[pos] if pos < len(src) else None
        while ch == "#" and pos < maximum and level <= 6:
            level += 1
            pos += 1
            ch = src[pos] if pos < len(src) else None
        if level > 6 or (pos < maximum and ch != " "):
            return False
        if silent:
            return True
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

    def _lheading(self, start_line: int, end_line: int) -> bool:
        src, bm, em, sc, ts = self.src, self.bm, self.em, self.sc, self.ts
        blk = self.blk_indent
        level = 0
        next_line = start_line + 1
        while next_line < end_line and bm[next_line] + ts[next_line] < em[next_line]:
            if sc[next_line] - blk > 3:
                next_line += 1
                continue
            if sc[next_line] >= blk:
                pos = bm[next_line] + ts[next_line]
                maximum = em[next_line]
                marker = src[pos]
                if marker == "-" or marker == "=":
                    while pos < maximum and src[pos] == marker:
                        pos += 1
                    while pos < maximum and src[pos] == " ":
                        pos += 1
                    if pos >= maximum:
                        level = 1 if marker == "=" else 2
                        break
            if self._terminates_paragraph(next_line):
                break
            next_line += 1
        if not level:
            return False
        content = mdTrim(self._get_lines(start_line, next_line, blk))
        self.line = next_line + 1
        self._emit(start_line, next_line, content, level)
        return True

    def _paragraph(self, start_line: int) -> None:
        bm, em, sc, ts = self.bm, self.em, self.sc, self.ts
        blk = self.blk_indent
        next_line = start_line + 1
        end_line = self.line_max
        while next_line < end_line:
            if bm[next_line] + ts[next_line] >= em[next_line]:
                break
            if sc[next_line] - blk > 3:
                next_line += 1
                continue
            if self._terminates_paragraph(next_line):
                break
            next_line += 1
        content = mdTrim(self._get_lines(start_line, next_line, blk))
        self.line = next_line
        self._emit(start_line, next_line, content, 0)

    def _ordered_marker(self, line: int) -> int:
        """markdown-it's ``skipOrderedListMarker``: the position after ``12.``, or -1."""
        src = self.src
        start = pos = self.bm[line] + self.ts[line]
        maximum = self.em[line]
        if pos + 1 >= maximum:
            return -1
        ch = src[pos]
        pos += 1
        if not "0" <= ch <= "9":
            return -1
        while True:
            if pos >= maximum:
                return -1
            ch = src[pos]
            pos += 1
            if "0" <= ch <= "9":
                if pos - start >= 10:
                    return -1
                continue
            if ch == ")" or ch == ".":
                break
            return -1
        if pos < maximum and src[pos] != " ":
            return -1
        return pos

    def _bullet_marker(self, line: int) -> int:
        """markdown-it's ``skipBulletListMarker``: the position after ``-``, or -1."""
        src = self.src
        pos = self.bm[line] + self.ts[line]
        maximum = self.em[line]
        if pos >= len(src):
            return -1
        marker = src[pos]
        pos += 1
        if marker != "*" and marker != "-" and marker != "+":
            return -1
        if pos < maximum and src[pos] != " ":
            return -1
        return pos

    def _list(self, start_line: int, end_line: int, silent: bool) -> bool:
        """markdown-it's ``list_block`` (called silent only as a paragraph terminator)."""
        src, bm, em, sc, ts = self.src, self.bm, self.em, self.sc, self.ts
        if (self.list_indent >= 0 and sc[start_line] - self.list_indent >= 4
                and sc[start_line] < self.blk_indent):
            return False
        terminating_paragraph = silent and sc[start_line] >= self.blk_indent
        pos_after = self._ordered_marker(start_line)
        start = bm[start_line] + ts[start_line]
        if pos_after >= 0:
            ordered = True
            if terminating_paragraph and int(src[start:pos_after - 1]) != 1:
                return False
        else:
            pos_after = self._bullet_marker(start_line)
            if pos_after < 0:
                return False
            ordered = False
        if terminating_paragraph:
            p = pos_after
            while p < len(src) and src[p] == " ":
                p += 1
            if p >= em[start_line]:
                return False
        if silent:
            return True
        marker_char = src[pos_after - 1]
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Unsupported
        next_line = start_line
        while next_line < end_line:
            pos = pos_after
            maximum = em[next_line]
            initial = offset = sc[next_line] + pos_after - (bm[start_line] + ts[start_line])
            while pos < maximum and src[pos] == " ":
                offset += 1
                pos += 1
            content_start = pos
            after = 1 if content_start >= maximum else offset - initial
            if after > 4:
                after = 1
            indent = initial + after
            # list_item_open: the marker shown with the item's first block
            self.marker = src[start:pos_after - 1] + marker_char if ordered else ""
            old_ts = ts[start_line]
            old_sc = sc[start_line]
            old_list_indent = self.list_indent
            self.list_indent = self.blk_indent
            self.blk_indent = indent
            ts[start_line] = content_start - bm[start_line]
            sc[start_line] = offset
            if content_start >= maximum and self._empty(start_line + 1):
                self.line = min(self.line + 2, end_line)
            else:
                self._tokenize(start_line, end_line)
            self.blk_indent = self.list_indent
            self.list_indent = old_list_indent
            ts[start_line] = old_ts
            sc[start_line] = old_sc
            next_line = start_line = self.line
            if next_line >= end_line:
                break
            if sc[next_line] < self.blk_indent:
                break
            if self._terminates_list(next_line):
                break
            if ordered:
                pos_after = self._ordered_marker(next_line)
                if pos_after < 0:
                    break
                start = bm[next_line] + ts[next_line]
            else:
                pos_after = self._bullet_marker(next_line)
                if pos_after < 0:
                    break
            if marker_char != src[pos_after - 1]:
                break
        self.depth -= 1
        self.line = next_line
        return True

    # -- output ---------------------------------------------------------------

    def _emit(self, begin: int, end_line: int, content: str, heading: int) -> None:
        """One inline block, as ``segment._tokens_to_segs`` turns its token into a Seg."""
        shown, links = inline_text(content)
        if not shown:
            return
        text = self.src
        starts = self.starts
        n_starts = len(starts)
        start = starts[begin] if begin < n_starts else len(text)
        end = (starts[end_line] - 1) if end_line < n_starts else len(text)
        end = min(max(end, start), len(text))
        raw = text[start:end]
        start += len(raw) - len(raw.lstrip())
        end -= len(raw) - len(raw.rstrip())
        if self.marker:
            shown = f"{self.marker} {shown}"
            self.marker = ""
        if heading:
            kind = "heading"
        elif self.depth:
            kind = "list_item"
        else:
            kind = "paragraph"
        self.segs.append((shown, start, max(start, end), kind, heading, links))


# -- inline -------------------------------------------------------------------

#: Inline syntax the stripper does not replay: code spans, autolinks, and
#: anything that could be a link or image ("](" after a label).
_INLINE_UNSURE = re.compile(r"[`<]|\]\(")
#: Where the stripper has work: escapes, line breaks, emphasis delimiters.
_INLINE_SPECIAL = re.compile(r"[\\\n*_]")
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
    if not _INLINE_SYNTAX.search(content):
        if "\n" not in content:
            return content.strip(), 0
        return " ".join(part.strip() for part in content.split("\n")), 0
    if not _INLINE_MARKUP.search(content):
        return " ".join(content.split()), 0
    if _INLINE_UNSURE.search(content):
        return _seg._inline_parsed(content)
    return " ".join(_strip_emphasis(content).split()), 0


def _strip_emphasis(src: str) -> str:
    """The shown text of ``src`` (no code spans, autolinks or links) before whitespace clean-up."""
    pieces: list = []
    # delimiters as markdown-it keeps them: [marker, length, token, end, open, close]
    delims: list[list] = []
    n = len(src)
    pos = 0
    tok = 0  # token counter: only adjacency of delimiter tokens matters
    search = _INLINE_SPECIAL.search
    while pos < n:
        m = search(src, pos)
        if m is None:
            pieces.append(src[pos:])
            break
        i = m.start()
        if i > pos:
            pieces.append(src[pos:i])
            tok += 1
        ch = src[i]
        if ch == "\n":
            pieces.append(" ")
            tok += 1
            pos = i + 1
        elif ch == "\\":
            tok += 1
            if i + 1 >= n:
                pieces.append("\\")
                pos = i + 1
            else:
                c1 = src[i + 1]
                if c1 == "\n":
                    pieces.append(" ")
                    pos = i + 2
                elif c1 in _ESCAPED:
                    pieces.append(c1)
                    pos = i + 2
                else:
                    # escapes nothing: shown as written (a surrogate pair stays whole)
                    j = i + 2
                    if "\ud800" <= c1 <= "\udbff" and j < n and "\udc00" <= src[j] <= "\udfff":
                        j += 1
                    pieces.append(src[i:j])
                    pos = j
        else:
            j = i + 1
            while j < n and src[j] == ch:
                j += 1
            length = j - i
            last = src[i - 1] if i > 0 else " "
            nxt = src[j] if j < n else " "
            last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
            next_punct = isMdAsciiPunct(ord(nxt)) or isPunctChar(nxt)
            last_space = isWhiteSpace(ord(last))
            next_space = isWhiteSpace(ord(nxt))
            left = not (next_space or (next_punct and not (last_space or last_punct)))
            right = not (last_space or (last_punct and not (next_space or next_punct)))
            split_word = ch == "*"
            can_open = left and (split_word or not right or last_punct)
            can_close = right and (split_word or not left or next_punct)
            for _ in range(length):
                pieces.append(len(delims))
                delims.append([ch, length, tok, -1, can_open, can_close])
                tok += 1
            pos = j
    if not delims:
        return "".join(pieces)
    _process_delimiters(delims)
    hidden = set()
    for k, d in enumerate(delims):
        if d[3] != -1:
            hidden.add(k)
            hidden.add(d[3])
    return "".join(("" if p in hidden else delims[p][0]) if type(p) is int else p
                   for p in pieces)


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
