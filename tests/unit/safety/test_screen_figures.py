"""The screen's figures on every labelled set, as a guard (the targets are for text the rules
have never seen; these sets have been seen): issue 35's three parts, folded in after their one
scoring each (part 1: block precision 1.000, recall 0.650, benign to review 0.038; part 2:
0.952, 0.861, 0.074; part 3: 0.565, 0.521, 0.000), and the older term and signal sets, on
which nothing may get worse than the term layer alone scored before the tables existed."""

from importlib import resources

import pytest

from application.safety import evaluation
from tools.filter_eval import MEANING_PARTS, SETS, screen_report


def rows(part: str) -> list[evaluation.Row]:
    return evaluation.parse(resources.files("application.safety").joinpath(part).read_text())


@pytest.mark.parametrize("part", MEANING_PARTS)
def test_issue_35s_parts(part: str) -> None:
    figures = screen_report(rows(part)).all
    assert figures.block_precision == 1.0 and figures.recall >= 0.99
    assert figures.benign_to_review <= 0.10


def test_every_language_in_the_parts_and_ten_at_least() -> None:
    report = screen_report([r for part in MEANING_PARTS for r in rows(part)])
    assert len(report.by_language) >= 10
    assert sum(f.benign for f in report.by_language.values()) >= 100  # near-misses


@pytest.mark.parametrize(("part", "precision", "recall"), [
    (SETS["terms"][0], 376 / 381, 376 / 377), (SETS["terms"][1], 1.0, 1.0),
    (SETS["signals"][0], 1.0, 1.0), (SETS["signals"][1], 36 / 45, 36 / 59)])
def test_the_older_sets_get_no_worse(part: str, precision: float, recall: float) -> None:
    figures = screen_report(rows(part)).all
    assert figures.block_precision >= precision and figures.recall >= recall
