"""The Markdown fast path (tui/clean/mdscan.py) must give exactly markdown-it's blocks.

``segment.md_segments_reference`` is markdown-it-py alone; ``md_segments``
goes through the line scanner. They are compared tuple for tuple on the dev
pages, the seeds, random page-dump-like Markdown and the inputs that must
fall back. Set MDSCAN_EXAMPLES to run the property tests longer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.clean import mdscan, segment

DEV = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction-dev"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
EXAMPLES = int(os.environ.get("MDSCAN_EXAMPLES", "300"))


def _same(text: str) -> None:
    assert segment.md_segments(text) == segment.md_segments_reference(text)


def _pages() -> list[Path]:
    return sorted(DEV.glob("*.md")) + sorted(SEEDS.glob("*"))


@pytest.mark.skipif(not DEV.is_dir(), reason="dev pages not present")
def test_dev_pages_and_seeds_equal_reference():
    pages = _pages()
    assert len(pages) >= 50
    for path in pages:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert segment.md_segments(text) == segment.md_segments_reference(text), path.name


@pytest.mark.skipif(not DEV.is_dir(), reason="dev pages not present")
def test_most_dev_pages_take_the_fast_path():
    """The gain only counts if real pages are read by the scanner, not handed back."""
    whole = 0
    fast = slow = 0
    for path in sorted(DEV.glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not mdscan._page_supported(text):
            continue
        whole += 1
        scanner = mdscan._Scanner(text)
        scanner.run()
        fast += scanner.fast_blocks
        slow += scanner.slow_blocks
    assert whole >= 45
    assert fast >= 20 * slow


# -- random page-dump Markdown -------------------------------------------------

_PREFIXES = ["", "", "", " ", "  ", "   ", "    ", "      ", "* ", "- ", "+ ", "1. ", "2) ",
             "10. ", "0. ", "  * ", "    * ", "   - ", "*   * ", "  *     * ", "- - ", "* ",
             "> ", ">", "> > ", "> * ", "> 1. ", ">  ", "  > ", ">>", "> # ", "# ", "## ",
             "###### ", "####### ", "#", "-", "*", "1.", "  -  ", "-    ", "1234567890. ",
             "\\* "]
_WHOLE_LINES = ["===", "---", "***", "* * *", "___", "- - -", "  ---  ", "= =", "--", "-- x",
                "#", "# #", "## title ##", "#  ", "  ", " ", "", "*", "-", "1.", "2.", "+", ">"]
_WORDS = ["word", "News", "the", "é", "中文", "日本語", "Ünïcode", "\u00a0", "\u3000", "x",
          "**bold**", "*em*", "_em_", "__", "____", "**", "*", "_", "***strong em***",
          "**a*b**", "_a_b_", "a_b_c", "2*3*4", "*foo bar *", "** x **", "__init__",
          "\\-", "\\*", "\\_", "\\", "\\a", "\\\\", "[x]", "[", "]", "[a](b)", "[a] (b)",
          "![i](s)", "[a](b \"t\")", "`code`", "``", "<http://x.y>", "<b>", "&amp;", "&",
          "!", "#", " #", "(", ")", "**Rating:**", "_Follow_ _us_", "(@x)__and_",
          "\u2019s", "“q”", "-", "1.", "—", "…", ";", "*_*", "_*_", "a**b", "**a**b", "~"]
_BREAKS = ["\n", "\n", "\n", "\n\n", "\n\n", "\n   \n", "  \n", "\n\n\n"]
#: What sends a whole page to markdown-it: drawn into one example in five.
_ODD = ["\t", "*\t", "\r\n", "\r", "```", "~~~", "``` py", "\x00"]


@st.composite
def _markdownish(draw) -> str:
    parts: list[str] = []
    odd = draw(st.integers(0, 4)) == 0
    for _ in range(draw(st.integers(1, 14))):
        if draw(st.integers(0, 5)) == 0:
            parts.append(draw(st.sampled_from(_WHOLE_LINES)))
        else:
            words = draw(st.lists(st.sampled_from(_WORDS), min_size=0, max_size=6))
            seps = draw(st.lists(st.sampled_from([" ", " ", "", "  "]),
                                 min_size=len(words), max_size=len(words)))
            body = "".join(w + s for w, s in zip(words, seps, strict=True))
            parts.append(draw(st.sampled_from(_PREFIXES)) + body)
        if odd and draw(st.integers(0, 3)) == 0:
            parts.append(draw(st.sampled_from(_ODD)))
        parts.append(draw(st.sampled_from(_BREAKS)))
    if draw(st.booleans()):
        parts.pop()
    return "".join(parts)


_NESTED_LINE = st.tuples(
    st.integers(0, 9),
    st.lists(st.sampled_from(["* ", "- ", "+ ", "1. ", "2) ", "> ", ">", "# ", "  ", "*", "-",
                              "10. ", "1.", "- - ", "***", "---", "===", "__", "> > "]),
             max_size=3),
    st.sampled_from(["", "word", "a b", "**b**", "_e_", "x*y*", "\\*", "é中", "text  ", "#",
                     "[a]", "1. x", "-", "=", "\u00a0", "\x0c", "a\u2028b"]),
).map(lambda t: " " * t[0] + "".join(t[1]) + t[2])
#: Nested lists and quotes at every indent, the scanner's hardest part.
_NESTED = st.lists(st.tuples(_NESTED_LINE, st.sampled_from(["\n", "\n", "\n\n", "\n \n"])),
                   min_size=1, max_size=25).map(lambda xs: "".join(a + b for a, b in xs))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_NESTED)
def test_nested_lists_and_quotes_equal_reference(text):
    _same(text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_markdownish())
def test_random_markdown_equals_reference(text):
    _same(text)


@st.composite
def _inline(draw) -> str:
    pieces = st.sampled_from(["*", "**", "***", "_", "__", "a", "b c", " ", "\n", "\\", "\\*", "~", "&",
                              "\\_", "é", ".", ",", "(", ")", "[", "]", "!", "-", "“", "中",
                              "\u00a0", "  \n", "\\\n", "_a_", "*a*", "x_y", "\U0001d400"])
    return "".join(draw(st.lists(pieces, min_size=1, max_size=14)))


@settings(max_examples=EXAMPLES, deadline=None)
@given(_inline())
def test_emphasis_stripper_equals_inline_parser(content):
    assert mdscan.inline_text(content) == segment._inline_text(content)
    if not ("`" in content or "<" in content or "](" in content):
        shown = " ".join(mdscan._strip_emphasis(content).split())
        assert (shown, 0) == segment._inline_parsed(content)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(alphabet=" \n*_-+#>1.)`~[]()\\\tab\r", max_size=40))
def test_any_text_equals_reference(text):
    _same(text)


# -- what falls back, and that it still agrees ----------------------------------

@pytest.mark.parametrize("text", [
    "a\tb\n\n* item",              # tab: markdown-it expands it
    "line one\r\nline two\r\n",    # CR: markdown-it normalises it
    "a\0b",                        # NUL: markdown-it replaces it
    "```\ncode\n```\n\npara",      # code fence
    "~~~\ncode",                   # unclosed fence runs to the end
])
def test_pages_the_scanner_does_not_read(text):
    assert not mdscan._page_supported(text)
    _same(text)


def test_block_quote_region_goes_to_markdown_it():
    text = ("# Title\n\nFirst paragraph.\n\n> quoted\nlazy line\n\n  * still in reach\n\n"
            "After the quote.\n\n* a\n* b\n")
    scanner = mdscan._Scanner(text)
    segs = scanner.run()
    assert scanner.slow_blocks == 1
    assert scanner.fast_blocks == 4  # heading, paragraph, paragraph, list
    assert segs == segment.md_segments_reference(text)
    assert [s[3] for s in segs] == ["heading", "paragraph", "blockquote", "list_item",
                                    "paragraph", "list_item", "list_item"]


def test_block_quote_inside_a_list_item():
    text = "* a\n\n  > quoted\n\n* b\n\nend\n"
    scanner = mdscan._Scanner(text)
    assert scanner.run() == segment.md_segments_reference(text)
    assert scanner.slow_blocks == 1


def test_deep_nesting_goes_to_markdown_it():
    text = "* " * 30 + "deep\n\npara\n"
    scanner = mdscan._Scanner(text)
    with pytest.raises(mdscan._WholePage):
        scanner.run()
    _same(text)
    nested = "".join("  " * i + "* level\n" for i in range(14))
    _same(nested)


def test_an_empty_items_number_stays_with_it():
    """An ordered item that shows nothing (only an image) drops its number.

    It used to be shown with the next block, outside the list, whose source
    does not contain it (hypothesis found "0.\\n0" -> "0. 0").
    """
    text = "1. ![only an image](x.png)\n\nNext paragraph\n"
    _same(text)
    assert segment.md_segments(text)[0][0] == "Next paragraph"
    _same("0.\n0")
    assert segment.md_segments("0.\n0") == [("0", 3, 4, "paragraph", 0, 0)]
    assert segment.md_segments("1.\n2. two")[0][0] == "2. two"


def test_links_and_code_use_the_inline_parser():
    for content in ("see [the story](http://x.y/z) now", "`code *x*`", "<http://a.b>"):
        assert mdscan.inline_text(content) == segment._inline_parsed(content)
    assert mdscan.inline_text("[a](b) c")[1] == 1


def test_emphasis_cases():
    cases = {"**Rating:** 6 Votes": "Rating: 6 Votes", "__": "__", "__ Twitter": "__ Twitter",
             "_Follow_ _us_": "Follow us", "\\- Football": "- Football",
             "***a** b*": "a b", "a_b_c": "a_b_c", "2*3*4": "234"}
    for content, shown in cases.items():
        assert mdscan.inline_text(content) == (shown, 0)
        assert segment._inline_parsed(content) == (shown, 0)


def test_simple_block_quote_is_scanned():
    """Quote lines all starting with ">" are read by a scanner of their own."""
    text = ("Intro line\n> # Quoted heading\n> * item one\n> 2. item two\n>\n> quoted para\n"
            ">  more\n\nAfter\n")
    scanner = mdscan._Scanner(text)
    segs = scanner.run()
    assert scanner.slow_blocks == 0
    assert segs == segment.md_segments_reference(text)
    assert [s[3] for s in segs] == ["paragraph", "heading", "list_item", "list_item",
                                    "blockquote", "paragraph"]
    assert segs[3][0] == "2. item two"
