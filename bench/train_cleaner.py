#!/usr/bin/env python3
"""Train the cleaner's learned scorer on the dev pages and report held-out figures.

The rules in tui/clean/classify.py decide every block; the blocks they decide
with the generic prose/shape rules (not a lexicon, title, duplicate or
end-of-article rule) get a second opinion from a logistic regression over
the block's shape, its rule decision and its context (tui.clean.classify.FEATURES).

Labels come from the dev ground truth: a block is article text when most of
its word 4-grams (or, for blocks under four words, its words in order) occur
in the page's hand-checked body. Examples are weighted by word count, since
the benchmark scores words, not blocks.

Held-out figures: 5-fold cross-validation by page (a page's .txt and .md are
always in the same fold), scored with the shared scorer exactly like
bench/extraction.py, next to the rules alone on the same pages. The final
weights are fitted on all 50 pages and written to tui/clean/weights.json.

Usage:
  .venv/bin/python bench/train_cleaner.py            # CV report + write weights
  .venv/bin/python bench/train_cleaner.py --no-write # CV report only
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import extraction  # noqa: E402

from tui.clean import body_text, clean_document  # noqa: E402

C = importlib.import_module("tui.clean.classify")
WORD = re.compile(r"\w+")
FOLDS = 5
L2 = 1.0
THRESHOLD = 0.6


def shingles(words: list[str], n: int = 4) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1)) if words[i:i + n]}


def label(text: str, gold_sh: set, gold_joined: str) -> float:
    words = WORD.findall(text)
    if not words:
        return 0.0
    if len(words) < 4:
        return float(f" {' '.join(words)} " in gold_joined)
    sh = shingles(words)
    return float(sum(s in gold_sh for s in sh) / len(sh) >= 0.5)


def collect(truth: dict, pages: dict, ids: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Feature rows, labels, weights and page ids of the generic blocks of ``ids`` (txt and md)."""
    X, y, w, owner = [], [], [], []
    saved = C.MODEL
    C.MODEL = None
    try:
        for pid in ids:
            gold_words = WORD.findall(truth[pid]["articleBody"])
            gold_sh = shingles(gold_words)
            joined = f" {' '.join(gold_words)} "
            for fmt in ("txt", "md"):
                C.COLLECT = []
                clean_document(pages[pid][fmt], fmt)
                for x, text in C.COLLECT:
                    X.append(x)
                    y.append(label(text, gold_sh, joined))
                    w.append(min(100.0, max(1.0, len(WORD.findall(text)))))
                    owner.append(pid)
    finally:
        C.COLLECT = None
        C.MODEL = saved
    return np.array(X), np.array(y), np.array(w), owner


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted L2 logistic regression by Newton's method (a few iterations suffice)."""
    beta = np.zeros(X.shape[1])
    reg = L2 * np.eye(X.shape[1])
    reg[0, 0] = 0.0  # no penalty on the bias
    wn = w / w.mean()
    for _ in range(25):
        p = 1.0 / (1.0 + np.exp(-np.clip(X @ beta, -30, 30)))
        grad = X.T @ (wn * (p - y)) + reg @ beta
        hess = (X * (wn * p * (1 - p))[:, None]).T @ X + reg
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return beta


def model_dict(beta: np.ndarray) -> dict:
    return {"features": list(C.FEATURES), "weights": [round(float(v), 6) for v in beta],
            "threshold": THRESHOLD}


def score_pages(truth: dict, pages: dict, ids: list[str], fmt: str, model: dict | None, scorer) -> dict:
    saved = C.MODEL
    C.MODEL = model
    try:
        preds = {pid: {"articleBody": body_text(clean_document(pages[pid][fmt], fmt))} for pid in ids}
    finally:
        C.MODEL = saved
    return scorer.score({pid: truth[pid] for pid in ids}, preds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    scorer = extraction.load_scorer()
    truth, pages = extraction.load_pages()
    ids = sorted(truth)
    folds = [ids[k::FOLDS] for k in range(FOLDS)]
    X, y, w, owner = collect(truth, pages, ids)
    owner_arr = np.array(owner)
    print(f"{len(y)} generic blocks from {len(ids)} pages x 2 formats, {y.mean():.2f} article text")
    held: dict[str, list] = {"txt": [], "md": []}
    rules: dict[str, list] = {"txt": [], "md": []}
    for k, test in enumerate(folds):
        train_mask = ~np.isin(owner_arr, test)
        beta = fit(X[train_mask], y[train_mask], w[train_mask])
        for fmt in ("txt", "md"):
            held[fmt].append((len(test), score_pages(truth, pages, test, fmt, model_dict(beta), scorer)))
            rules[fmt].append((len(test), score_pages(truth, pages, test, fmt, None, scorer)))
        print(f"fold {k + 1}: trained on {int(train_mask.sum())} blocks")

    def pooled(results: list) -> tuple[float, float, float]:
        # page-weighted means of per-fold precision/recall, F1 from the means (as the scorer does)
        n = sum(c for c, _ in results)
        p = sum(c * m["precision"] for c, m in results) / n
        r = sum(c * m["recall"] for c, m in results) / n
        return p, r, 2 * p * r / (p + r) if p + r else 0.0

    print(f"\n{FOLDS}-fold cross-validation by page ({time.strftime('%Y-%m-%d')}):\n")
    print("| input | method | precision | recall | F1 |")
    print("| --- | --- | --- | --- | --- |")
    for fmt in ("txt", "md"):
        for name, res in (("rules only", rules[fmt]), ("rules + learned scorer (held out)", held[fmt])):
            p, r, f = pooled(res)
            print(f"| .{fmt} | {name} | {p:.3f} | {r:.3f} | {f:.3f} |")
    beta = fit(X, y, w)
    print("\nweights (all pages):")
    for name, v in zip(C.FEATURES, beta, strict=True):
        print(f"  {name:14} {v:+.3f}")
    if not args.no_write:
        out = ROOT / "tui" / "clean" / "weights.json"
        data = model_dict(beta)
        data["trained_on"] = "../shared/bench/extraction-dev (50 pages, .txt and .md)"
        data["cv"] = {fmt: dict(zip(("precision", "recall", "f1"),
                                    [round(v, 3) for v in pooled(held[fmt])], strict=True))
                      for fmt in ("txt", "md")}
        out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
