"""Every language table at once, at the cost of the few rules a text's words call for.

A rule runs only when the text holds one of its anchors: the anchors of every language are one
regular expression shaped as a trie, which finds each word beginning that is an anchor in one
pass in C (what an anchor calls for includes what its own beginnings call for); the strings of
spaceless scripts are searched for only when the text is not plain ASCII. Most texts call for no
rule. Findings a `not` rule covers (a time ago, a duration, a thing's age) are dropped, and the
spans those rules cover are given back so the other layers' findings there are dropped too; an
`adult` rule (the writer's own adult age, or a parent's or teacher's role) drops `young` and
`childhood` findings (an age or a school day of someone else, the writer's child or pupil).
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import regex

from application.safety.tables.loader import (
    EXACT,
    NUMBER,
    LanguageTable,
    Rule,
    load,
    parse,
    shipped_files,
)
from application.safety.verdict import TABLES, Finding


def _trie(words: list[str]) -> str:
    """One regular expression matching any of the words, shaped as a trie so that matching
    costs the text's length, not the number of words; the longest word wins."""
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items())
                    if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body
    return pattern(tree)


class Reading:
    """What the tables found in a text; the `not` rules' spans are worked out only when asked
    (a finding to cancel, or another layer's age to weigh): most texts need none."""

    def __init__(self, folded: str, cancels: list[tuple[LanguageTable, Rule]],
                 adults: list[Rule]) -> None:
        self.findings: list[Finding] = []
        self.young_spans: list[tuple[int, int]] = []  # someone else's age, found or not
        self._folded = folded
        self._cancels = cancels
        self._adults = adults
        self._not_spans: list[tuple[int, int]] | None = None
        self._adult: bool | None = None

    def writer_is_adult(self) -> bool:
        """The writer states their adult age or a parent's or teacher's role."""
        if self._adult is None:
            self._adult = any(rule.pattern.search(self._folded) for rule in self._adults)
        return self._adult

    def not_spans(self) -> list[tuple[int, int]]:
        if self._not_spans is None:
            self._not_spans = [m.span() for table, rule in self._cancels
                               for m in rule.pattern.finditer(self._folded)
                               if TableScreen.in_bounds(table, rule, m)]
        return self._not_spans


