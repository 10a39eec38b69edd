"""Cut a page into blocks with offsets: one line of plain text, or one Markdown block.

Plain-text dumps of web pages put one paragraph, heading or link per line, so
a non-empty line is a block. Markdown is parsed with markdown-it-py (block
rules only, once per page); the inline parser runs only on blocks that hold
inline syntax, because plain paragraphs need none and parsing them is the
slowest part of cleaning.
"""

from __future__ import annotations

import re
from itertools import accumulate

from markdown_it import MarkdownIt, rules_block
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

#: One block before classification. ``link_chars`` counts characters shown as
#: link text (Markdown only): link-heavy blocks are navigation.
Seg = tuple  # (text, start, end, source_kind, level, link_chars)

_BULLET = re.compile(r"(?:[*•·‣▪◦+-]|\d{1,3}[.)])\s+(?=\S)")
_NEWLINES = re.compile(r"\r\n?|\n")
#: A line's text without its surrounding whitespace: from the first to the
#: last non-space character before the next newline.
_LINE = re.compile(r"\S(?:[^\n]*\S)?")
_BULLET_FIRST = frozenset("*•·‣▪◦+-")
_INLINE_SYNTAX = re.compile(r"[\[\]*_`<\\!&~]|  \n")
#: The characters that can start inline markup the shown text depends on
#: (entities and raw HTML are off in ``_MD_INLINE``; "!" needs a "[").
_INLINE_MARKUP = re.compile(r"[\[\]*_`<\\~]")

_STARTERS = (("fence", rules_block.fence), ("blockquote", rules_block.blockquote),
             ("hr", rules_block.hr), ("list", rules_block.list_block),
             ("heading", rules_block.heading))
#: markdown-it's own rules that can start a block at a line, by the line's
#: first character, in markdown-it's order. Each of them returns False at once
#: for any other character, so skipping it there changes nothing.
_BY_FIRST: dict[str, tuple] = {}
for _chars, _names in (("`~", ("fence",)), (">", ("blockquote",)), ("*-", ("hr", "list")),
                       ("_", ("hr",)), ("+0123456789", ("list",)), ("#", ("heading",))):
    for _ch in _chars:
        _BY_FIRST[_ch] = tuple(fn for name, fn in _STARTERS if name in _names)
#: The same for the chain that ends a list item (markdown-it: fence, blockquote, hr).
_BY_FIRST_IN_LIST = {ch: tuple(fn for fn in fns if fn is not rules_block.list_block
                               and fn is not rules_block.heading)
                     for ch, fns in _BY_FIRST.items()}


def _starts(table: dict[str, tuple]):
    def rule(state: StateBlock, line: int, end_line: int, silent: bool) -> bool:
        pos = state.bMarks[line] + state.tShift[line]
        fns = table.get(state.src[pos:pos + 1])
        if fns:
            for fn in fns:
                if fn(state, line, end_line, silent):
                    return True
        return False
    return rule


