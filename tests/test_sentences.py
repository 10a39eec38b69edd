"""Sentence splitting on the hard cases of news text, with exact offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.sentences import _with_syntok, split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Putin on Sept. 30 announced the annexation. Kyiv refused.",
            ["Putin on Sept. 30 announced the annexation.", "Kyiv refused."],
        ),
        (
            "The U.S. and the U.K. agreed. Talks resume Monday.",
            ["The U.S. and the U.K. agreed.", "Talks resume Monday."],
        ),
        ("Dr. Smith met Gen. Milley. They spoke.", ["Dr. Smith met Gen. Milley.", "They spoke."]),
        (
            "J. R. R. Tolkien wrote it in Washington, D.C. on Monday. Then he left.",
            ["J. R. R. Tolkien wrote it in Washington, D.C. on Monday.", "Then he left."],
        ),
        (
            '"We are reasonable people," he said. "We go." She agreed.',
            ['"We are reasonable people," he said.', '"We go."', "She agreed."],
        ),
        ("It cost $3.5 billion. Prices rose 2.5%.", ["It cost $3.5 billion.", "Prices rose 2.5%."]),
        ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
        ("Is it over? Yes! Done.", ["Is it over?", "Yes!", "Done."]),
    ],
)
def test_hard_cases(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_offsets_are_trimmed_and_ordered() -> None:
    text = "  First one.   Second one.  "
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second one."]
    assert spans == sorted(spans)


def test_blank_text_has_no_sentences() -> None:
    assert split_sentences("   \n ") == []


@given(st.text(max_size=300))
def test_spans_cover_every_visible_character(text: str) -> None:
    """No character an annotator could want to select falls outside a passage."""
    spans = split_sentences(text)
    covered = set()
    prev = 0
    for a, b in spans:
        assert prev <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        covered.update(range(a, b))
        prev = b
    for i, ch in enumerate(text):
        if not ch.isspace():
            assert i in covered, (i, ch)


_PIECES = list("ab Z9,:;-—–'\"“”’\t_#*@&%$/|+=<>~`^.!?()[]{}\n…") + [
    "Mr", "U.S", "Dr", "word", "  ", "\u00a0", "é", "ß", "İ", "\u200b", "١", "Σ", "。", "\x1c", "\u2028"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_blocks_without_split_characters_skip_syntok_with_the_same_spans(parts: list[str]) -> None:
    """The one-sentence shortcut must give what syntok gives (menus, headlines, links)."""
    text = "".join(parts)
    assert split_sentences(text) == (_with_syntok(text) if text.strip() else [])


_WORDS = ["The", "minister", "said", "U", "S", "Mr", "9", "2.5", "é", "—", ",", ":", "'", "\"", "“", "-", "Kyiv"]
_CLOSERS = list(".!?;)]}…\"'”’»›。！？") + ["...", "?!", ".)", ".”", "!'"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12),
       st.lists(st.sampled_from(_CLOSERS), max_size=4), st.sampled_from(["", " ", "  \n"]))
def test_a_closing_run_alone_skips_syntok_with_the_same_spans(words: list[str], closers: list[str],
                                                             pad: str) -> None:
    """A sentence whose only split characters end it ("... he said.”") is one
    sentence without syntok, exactly as syntok would have it."""
    text = pad + " ".join(words) + "".join(closers) + pad
    assert split_sentences(text) == (_with_syntok(text) if text.strip() else [])


_TOKENS = ["The", "minister", "Kyiv", "NATO", "said", "it", "Mr", "mr", "Dr", "etc", "approx", "Inc", "Jan",
           "Sept", "en", "mar", "Mar", "II", "IV", "X", "I", "A", "a", "No", "no", "NO", "2008", "5", "3.5",
           "1,000", "U.S", "O'Brien", "Zelensky’s", "pro-Russian", "Théâtre", "Éric", "e.g", "1990s", "F-16",
           "McDonald", "However", "So", "x2", "Apple2", "_x", "noInc", "bMr", "iPhone", "2B", "\u200bKyiv", "“Kyiv", '"The', "“we", "‘Yes",
           "сказал", "Москва", "МосКва", "北京", "東京都", "Αθήνα", "ΝΑΤΟ", "القدس", "नमस्ते", "ǅemal", "ß", "İstanbul", "—", ",", ":", "(", ")", '"', "”", "'"]
_GLUE = [" ", " ", " ", ". ", ". ", ".  ", "! ", "? ", "; ", "... ", ".\n", ".", "\t", ".) ", '." ']


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TOKENS), st.sampled_from(_GLUE)), min_size=1, max_size=16),
       st.sampled_from(["", ".", "!", ".”", "?)"]))
def test_plain_full_stops_split_without_syntok_as_syntok_does(parts: list[tuple[str, str]], end: str) -> None:
    """News prose: words, abbreviations, months, numerals, names and stops
    mixed; whatever ``split_sentences`` splits without syntok, it splits as
    syntok does."""
    text = "".join(w + g for w, g in parts) + end
    assert split_sentences(text) == (_with_syntok(text) if text.strip() else [])


def test_plain_full_stops_split_and_doubtful_ones_go_to_syntok() -> None:
    assert sentences("Kyiv said so on Friday. Russia annexed four regions. NATO met.") == [
        "Kyiv said so on Friday.", "Russia annexed four regions.", "NATO met."]
    assert sentences("He met Mr. Smith in Jan. He left.") == ["He met Mr. Smith in Jan.", "He left."]
    assert sentences("The U.S. Army came. It left.") == ["The U.S. Army came.", "It left."]


def test_a_closing_run_alone_is_one_sentence_and_an_inner_stop_is_not() -> None:
    assert sentences("Kyiv said on Friday it would apply.”") == ["Kyiv said on Friday it would apply.”"]
    assert sentences("It would apply. Kyiv said so.") == ["It would apply.", "Kyiv said so."]
    assert sentences("(AP) Kyiv said so.") == ["(AP) Kyiv said so."]


def test_a_menu_line_is_one_sentence_without_syntok() -> None:
    assert split_sentences("  World News | Politics — Live  ") == [(2, 30)]
