"""Synthetic news corpora of any size, built from the shared benchmark texts.

Used by bench/link_scale.py and bench/search.py. Deterministic (fixed seed).

Sentences come from ECB+ dev passages and the extraction-dev ground-truth
article bodies. A synthetic *event* takes a handful of sentences, each recombined from two
base sentences (head of one, tail of another), and gets its own made-up names (people, places) and numbers; several outlets
then report it, each article using some of the event's sentences, perturbed
(words dropped, words swapped in from the whole vocabulary, numbers changed)
and padded with unrelated sentences. So the corpus has the shape the linker
meets in practice: clusters of near-paraphrases across outlets, look-alike
events built from the same base sentences, and plenty of noise.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.sentences import split_sentences  # noqa: E402

_SYLLABLES = ["ka", "ro", "vel", "min", "dor", "sa", "lu", "tek", "ar", "no", "bel", "ti", "gra",
              "ven", "os", "mar", "ul", "zed", "qui", "han"]


def base_sentences(shared: Path) -> list[str]:
    bench = shared / "bench"
    out: list[str] = []
    for line in (bench / "ecb-dev" / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            out += [p["text"] for p in json.loads(line)["passages"]]
    truth = json.loads((bench / "extraction-dev" / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        body = truth[key]["articleBody"]
        out += [body[s:e] for s, e in split_sentences(body) if 40 <= e - s <= 400]
    return out


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _splice(first: str, second: str, rng: random.Random) -> str:
    """Recombine two base sentences: the head of one, the tail of the other."""
    a, b = first.split(), second.split()
    return " ".join(a[: rng.randint(1, max(1, len(a) - 1))] + b[rng.randint(1, max(1, len(b) - 1)):])


def _perturb(sentence: str, rng: random.Random, vocab: list[str], names: list[str],
             numbers: list[str]) -> str:
    words = sentence.split()
    out = []
    for w in words:
        r = rng.random()
        if r < 0.08:
            continue  # dropped
        if r < 0.16:
            out.append(rng.choice(vocab))  # replaced
            continue
        if re.fullmatch(r"\d[\d,.]*", w):
            out.append(rng.choice(numbers))
            continue
        out.append(w)
    # the event's cues, placed where a reporter would put them
    out.insert(rng.randint(0, len(out)), rng.choice(names))
    if rng.random() < 0.5:
        out.insert(rng.randint(0, len(out)), rng.choice(numbers))
    return " ".join(out)


def build(n_passages: int, shared: Path, seed: int = 20261123) -> list[dict]:
    """Docs ``{"id", "source", "passages": [{"id", "text"}]}`` with about n passages."""
    rng = random.Random(seed)
    pool = base_sentences(shared)
    vocab = sorted({w for s in pool for w in s.split() if w.isalpha() and len(w) > 3})
    outlets = [f"Outlet {i:03d}" for i in range(60)]
    docs: list[dict] = []
    total = 0
    event = 0
    while total < n_passages:
        event += 1
        names = [_name(rng) + " " + _name(rng) for _ in range(2)] + [_name(rng)]
        numbers = [str(rng.randint(2, 2030)) for _ in range(2)]
        core = [_splice(rng.choice(pool), rng.choice(pool), rng) for _ in range(rng.randint(3, 6))]
        for outlet in rng.sample(outlets, rng.randint(2, 6)):
            sentences = [_perturb(s, rng, vocab, names, numbers)
                         for s in core if rng.random() < 0.8]
            sentences += [_splice(rng.choice(pool), rng.choice(pool), rng)
                          for _ in range(rng.randint(1, 4))]  # unrelated material
            rng.shuffle(sentences)
            doc_id = f"e{event:06d}-{outlet[-3:]}"
            docs.append({"id": doc_id, "source": outlet,
                         "passages": [{"id": f"{doc_id}/{i}", "text": t}
                                      for i, t in enumerate(sentences)]})
            total += len(sentences)
            if total >= n_passages:
                break
    return docs


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    for doc in build(n, ROOT.parent / "shared"):
        print(json.dumps(doc, ensure_ascii=False))
