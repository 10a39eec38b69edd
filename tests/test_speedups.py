"""The compiled scans (tui/clean/_speedups.c) give exactly what their Python references give.

The C module is optional: without a compiler tui.clean runs the Python
references. So every function here is checked against its reference on
arbitrary text, and the whole cleaner is checked to decide the same with
either, on the seeds and (when ../shared is there) the dev pages.
"""

from __future__ import annotations

import importlib
import shutil
import sysconfig
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SEEDS, SHARED
from tui.clean import body_text, clean_document, lexicon, segment

classify = importlib.import_module("tui.clean.classify")  # the module, not the function

try:
    from tui.clean import _speedups
except ImportError:  # not built: the references are the only path (see test_built_when_a_compiler_is_there)
    _speedups = None

needs_c = pytest.mark.skipif(_speedups is None, reason="tui/clean/_speedups was not built")
MANY = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Characters the scans treat specially, plus some of every class:
#: spaces of several kinds, newlines, bullets, digits of other scripts, word
#: characters outside ASCII, a lone surrogate.
_SPECIAL = list(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000*•·‣▪◦+-.)_1234567890٣३é©ßİΣσфото"
                "\ud800")
_chars = st.one_of(st.sampled_from(_SPECIAL), st.characters())
_texts = st.text(alphabet=_chars, max_size=80)


def test_built_when_a_compiler_is_there() -> None:
    """A silent fallback would make cleaning slower with no test failing: an
    install on a machine with a C compiler and Python headers must build it."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    headers = Path(sysconfig.get_paths()["include"], "Python.h").exists()
    if not (compiler and headers):
        pytest.skip("no C compiler or Python headers: the Python references are used")
    assert _speedups is not None, (
        "tui/clean/_speedups.c is not built: run `pip install -e .` again (make setup) "
        "and read the compiler's error")
    built = Path(_speedups.__file__).stat().st_mtime
    source = (ROOT / "tui" / "clean" / "_speedups.c").stat().st_mtime
    assert built >= source, "tui/clean/_speedups.c changed since it was built: run `pip install -e .`"


@needs_c
@MANY
@given(lines=st.lists(st.one_of(_texts, st.sampled_from(
    ["the cat and the dog", "Der Hund und die Katze", "l'été où il a plu", "don't_stop 123",
     "a" * 30, "über alles", "ΣΊΣΥΦΟΣ", "ﬁne", "x" * 100])), max_size=20),
       min_chars=st.integers(0, 14))
@example(lines=["İstanbul is the city of the"], min_chars=0)
def test_word_counts_match_the_reference(lines: list[str], min_chars: int) -> None:
    lowers = [line.lower() for line in lines]
    # the reference takes lower-cased lines (its ASCII shortcut has no A-Z)
    assert _speedups.word_counts(lowers, min_chars) == classify._word_counts_py(lowers, min_chars)


@needs_c
@MANY
@given(text=st.lists(st.one_of(st.sampled_from(_SPECIAL + ["12. ", "1) ", "1234. ", "- ", "\n* x"]),
                               st.characters()), max_size=60).map("".join))
@example(text="  * item\n1. one\n12) two\n1234. no\n-\n- \n•x\n* \t y  \n")
@example(text="a\rb\n\x85c \u2028 d\n")
def test_lines_match_the_reference(text: str) -> None:
    assert _speedups.lines(text) == segment._lines_py(text)


@needs_c
@MANY
@given(lines=st.lists(st.one_of(
    _texts,
    st.lists(st.sampled_from(sorted(lexicon.STEM_BITS) + [" ", "x", "é", "\n"]), max_size=6).map("".join),
    st.sampled_from(["x" * 199 + ")", "x" * 200 + ")", "read more ©", "фото: ап"])), max_size=20),
       max_chars=st.sampled_from([0, 5, 200]))
def test_stem_flags_match_the_reference(lines: list[str], max_chars: int) -> None:
    lowers = [line.lower() for line in lines]
    assert _speedups.stem_flags(lowers, max_chars) == classify._stem_flags_py(lowers, max_chars)


_PLAIN_ARGS = (classify._PLAIN_WORDS, classify._TRAILING, classify._BYLINE_STARTS, "logo")


@needs_c
@MANY
@given(lines=st.lists(st.one_of(
    _texts,
    st.sampled_from(sorted(classify._PLAIN_WORDS)).map(lambda w: f"_ {w} ..."),
    st.builds("".join, st.lists(st.sampled_from(list(classify._TRAILING) + ["share", "x", "by ", "logo", "٣"]),
                                max_size=6)),
    st.sampled_from(["advertisement", "» more »", "site logo", "by jane doe", "door", "von",
                     "2 min read", "", "…", "x" * 300])), max_size=20))
def test_plain_flags_match_the_reference(lines: list[str]) -> None:
    lowers = [line.lower() for line in lines]
    assert _speedups.plain_flags(lowers, *_PLAIN_ARGS) == classify._plain_flags_py(lowers, *_PLAIN_ARGS)


@given(text=st.text(alphabet=_chars, min_size=1, max_size=classify.COUNT_FROM - 1), links=st.integers(0, 3))
@example(text="İİİİİİ", links=0)
def test_short_blocks_get_the_prose_class_of_the_rules(text: str, links: int) -> None:
    """W sets the class of a block under COUNT_FROM characters without calling _prose_class."""
    block = classify.W((text, 0, len(text), "line", 0, links), text.lower(), 0, 0)
    assert block.cls == classify._prose_class(block)


def _pages() -> list[tuple[str, str]]:
    pages = [(p.read_text(encoding="utf-8"), "txt") for p in sorted(SEEDS.iterdir())]
    dev = SHARED / "bench" / "extraction-dev"
    if dev.is_dir():
        pages += [(p.read_text(encoding="utf-8", errors="replace"), p.suffix[1:])
                  for p in sorted(dev.glob("*.txt"))[:20] + sorted(dev.glob("*.md"))[:20]]
    return pages


@needs_c
def test_the_cleaner_decides_the_same_without_the_compiled_scans(monkeypatch) -> None:
    pages = _pages()

    def decisions() -> list:
        out = []
        for text, fmt in pages:
            result = clean_document(text, fmt)
            out.append(([(b.start, b.end, b.kind, b.keep, b.reason) for b in result.blocks],
                        result.meta, body_text(result)))
        return out

    compiled = decisions()
    monkeypatch.setattr(classify, "_word_counts", classify._word_counts_py)
    monkeypatch.setattr(classify, "_stem_flags", classify._stem_flags_py)
    monkeypatch.setattr(classify, "_plain_flags", classify._plain_flags_py)
    monkeypatch.setattr(segment, "_lines", segment._lines_py)
    assert decisions() == compiled


@needs_c
def test_bad_arguments_raise_type_errors_not_crashes() -> None:
    with pytest.raises(TypeError):
        _speedups.word_counts(["ok", 3], 0)
    with pytest.raises(TypeError):
        _speedups.lines(b"bytes")
    with pytest.raises(TypeError):
        _speedups.stem_flags(("a tuple",), 10)
    with pytest.raises(TypeError):
        _speedups.plain_flags(["ok"], ["not a set"], "", (), "logo")
    with pytest.raises(TypeError):
        _speedups.plain_flags(["ok"], frozenset(), "", ("by ", 3), "logo")
