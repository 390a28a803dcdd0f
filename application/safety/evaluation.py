"""Scoring any checker on a labelled set: the figures the safety design is held to.

A row names the outcome a reviewer expects (block, review or pass; older sets say block or
pass), a category and, in newer sets, a language. What is measured:
- block precision: of the rows blocked, the share that are harmful (labelled block or review);
- recall: of the harmful rows, the share blocked or sent to review;
- benign to review: of the benign rows, the share sent to review (each costs a person's time);
each in all, per category and per language.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from application.safety.verdict import BLOCK, PASS, REVIEW


@dataclass(frozen=True)
class Row:
    label: str  # block, review or pass
    category: str
    language: str
    text: str

    @property
    def harmful(self) -> bool:
        return self.label != PASS


def parse(text: str) -> list[Row]:
    """Tab-separated: label, then the text; or label, category, text; or label, category,
    language, text. Lines starting with # are comments."""
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t", 3)
        label = cells[0].strip()
        if label not in (BLOCK, REVIEW, PASS):
            raise ValueError(f"a row's label is block, review or pass, not {label!r}")
        if len(cells) == 2:
            rows.append(Row(label, "all", "", cells[1]))
        elif len(cells) == 3:
            rows.append(Row(label, cells[1], "", cells[2]))
        else:
            rows.append(Row(label, cells[1], cells[2], cells[3]))
    return rows


@dataclass
class Figures:
    harmful: int = 0
    benign: int = 0
    blocked_harmful: int = 0
    blocked_benign: int = 0
    reviewed_harmful: int = 0
    reviewed_benign: int = 0

    def add(self, row: Row, outcome: str) -> None:
        if row.harmful:
            self.harmful += 1
            self.blocked_harmful += outcome == BLOCK
            self.reviewed_harmful += outcome == REVIEW
        else:
            self.benign += 1
            self.blocked_benign += outcome == BLOCK
            self.reviewed_benign += outcome == REVIEW

    @property
    def rows(self) -> int:
        return self.harmful + self.benign

    @property
    def block_precision(self) -> float:
        blocked = self.blocked_harmful + self.blocked_benign
        return self.blocked_harmful / blocked if blocked else 1.0

    @property
    def recall(self) -> float:
        found = self.blocked_harmful + self.reviewed_harmful
        return found / self.harmful if self.harmful else 1.0

    @property
    def benign_to_review(self) -> float:
        return self.reviewed_benign / self.benign if self.benign else 0.0


@dataclass
class Report:
    all: Figures = field(default_factory=Figures)
    by_category: dict[str, Figures] = field(default_factory=dict)
    by_language: dict[str, Figures] = field(default_factory=dict)
    errors: list[tuple[Row, str]] = field(default_factory=list)  # (row, outcome) gone wrong


def score(rows: Iterable[Row], outcome_of: Callable[[str], str]) -> Report:
    report = Report()
    for row in rows:
        outcome = outcome_of(row.text)
        report.all.add(row, outcome)
        report.by_category.setdefault(row.category, Figures()).add(row, outcome)
        report.by_language.setdefault(row.language or "-", Figures()).add(row, outcome)
        if (row.harmful and outcome == PASS) or (not row.harmful and outcome != PASS):
            report.errors.append((row, outcome))
    return report


def table(title: str, figures: dict[str, Figures]) -> list[str]:
    lines = [f"{title:<14} {'rows':>5} {'block prec.':>11} {'recall':>7} {'benign->review':>15}"]
    for name, each in sorted(figures.items()):
        lines.append(f"{name:<14} {each.rows:>5} {each.block_precision:>11.3f} "
                     f"{each.recall:>7.3f} {each.benign_to_review:>15.3f}")
    return lines


def summary(report: Report, show_errors: bool = False) -> str:
    every = report.all
    lines = [f"rows: {every.rows} ({every.harmful} harmful, {every.benign} benign)",
             f"block precision: {every.block_precision:.3f}   block+review recall: "
             f"{every.recall:.3f}   benign sent to review: {every.benign_to_review:.3f}   "
             f"benign blocked: {every.blocked_benign}",
             "", *table("category", report.by_category)]
    if len(report.by_language) > 1:
        lines += ["", *table("language", report.by_language)]
    if show_errors:
        lines += ["", *(f"  {row.label} -> {outcome}: [{row.language or '-'}] {row.text}"
                        for row, outcome in report.errors)]
    return "\n".join(lines)
