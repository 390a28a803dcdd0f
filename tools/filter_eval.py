"""Precision and recall of the blocked-term filter on a labelled set.

Usage: .venv/bin/python tools/filter_eval.py [--held-out] [--show-errors] [FILE.tsv]

The shipped set has two parts: the tuning part (data/filter_eval.tsv), which the rules were
developed against, and the held-out part (data/filter_heldout.tsv), written before it was first
scored and never tuned against. `evaluate(rows)` is the one way to score any labelled set.
"""

import argparse
from importlib import resources

from application.safety.blocked_terms import BlockedTermFilter, shipped_terms

TUNING = "data/filter_eval.tsv"
HELD_OUT = "data/filter_heldout.tsv"


def load(part: str = TUNING) -> list[tuple[bool, str]]:
    text = resources.files("application.safety").joinpath(part).read_text()
    return parse(text)


def parse(text: str) -> list[tuple[bool, str]]:
    """Rows of "block" or "pass", a tab, then the text; lines starting with # are comments."""
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            label, sample = line.split("\t", 1)
            rows.append((label == "block", sample))
    return rows


def evaluate(rows: list[tuple[bool, str]]) -> dict[str, object]:
    check = BlockedTermFilter(shipped_terms())
    tp = fp = fn = tn = 0
    errors = []
    for should_block, sample in rows:
        hits = check.find({"text": sample})
        if hits and should_block:
            tp += 1
        elif hits:
            fp += 1
            errors.append(("false positive", sample, [h.term for h in hits]))
        elif should_block:
            fn += 1
            errors.append(("missed", sample, []))
        else:
            tn += 1
    return {"true_positive": tp, "false_positive": fp, "false_negative": fn, "true_negative": tn,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--held-out", action="store_true", help="score the held-out part")
    parser.add_argument("file", nargs="?", help="a labelled set of your own (TSV)")
    args = parser.parse_args()
    if args.file:
        with open(args.file, encoding="utf-8") as handle:
            rows = parse(handle.read())
    else:
        rows = load(HELD_OUT if args.held_out else TUNING)
    result = evaluate(rows)
    blocked = sum(1 for label, _ in rows if label)
    print(f"samples: {len(rows)} ({blocked} to block, {len(rows) - blocked} to pass)")
    print(f"precision: {result['precision']:.3f}   recall: {result['recall']:.3f}")
    print("tp {true_positive}  fp {false_positive}  fn {false_negative}  tn {true_negative}"
          .format(**result))
    if args.show_errors:
        for kind, sample, terms in result["errors"]:  # type: ignore[union-attr]
            print(f"  {kind}: {sample!r} {terms}")


if __name__ == "__main__":
    main()
