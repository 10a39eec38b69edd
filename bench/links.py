#!/usr/bin/env python3
"""Cross-outlet linking quality on ECB+ dev (file mode), scored by the shared scorer.

Usage: .venv/bin/python bench/links.py [--shared ../shared]

1. Runs `parallax links --jsonl docs.jsonl` exactly as a user would (default
   threshold, no flags) and scores it with ../shared/bench/score_links.py.
2. Robustness: splits the dev topics into two halves; on each half picks
   the best threshold and k from a small grid, then reports that setting
   (and the defaults) on the *other* half. A linker fitted to its dev data
   would lose a lot between the two.
3. Prints the direct links (`--direct`) figures too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.link import Params, link_passages, read_docs  # noqa: E402

GRID_THRESHOLD = (0.06, 0.07, 0.08, 0.09, 0.10, 0.12)
GRID_K = (10, 15, 20)


def load_score(bench: Path):
    sys.path.insert(0, str(bench))
    from score_links import score  # type: ignore[import-not-found]

    return score


def topic(pid: str) -> str:
    return pid.split("_", 1)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    bench = Path(args.shared) / "bench"
    docs, gold_path = bench / "ecb-dev" / "docs.jsonl", bench / "ecb-dev" / "gold.jsonl"
    gold = [json.loads(x) for x in gold_path.read_text(encoding="utf-8").splitlines() if x.strip()]
    score = load_score(bench)

    # 1. the CLI, as a user runs it, scored by the official script
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        t0 = time.perf_counter()
        with pred.open("w", encoding="utf-8") as fh:
            subprocess.run([sys.executable, "-m", "tui", "links", "--jsonl", str(docs)],
                           stdout=fh, check=True, cwd=ROOT, env=dict(os.environ))
        elapsed = time.perf_counter() - t0
        out = subprocess.run([sys.executable, str(bench / "score_links.py"), str(docs),
                              str(gold_path), str(pred)], capture_output=True, text=True, check=True)
    print(f"== parallax links --jsonl ecb-dev/docs.jsonl (defaults: {Params()}) in {elapsed:.2f} s")
    print(out.stdout.strip())

    passages = read_docs(docs)
    topics = sorted({topic(p.id) for p in passages}, key=int)
    half_a, half_b = set(topics[::2]), set(topics[1::2])

    def run(params: Params, keep: set[str] | None, direct: bool = False) -> dict:
        sel = [p for p in passages if keep is None or topic(p.id) in keep]
        g = [r for r in gold if keep is None or topic(r["a"]) in keep]
        res = link_passages(sel, params, with_pairs=not direct)
        rows = [{"a": lk.a, "b": lk.b, "score": lk.score}
                for lk in (res.links if direct else res.pairs)]
        return score(g, rows)

    def fmt(m: dict) -> str:
        return (f"F1 {m['f1']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  "
                f"look-alike {m['lookalike_rate']:.3f}  hit@1 {m['hit_at_1']:.3f}")

    print("\n== direct links only (--direct), defaults")
    print(fmt(run(Params(), None, direct=True)))

    print(f"\n== robustness: halves of the dev topics  A={sorted(half_a, key=int)}  "
          f"B={sorted(half_b, key=int)}")
    for name, keep in (("A", half_a), ("B", half_b)):
        print(f"defaults on {name}: {fmt(run(Params(), keep))}")
    for tune_name, tune, test_name, test in (("A", half_a, "B", half_b), ("B", half_b, "A", half_a)):
        best = max((run(Params(threshold=t, k=k), tune)["f1"], -t, k)
                    for t in GRID_THRESHOLD for k in GRID_K)
        t, k = -best[1], best[2]
        print(f"tuned on {tune_name} (threshold={t}, k={k}, F1 there {best[0]:.3f}) -> "
              f"on {test_name}: {fmt(run(Params(threshold=t, k=k), test))}")

    print("\n== threshold sweep (all topics, k default)")
    for t in GRID_THRESHOLD:
        print(f"threshold {t:.2f}: {fmt(run(Params(threshold=t), None))}")


if __name__ == "__main__":
    main()
