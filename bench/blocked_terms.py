"""How fast the rule layers read short texts, on one core.

Baseline, measured in the same run on the same texts: folding case and splitting into words
(`str.casefold().split()`), the least any word filter does. Reported: texts per second for the
baseline, the term layer alone and the whole screen (terms, notations and split letters, and
the 24 language tables), the ratios, and per-text latency percentiles. A quarter of the texts
are labelled samples (English sets and the multilingual set), the rest random innocent ones.

Usage: .venv/bin/python -m bench.blocked_terms [--texts N]
"""

import argparse
import random
import statistics
import time
from importlib import resources

from application.safety import evaluation
from application.safety.blocked_terms import BlockedTermFilter, shipped_terms
from application.safety.screen import Screen
from application.safety.tables.matcher import load_tables
from tools.filter_eval import HELD_OUT, MEANING_PARTS, TUNING, load

WORDS = ("loves", "hiking", "jazz", "warm", "witty", "coffee", "Lisbon", "astronomy", "books",
         "chess", "sunsets", "kind", "curious", "runner", "painter", "tea", "and", "the", "a")


def corpus(n: int) -> list[str]:
    """Persona-field-sized texts: the labelled samples, and random innocent sentences."""
    rng = random.Random(7)
    labelled = [text for _, text in load(TUNING) + load(HELD_OUT)] + [
        row.text for part in MEANING_PARTS for row in evaluation.parse(
            resources.files("application.safety").joinpath(part).read_text())]
    texts = []
    for i in range(n):
        if i % 4 == 0:
            texts.append(labelled[i % len(labelled)])
        else:
            texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))))
    return texts


def rate(func, texts: list[str]) -> tuple[float, list[float]]:
    latencies = []
    started = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        func(text)
        latencies.append(time.perf_counter() - t0)
    return len(texts) / (time.perf_counter() - started), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=60_000)
    args = parser.parse_args()
    texts = corpus(args.texts)
    check = BlockedTermFilter(shipped_terms())
    screen = Screen(check, load_tables())
    screen.check({"warm-up": "warm up the caches"})
    base, _ = rate(lambda t: t.casefold().split(), texts)
    filtered, latencies = rate(lambda t: check.find({"text": t}), texts)
    screened, screen_latencies = rate(lambda t: screen.check({"text": t}), texts)
    print(f"texts: {len(texts):,} (mean {statistics.mean(len(t) for t in texts):.0f} chars)")
    print(f"baseline casefold+split: {base:,.0f} texts/s")
    for name, per_s, each in (("term layer alone", filtered, latencies),
                              ("whole screen", screened, screen_latencies)):
        cuts = statistics.quantiles(each, n=100)
        print(f"{name + ':':<24}{per_s:,.0f} texts/s  (x{per_s / base:.3f} of baseline)  "
              f"p50 {cuts[49] * 1e6:.1f} us  p99 {cuts[98] * 1e6:.1f} us")


if __name__ == "__main__":
    main()
