"""Every row of every language file, as a test of its own: a rule's example is found by that very
rule (and, for a rule about ages, the same example with an adult age is not); a `not` or
`adult` rule's example matches it; a whole text gets the outcome its row names. And the files
themselves: the 24 languages the design names, and a broken file stops loading at its line."""

import re

import pytest

from application.safety.blocked_terms import BlockedTermFilter, shipped_terms
from application.safety.screen import Screen
from application.safety.tables.fold import fold
from application.safety.tables.loader import LanguageFileError, load, parse, shipped_files
from application.safety.tables.matcher import TableScreen, load_tables

TABLES = {name: load(name) for name in shipped_files()}
SCREEN = Screen(BlockedTermFilter(shipped_terms()), load_tables())
REQUIRED = {"en", "de", "fr", "es", "pt", "it", "nl", "pl", "cs", "ro", "hu", "el", "sv", "da",
            "no", "fi", "ru", "uk", "tr", "ar", "hi", "ja", "zh", "ko"}

RULES = [pytest.param(table, rule, id=rule.id) for table in TABLES.values()
         for rule in table.rules]
SAMPLES = [pytest.param(sample, id=f"{table.code}:{sample.expected}:{sample.line}")
           for table in TABLES.values() for sample in table.samples]


def test_the_languages_the_design_names_all_load() -> None:
    assert {table.code for table in TABLES.values()} >= REQUIRED
    for table in TABLES.values():
        kinds = {rule.kind for rule in table.rules}
        assert kinds & {"age", "school", "grade", "youth"}, table.code
        assert {s.expected for s in table.samples} >= {"pass", "block"}, table.code


@pytest.mark.parametrize(("table", "rule"), RULES)
def test_each_rule_finds_its_example(table, rule) -> None:  # type: ignore[no-untyped-def]
    folded = fold(rule.example)
    assert rule.pattern.search(folded), f"{rule.id}: pattern misses {rule.example!r}"
    if rule.kind in ("not", "adult"):
        return
    screen = TableScreen([table])
    found = [f.rule for f in screen.read(folded).findings]
    assert rule.id in found, f"{rule.id}: not found in {rule.example!r} (found {found})"
    if rule.bounds is not None and rule.kind != "young":
        match = rule.pattern.search(folded)
        assert match is not None
        adult = folded[:match.start("n")] + "25" + folded[match.end("n"):]
        assert rule.id not in [f.rule for f in screen.read(adult).findings], \
            f"{rule.id}: an adult age is found too: {adult!r}"


@pytest.mark.parametrize("sample", SAMPLES)
def test_each_whole_text_gets_its_outcome(sample) -> None:  # type: ignore[no-untyped-def]
    verdict = SCREEN.check({"text": sample.text})
    assert verdict.outcome == sample.expected, \
        f"{sample.text!r}: {verdict.outcome}, {[(f.rule, f.span) for f in verdict.findings]}"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("number\t1\tone\n", 1, "first row must be `lang`"),
    ("lang\txx\tTest\twords\nage\tbin\tich bin ({n}\tich bin 15\n", 2, "does not compile"),
    ("lang\txx\tTest\twords\nfoo\tx\ty\tz\n", 2, "unknown row kind"),
    ("lang\txx\tTest\twords\nage\tbin\tich bin\tich bin\n", 2, "needs {n}"),
    ("lang\txx\tTest\twords\nyouth\t\tkind\tkind\n", 2, "anchors"),
    ("lang\txx\tTest\tcursive\n", 1, "script"),
])
def test_a_broken_file_names_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(LanguageFileError) as raised:
        parse("xx.tsv", text)
    assert raised.value.line == line and message in str(raised.value)
    assert str(raised.value).startswith(f"xx.tsv:{line}:")


def test_every_row_has_an_example_in_its_own_script_or_notation() -> None:
    for table in TABLES.values():
        for rule in table.rules:
            assert rule.example.strip() and not re.fullmatch(r"[-\s]*", rule.example), rule.id