def _block_parser() -> MarkdownIt:
    """markdown-it with block rules only, its block-start rules tried by first character.

    Indented code is switched off because page dumps indent prose; reference
    definitions and raw HTML blocks are not article text. markdown-it tries
    every block rule at every line (and every terminator rule at every
    paragraph line); on a page of 300 short blocks most of that is calling
    rules that reject the line's first character. Two dispatch rules call
    markdown-it's own rules only where the first character can start them:
    the tokens are exactly markdown-it's (tests/test_clean.py checks), in
    about three quarters of the time.
    """
    md = MarkdownIt("commonmark", {"maxNesting": 40}).disable(
        ["inline", "text_join", "code", "reference", "html_block"]
    )
    md.block.ruler.disable([name for name, _ in _STARTERS])
    md.block.ruler.before("lheading", "block_start", _starts(_BY_FIRST),
                          {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.before("lheading", "block_start_in_list", _starts(_BY_FIRST_IN_LIST),
                          {"alt": ["list"]})
    return md


#: The plain configuration, kept to check that the dispatch changes no token.
_MD_PLAIN = MarkdownIt("commonmark", {"maxNesting": 40}).disable(
    ["inline", "text_join", "code", "reference", "html_block"]
)
_MD = _block_parser()
_MD_INLINE = MarkdownIt("commonmark", {"maxNesting": 40}).disable(["entity", "html_inline"])


def txt_segments(text: str) -> list[Seg]:
    """Every non-empty line is a block, except in hard-wrapped text (see ``_unwrap``)."""
    return _unwrap(text, *_lines(text))


def _lines_py(text: str) -> tuple[list[Seg], int]:
    """Every non-empty line as a block, and how many are over 100 characters.

    The reference for the compiled ``_speedups.lines`` (used when it was
    built: the same blocks, about five times faster).

    A leading list bullet is left out of the block, which is marked ``list_item``.
    One regex scan finds every line's stripped extent (``\\S`` and
    ``str.strip`` agree on what whitespace is), so the per-line Python work is
    a tuple and, for lines starting like a bullet, one regex match.
    """
    segs: list[Seg] = []
    append = segs.append
    bullet = _BULLET.match
    long_lines = 0  # lines over 100 characters: page dumps are mostly these
    for m in _LINE.finditer(text):
        stripped = m.group()
        start, end = m.span()
        first = stripped[0]
        if first in _BULLET_FIRST or first.isdecimal():
            b = bullet(stripped)
            if b and len(stripped) > b.end():
                k = b.end()
                append((stripped[k:], start + k, end, "list_item", 0, 0))
                if end - start - k > 100:
                    long_lines += 1
                continue
        append((stripped, start, end, "line", 0, 0))
        if end - start > 100:
            long_lines += 1
    return segs, long_lines


def _compiled_lines():
    try:
        from tui.clean import _speedups
    except ImportError:
        return None
    return _speedups.lines


_lines = _compiled_lines() or _lines_py


def _unwrap(text: str, segs: list[Seg], long_lines: int) -> list[Seg]:
    """Join the lines of hard-wrapped paragraphs (plain text filled to ~60-80 columns).

    Page dumps put a whole paragraph on one line, so their lines are kept
    apart. A text counts as hard-wrapped when its lines are short (90 % are at
    most 100 characters) and at least three long lines run on into a line
    starting in lower case; then a line between 60 % and 115 % of the usual
    width that is directly followed by another line is joined with it.
    """
    n = len(segs)
    if n < 4 or long_lines >= n - int(n * 0.9):
        return segs  # the 90th-percentile line is over 100 characters (no sort needed)
    lengths = sorted([len(s[0]) for s in segs])
    width = lengths[int(len(lengths) * 0.9)]
    if width > 100:
        return segs
    # True when the line right above a block is a non-empty line (only
    # needed for the few texts that pass the width test)
    follows = [False] + [text.count("\n", segs[i - 1][2], segs[i][1]) == 1
                         for i in range(1, len(segs))]
    run_on = 0
    for i in range(1, len(segs)):
        nxt = segs[i][0]
        if follows[i] and len(segs[i - 1][0]) >= 40 and nxt[:1].islower() \
                and not nxt.startswith(("http:", "https:", "www.")):
            run_on += 1
    if run_on < 3:
        return segs
    out: list[Seg] = []
    cur = None
    for i, seg in enumerate(segs):
        joinable = (cur is not None and follows[i] and seg[3] == "line"
                    and 0.6 * width <= len(segs[i - 1][0]) <= 1.15 * width)
        if joinable:
            cur = (cur[0] + " " + seg[0], cur[1], seg[2], cur[3], 0, 0)
        else:
            if cur is not None:
                out.append(cur)
            cur = seg
    if cur is not None:
        out.append(cur)
    return out


def _line_starts(text: str) -> list[int]:
    """Offsets where each line starts, splitting like markdown-it (CRLF, CR, LF)."""
    if "\r" in text:
        starts = [0]
        starts.extend(m.end() for m in _NEWLINES.finditer(text))
        starts.append(len(text) + 1)
        return starts
    starts = [0]
    starts += accumulate([len(line) + 1 for line in text.split("\n")])
    starts[-1] = len(text) + 1  # past the last line, as above
    return starts


def _inline_text(content: str) -> tuple[str, int]:
    """Visible text of an inline run (syntax removed) and how much of it is link text."""
    if not _INLINE_SYNTAX.search(content):
        if "\n" not in content:
            return content.strip(), 0
        return " ".join(part.strip() for part in content.split("\n")), 0
    if not _INLINE_MARKUP.search(content):
        # only "&", "!" or hard breaks: with entities off and no "[" for an
        # image, the inline parser returns the text with its line breaks as
        # spaces, which the whitespace clean-up below gives directly
        return " ".join(content.split()), 0
    return _inline_parsed(content)


def _inline_parsed(content: str) -> tuple[str, int]:
    """``_inline_text`` by markdown-it's inline parser (the fast paths above must agree)."""
    tokens: list[Token] = []
    _MD_INLINE.inline.parse(content, _MD_INLINE, {}, tokens)
    parts: list[str] = []
    link_chars = 0
    depth = 0
    for tok in tokens:
        t = tok.type
        if t == "image":
            continue
        if t == "link_open":
            depth += 1
        elif t == "link_close":
            depth = max(0, depth - 1)
        elif t in ("text", "code_inline", "text_special"):
            parts.append(tok.content)
            if depth:
                link_chars += len(tok.content)
        elif t in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split()), link_chars


#: The token types md_segments acts on (any other type is skipped at once).
_TOKEN_CODES = {"list_item_open": 1, "list_item_close": 2, "blockquote_open": 3,
                "blockquote_close": 4, "heading_open": 5, "heading_close": 6,
                "inline": 7, "fence": 7}


def md_segments(text: str) -> list[Seg]:
    """Headings, paragraphs, list items and block quotes, each with its line span.

    The line scanner in ``mdscan`` gives the same blocks as markdown-it-py
    (``md_segments_reference``) several times faster; where it cannot be sure
    it hands the region, or the page, to markdown-it.
    """
    return _fast_md_segments(text)


#: Runs of two or more "*" or "_": Markdown's emphasis rules leave unpaired
#: ones as text ("work** Starry Night**", "country**** and", "**http://...",
#: "__Email" before an icon's label).
_MARKER_RUN = re.compile(r"[*_]{2,}")


def _stray(m: re.Match) -> str:
    """A marker run at a word's edge, or a lone "**"/"__", is debris; one inside a
    word ("f**k") or a longer lone run (a masked name: "Hello, ****!") is text."""
    text, i, j = m.string, m.start(), m.end()
    before = i > 0 and text[i - 1].isalnum()
    after = j < len(text) and text[j].isalnum()
    if before and after:
        return m.group(0)
    if before or after or j - i == 2:
        return " "
    return m.group(0)


def without_stray_emphasis(text: str) -> str:
    """A Markdown block's shown text without the emphasis markers the parser left.

    CommonMark only pairs a delimiter run that flanks a word the right way;
    the rest stays literal, so page dumps show "**" and "****" debris that a
    reader has no use for. ``clean_document`` takes it off the blocks it
    returns, after classification: the rules keep deciding on what the
    parser gave (the markers separate runs and tell menu lines apart), and
    the scanner and markdown-it-py still agree block for block. Only
    characters are removed, so the text is still a subsequence of its source
    lines; a block of nothing but markers stays as it is.
    """
    if "**" not in text and "__" not in text:
        return text
    tidy = _MARKER_RUN.sub(_stray, text)
    if tidy == text:
        return text
    return " ".join(tidy.split()) or text


def md_segments_reference(text: str) -> list[Seg]:
    """``md_segments`` by markdown-it-py alone: the reference the fast path must equal."""
    try:
        tokens = _MD.parse(text)
    except RecursionError:  # pathological nesting: fall back to lines
        return txt_segments(text)
    segs: list[Seg] = []
    _tokens_to_segs(tokens, text, _line_starts(text), 0, segs, "")
    return segs


def _tokens_to_segs(tokens: list[Token], text: str, starts: list[int], offset: int,
                    segs: list[Seg], marker: str) -> str:
    """Append the blocks of markdown-it ``tokens`` to ``segs``; returns the pending marker.

    ``offset`` is added to the tokens' line numbers (a region parsed on its
    own); ``marker`` is the "3." of an ordered list item whose first block
    was empty, which goes to the next block shown, even in the next region.
    """
    list_depth = 0
    quote_depth = 0
    heading_level = 0
    n_starts = len(starts)
    codes = _TOKEN_CODES
    for tok in tokens:
        code = codes.get(tok.type, 0)
        if not code:
            continue  # paragraphs and lists open and close: nothing to track
        if code == 1:
            list_depth += 1
            marker = f"{tok.info}{tok.markup}" if tok.info else ""
        elif code == 2:
            list_depth -= 1
            marker = ""  # an item that showed nothing: its number is not another block's
        elif code == 3:
            quote_depth += 1
        elif code == 4:
            quote_depth -= 1
        elif code == 5:
            heading_level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 1
        elif code == 6:
            heading_level = 0
        elif tok.map:
            t = tok.type
            if t == "inline":
                shown, links = _inline_text(tok.content)
            else:
                shown, links = " ".join(tok.content.split()), 0
            if not shown:
                continue
            begin, end_line = tok.map
            begin += offset
            end_line += offset
            start = starts[begin] if begin < n_starts else len(text)
            end = (starts[end_line] - 1) if end_line < n_starts else len(text)
            end = min(max(end, start), len(text))
            raw = text[start:end]
            start += len(raw) - len(raw.lstrip())
            end -= len(raw) - len(raw.rstrip())
            if marker:
                shown = f"{marker} {shown}"
                marker = ""
            if heading_level:
                kind, level = "heading", heading_level
            elif list_depth:
                kind, level = "list_item", 0
            elif quote_depth:
                kind, level = "blockquote", 0
            else:
                kind, level = "paragraph", 0
            segs.append((shown, start, max(start, end), kind, level, links))
    return marker


from tui.clean.mdscan import md_segments_fast as _fast_md_segments  # noqa: E402
