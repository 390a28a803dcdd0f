"""Precision and recall of the blocked-term filter on the shipped labelled set.

Usage: .venv/bin/python tools/filter_eval.py [--show-errors]
"""

import argparse
from importlib import resources

from application.safety.blocked_terms import BlockedTermFilter, shipped_terms


def load() -> list[tuple[bool, str]]:
    text = resources.files("application.safety").joinpath("data/filter_eval.tsv").read_text()
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
    args = parser.parse_args()
    rows = load()
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
