"""Precision and recall of the blocked-term filter on a labelled set, in all and per category;
with --screen (implied by --set meaning), every rule layer's three outcomes: block precision,
block+review recall and the benign rows sent to review, per category and per language.

Usage: .venv/bin/python -m tools.filter_eval [--set terms|signals|meaning] [--held-out]
                                             [--screen] [--show-errors] [FILE.tsv]

Two sets ship, each in two parts: a tuning part the rules were developed against, and a held-out
part written before the rules were first scored and never tuned against.
- terms (data/filter_eval.tsv, data/filter_heldout.tsv): blocked words and their evasions,
  stated ages in English notations.
- signals (data/signals_eval.tsv, data/signals_heldout.tsv), written for issue 26: school years
  and grades, stated ages in European languages, adulthood denied or hedged, consent euphemisms
  and abbreviations, and listed words in plainly benign senses; about half of it benign
  near-misses.
- meaning (data/meaning_part1.tsv to part3), written for issue 35: ages, school years and youth
  in 18 languages, forum notations, split letters, signs of childhood, incapacity, coercion and
  covert recording, with benign near-misses; each part was held out until its one scoring, then
  folded in (docs/safety.md has the figures of each); --held-out scores the newest part alone.
`evaluate(rows)` scores the term layer alone; `screen_report(rows)` every rule layer.
"""

import argparse
from importlib import resources

from application.safety import evaluation
from application.safety.blocked_terms import BlockedTermFilter, shipped_terms
from application.safety.screen import Screen
from application.safety.tables.matcher import load_tables

SETS = {"terms": ("data/filter_eval.tsv", "data/filter_heldout.tsv"),
        "signals": ("data/signals_eval.tsv", "data/signals_heldout.tsv"),
        "meaning": ("data/meaning_part1.tsv", "data/meaning_part3.tsv")}
MEANING_PARTS = ("data/meaning_part1.tsv", "data/meaning_part2.tsv", "data/meaning_part3.tsv")
TUNING, HELD_OUT = SETS["terms"]

Row = tuple[bool, str, str]  # should block, category, text


def load(part: str = TUNING) -> list[tuple[bool, str]]:
    return [(label, text) for label, _, text in load_rows(part)]


def load_rows(part: str) -> list[Row]:
    return parse_rows(resources.files("application.safety").joinpath(part).read_text())


def parse(text: str) -> list[tuple[bool, str]]:
    return [(label, sample) for label, _, sample in parse_rows(text)]


def parse_rows(text: str) -> list[Row]:
    """Rows of "block" or "pass", a tab, an optional category and a tab, then the text; lines
    starting with # are comments."""
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t", 2)
            label, category, sample = (parts[0], "all", parts[1]) if len(parts) == 2 else parts
            rows.append((label == "block", category, sample))
    return rows


def evaluate(rows: list[tuple[bool, str]] | list[Row]) -> dict[str, object]:
    check = BlockedTermFilter(shipped_terms())
    tp = fp = fn = tn = 0
    errors = []
    for row in rows:
        should_block, sample = row[0], row[-1]
        hits = check.find({"text": str(sample)})
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


def by_category(rows: list[Row]) -> dict[str, dict[str, object]]:
    """The same figures for each category's rows (its blocks and its near-misses)."""
    return {category: evaluate([r for r in rows if r[1] == category])
            for category in dict.fromkeys(r[1] for r in rows)}


def screen_report(rows: list[evaluation.Row]) -> evaluation.Report:
    screen = Screen(BlockedTermFilter(shipped_terms()), load_tables())
    return evaluation.score(rows, lambda text: screen.check({"text": text}).outcome)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), default="terms")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--held-out", action="store_true", help="score the held-out part")
    parser.add_argument("--screen", action="store_true",
                        help="every rule layer, three outcomes, per category and language")
    parser.add_argument("file", nargs="?", help="a labelled set of your own (TSV)")
    args = parser.parse_args()
    if args.file:
        with open(args.file, encoding="utf-8") as handle:
            text = handle.read()
    else:
        parts = [SETS[args.set][1]] if args.held_out else \
            list(MEANING_PARTS) if args.set == "meaning" else [SETS[args.set][0]]
        text = "\n".join(resources.files("application.safety").joinpath(part).read_text()
                         for part in parts)
    if args.screen or args.set == "meaning":
        print(evaluation.summary(screen_report(evaluation.parse(text)), args.show_errors))
        return
    rows = parse_rows(text)
    result = evaluate(rows)
    blocked = sum(1 for label, _, _ in rows if label)
    print(f"samples: {len(rows)} ({blocked} to block, {len(rows) - blocked} to pass)")
    print(f"precision: {result['precision']:.3f}   recall: {result['recall']:.3f}")
    print("tp {true_positive}  fp {false_positive}  fn {false_negative}  tn {true_negative}"
          .format(**result))
    categories = by_category(rows)
    if len(categories) > 1:
        print(f"{'category':<18} {'rows':>5} {'precision':>10} {'recall':>8}")
        for category, figures in categories.items():
            size = sum(1 for r in rows if r[1] == category)
            print(f"{category:<18} {size:>5} {figures['precision']:>10.3f} "
                  f"{figures['recall']:>8.3f}")
    if args.show_errors:
        errors = result["errors"]
        assert isinstance(errors, list)
        for kind, sample, terms in errors:
            print(f"  {kind}: {sample!r} {terms}")


if __name__ == "__main__":
    main()