class TableScreen:
    def __init__(self, tables: Iterable[LanguageTable]) -> None:
        self.tables = list(tables)
        self._number_words: dict[str, set[int]] = defaultdict(set)
        self._number_rules: list[tuple[int, int]] = []
        self._spaceless: list[tuple[str, tuple[int, int]]] = []  # searched in non-ASCII text
        # The Latin strings of spaceless scripts ("saal"), searched in any text.
        self._ascii_strings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        by_anchor: dict[str, list[tuple[int, int]]] = defaultdict(list)
        by_word: dict[str, list[tuple[int, int]]] = defaultdict(list)
        counted = {t for t, table in enumerate(self.tables)
                   for rule in table.rules if NUMBER in rule.anchors}
        for t, table in enumerate(self.tables):
            for word in table.numbers if t in counted else ():
                self._number_words[word.split(" ")[0]].add(t)
            for r, rule in enumerate(table.rules):
                for anchor in rule.anchors:
                    if anchor == NUMBER:
                        self._number_rules.append((t, r))
                    elif table.script == "spaceless" and anchor.isascii():
                        self._ascii_strings[anchor.rstrip(EXACT)].append((t, r))
                    elif table.script == "spaceless":
                        self._spaceless.append((anchor.rstrip(EXACT), (t, r)))
                    elif anchor.endswith(EXACT):
                        by_word[anchor[:-1]].append((t, r))
                    else:
                        by_anchor[anchor].append((t, r))
        for word, counting in self._number_words.items():  # number words, for `#` rules
            by_word[word].extend(rule for rule in self._number_rules if rule[0] in counting)
        # What each anchor (a word's beginning) calls for, with what every shorter anchor it
        # begins with calls for: the trie finds the longest anchor a word begins with.
        self._anchors = {anchor: tuple(sorted({rule for end in range(2, len(anchor) + 1)
                                               for rule in by_anchor.get(anchor[:end], ())}))
                         for anchor in by_anchor}
        # A whole word found calls for its own rules and those of the beginnings it has.
        self._words = {word: tuple(dict.fromkeys([*rules, *(
            rule for end in range(2, len(word) + 1) for rule in by_anchor.get(word[:end], ()))]))
            for word, rules in by_word.items()}
        # One pass over the text finds whole words, word beginnings, digits and the Latin
        # strings of spaceless scripts (anywhere).
        self._scan = re.compile(
            r"(?<![^\W\d])(?:(" + (_trie(list(self._words)) or "(?!)") + r")(?![^\W\d])|(" +
            (_trie(list(self._anchors)) or "(?!)") + r"))|(\d)|(" +
            (_trie(list(self._ascii_strings)) or "(?!)") + ")")

    def called_for(self, folded: str) -> set[tuple[int, int]]:
        """The rules whose anchors the text holds."""
        called: set[tuple[int, int]] = set()
        digits = False
        for word, beginning, digit, string in self._scan.findall(folded):
            if word:
                called.update(self._words[word])
            elif beginning:
                called.update(self._anchors[beginning])
            elif digit:
                digits = True
            else:
                called.update(self._ascii_strings[string])
        if digits:
            called.update(self._number_rules)
        if not folded.isascii():
            called.update(rule for anchor, rule in self._spaceless if anchor in folded)
        return called

    def read(self, folded: str, field: str = "") -> Reading:
        found: list[tuple[int, int, LanguageTable, Rule]] = []
        cancels: list[tuple[LanguageTable, Rule]] = []
        adults: list[Rule] = []
        for t, r in sorted(self.called_for(folded)):
            table = self.tables[t]
            rule = table.rules[r]
            if rule.kind == "not":
                cancels.append((table, rule))
            elif rule.kind == "adult":
                adults.append(rule)
            else:
                for match in rule.pattern.finditer(folded):
                    if self.in_bounds(table, rule, match):
                        found.append((match.start(), match.end(), table, rule))
                        break
        reading = Reading(folded, cancels, adults)
        if not found:
            return reading
        reading.young_spans = [(start, end) for start, end, _, rule in found
                               if rule.kind == "young"]
        cancelled = reading.not_spans()
        for start, end, table, rule in found:
            if any(start < c_end and c_start < end for c_start, c_end in cancelled) or \
                    (rule.kind in ("young", "childhood") and reading.writer_is_adult()):
                continue
            assert rule.outcome is not None
            reading.findings.append(Finding(rule.outcome, rule.category, rule.id,
                                            folded[start:end], table.code, TABLES, field))
        return reading

    @staticmethod
    def in_bounds(table: LanguageTable, rule: Rule, match: regex.Match[str]) -> bool:
        """A rule with no number always counts; one with {n} counts for numbers in its
        kind's bounds (a `not` rule, for any number)."""
        if rule.bounds is None:
            return rule.kind != "not" or "n" not in match.re.groupindex or \
                match.group("n") is not None
        written = match.group("n")
        value = table.number(written) if written is not None else None
        low, high = rule.bounds
        return value is not None and low <= value <= high


def shipped() -> TableScreen:
    return TableScreen(load(name) for name in shipped_files())


@lru_cache(maxsize=4)
def load_tables(extra_dir: str | None = None) -> TableScreen:
    """The shipped tables, and the `.tsv` files of an operator's folder: adding a language is
    adding a file there (one named as a shipped file replaces it). A file that does not load
    raises LanguageFileError naming the file and the line. Built once a process (about a
    second: every pattern compiled), and read-only after, so every core of a process shares
    it."""
    if not extra_dir:
        return shipped()
    tables = {name: load(name) for name in shipped_files()}
    for path in sorted(Path(extra_dir).glob("*.tsv")):
        tables[path.name] = parse(str(path), path.read_text(encoding="utf-8"))
    return TableScreen(tables.values())
