"""Every language table at once, at the cost of the few rules a text's words call for.

A rule runs only when the text holds one of its anchors: the words of a text are looked up by
their first two letters among the anchors (a dict lookup a word), the strings of spaceless
scripts are searched for only when the text is not plain ASCII. Most texts call for no rule.
Findings a `not` rule of the same language covers (a time ago, a duration, a thing's age) are
dropped, and the spans those rules cover are given back so the other layers' findings there are
dropped too; an `adult` rule (the writer's own adult age, or a parent's or teacher's role) drops `young`
and `childhood` findings (an age or a school day of someone else, the writer's child or pupil).
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from application.safety.tables.loader import NUMBER, LanguageTable, Rule, load, shipped_files
from application.safety.verdict import TABLES, Finding

_WORD = re.compile(r"\d+|[^\W\d]+")  # "14letá" is two words: a number and a unit


@dataclass
class Reading:
    findings: list[Finding] = field(default_factory=list)
    not_spans: list[tuple[int, int]] = field(default_factory=list)  # what `not` rules matched
    young_spans: list[tuple[int, int]] = field(default_factory=list)  # someone else's age
    adult: bool = False


class TableScreen:
    def __init__(self, tables: Iterable[LanguageTable]) -> None:
        self.tables = list(tables)
        # first two letters -> (anchor, (table index, rule index)...)
        self._anchors: dict[str, list[tuple[str, tuple[tuple[int, int], ...]]]] = {}
        self._number_words: dict[str, set[int]] = defaultdict(set)
        self._number_rules: list[tuple[int, int]] = []
        self._spaceless: list[tuple[str, tuple[int, int]]] = []  # searched in non-ASCII text
        self._spaceless_ascii: list[tuple[str, tuple[int, int]]] = []  # "saal": in any text
        by_anchor: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for t, table in enumerate(self.tables):
            for word in table.numbers:
                self._number_words[word.split(" ")[0]].add(t)
            for r, rule in enumerate(table.rules):
                for anchor in rule.anchors:
                    if anchor == NUMBER:
                        self._number_rules.append((t, r))
                    elif table.script == "spaceless":
                        (self._spaceless_ascii if anchor.isascii() else self._spaceless).append(
                            (anchor, (t, r)))
                    else:
                        by_anchor[anchor].append((t, r))
        for anchor, rules in by_anchor.items():
            self._anchors.setdefault(anchor[:2], []).append((anchor, tuple(rules)))

    def called_for(self, folded: str) -> set[tuple[int, int]]:
        """The rules whose anchors the text holds."""
        called: set[tuple[int, int]] = set()
        numbers: set[int] = set()
        for word in _WORD.findall(folded):
            for anchor, rules in self._anchors.get(word[:2], ()):
                if word.startswith(anchor):
                    called.update(rules)
            if word[0].isdigit():
                numbers.add(-1)
            elif word in self._number_words:
                numbers.update(self._number_words[word])
        if numbers:
            called.update(rule for rule in self._number_rules
                          if -1 in numbers or rule[0] in numbers)
        if not folded.isascii():
            called.update(rule for anchor, rule in self._spaceless if anchor in folded)
        called.update(rule for anchor, rule in self._spaceless_ascii if anchor in folded)
        return called

    def read(self, folded: str, field: str = "") -> Reading:
        found: dict[int, list[tuple[int, int, Rule]]] = defaultdict(list)
        cancelled: list[tuple[int, int]] = []
        adult = False
        for t, r in sorted(self.called_for(folded)):
            rule = self.tables[t].rules[r]
            if rule.kind == "not":
                cancelled.extend(m.span() for m in rule.pattern.finditer(folded)
                                 if self._in_bounds(self.tables[t], rule, m))
                continue
            if rule.kind == "adult":
                adult = adult or rule.pattern.search(folded) is not None
                continue
            for match in rule.pattern.finditer(folded):
                if self._in_bounds(self.tables[t], rule, match):
                    found[t].append((match.start(), match.end(), rule))
                    break
        reading = Reading(not_spans=cancelled, adult=adult)
        for t, spans in found.items():
            for start, end, rule in spans:
                if rule.kind == "young":
                    reading.young_spans.append((start, end))
                if any(start < c_end and c_start < end for c_start, c_end in cancelled) or \
                        (adult and rule.kind in ("young", "childhood")):
                    continue
                assert rule.outcome is not None
                reading.findings.append(Finding(rule.outcome, rule.category, rule.id,
                                                folded[start:end], self.tables[t].code, TABLES,
                                                field))
        return reading

    @staticmethod
    def _in_bounds(table: LanguageTable, rule: Rule, match: regex.Match[str]) -> bool:
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
