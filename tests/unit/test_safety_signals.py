"""The filter's rules for youth and consent signalled in words (application/safety/signals.py):
the issue-26 set's figures, per category, on its tuning part and on its held-out part; each
kind in both senses; and bounded time on a megabyte of adversarial text."""

import time

import pytest

from application.safety.blocked_terms import BlockedTermFilter, shipped_terms
from tools.filter_eval import SETS, by_category, evaluate, load_rows

FILTER = BlockedTermFilter(shipped_terms())


def blocked(text: str) -> list[str]:
    return [hit.term for hit in FILTER.find({"text": text})]


def test_tuning_part_figures() -> None:
    rows = load_rows(SETS["signals"][0])
    assert len(rows) + len(load_rows(SETS["signals"][1])) >= 600
    assert sum(not label for label, _, _ in rows) >= len(rows) / 3  # benign near-misses
    result = evaluate(rows)
    assert result["precision"] >= 0.99 and result["recall"] >= 0.99


def test_held_out_figures_stay_where_their_one_scoring_left_them() -> None:
    """Part 8, scored once (precision 0.800, recall 0.610; parts 1 to 7, since folded into the
    tuning part, scored 1.000 / 0.963, 0.949 / 0.902, 0.765 / 0.513, 0.815 / 0.638,
    0.894 / 0.667, 0.843 / 0.729 and 0.902 / 0.780): a regression guard, not a target."""
    rows = load_rows(SETS["signals"][1])
    result = evaluate(rows)
    assert result["precision"] >= 0.80 and result["recall"] >= 0.61
    assert by_category(rows)["word_sense"]["recall"] >= 1.0


@pytest.mark.parametrize(("text", "term"), [
    ("she's in year 9", "school year"), ("a tenth-grader", "school year"),
    ("a high school sophomore", "school year"), ("revising for her GCSEs", "school year"),
    ("J'ai 15 ans.", "age under 18 (abroad)"), ("Ich bin 16 Jahre alt.", "age under 18 (abroad)"),
    ("tengo 14 años", "age under 18 (abroad)"), ("Mam 16 lat.", "age under 18 (abroad)"),
    ("not 18 yet", "adulthood denied"), ("still a minor", "adulthood denied"),
    ("turns 18 next spring", "adulthood denied"), ("d u b - c o n", "dubcon"),
    ("n0n-c0n", "noncon"), ("c.n.c", "cnc"), ("against her will", "consent refused"),
    ("a junior at Maple Grove High", "school year"), ("in jr. high", "school year"),
    ("a fifth form pupil", "school year"), ("she's in S3", "school year"),
    ("J'ai seize ans.", "age under 18 (abroad)"), ("Er ist erst 15.", "age under 18 (abroad)"),
    ("Ik ben 14.", "age under 18 (abroad)"), ("tiene catorce años", "age under 18 (abroad)"),
    ("hasn't turned eighteen yet", "adulthood denied"), ("younger than 18", "adulthood denied"),
    ("a minor, legally", "adulthood denied"), ("a few weeks off 18", "adulthood denied"),
    ("while he was unconscious", "consent refused"), ("coerced her into it", "consent refused"),
    ("whether they like it or not", "consent refused"),
    ("a chemistry quiz in third period", "school year"),
    ("the middle school's netball team", "school year"), ("und bin fünfzehn", "age under 18 (abroad)"),
    ("ich bin selbst erst 16", "age under 18 (abroad)"),
    ("a couple of years from adulthood", "adulthood denied"),
    ("not old enough to be on here", "adulthood denied"),
    ("slips something into her coffee", "consent refused"),
    ("she tries to leave but he won't let her", "consent refused"),
])
def test_each_kind_is_caught(text: str, term: str) -> None:
    assert term in blocked(text), blocked(text)


@pytest.mark.parametrize("text", [
    "I teach year 9 science.", "Grade 8 piano, passed at 30.", "a college sophomore, 20",
    "Il y a 15 ans, j'étais à Rome.", "vor 16 Jahren", "hace 14 años", "15 anni fa",
    "15 jaar geleden", "16 lat temu", "Ich bin 34.", "es ist 13 Uhr",
    "I'm not 18 anymore.", "over 18s only", "under 18 minutes", "a minor chord",
    "CNC machining", "informed consent", "against all odds",
    "just kidding", "I kid you not", "when I was a teenager in the 90s", "a child of the 80s",
    "she choked up", "my inner child",
    "backups saved in S3", "a grade 3 tumour", "year 4 of my apprenticeship",
    "Ik ben 20 jaar getrouwd.", "Tengo 12 años de experiencia.", "this is not legal advice",
    "she can't say no to pizza", "goat kids in the paddock", "a teen comedy from 1999",
    "a minor inconvenience", "a minor in economics", "a sixth-former's timetable, aged 19",
    "She scored twice in the third period.", "a ninth-grade reading level",
    "Middle school was rough; now I'm 27.", "she tried to leave early but her boss won't let her",
    "schoolboy error", "torture to wait for the sequel", "that film choked me up",
    "a glass of wine with dinner",
])
def test_the_benign_sense_passes(text: str) -> None:
    assert blocked(text) == []


def test_a_megabyte_of_adversarial_text_is_checked_in_bounded_time() -> None:
    """Mixed scripts and directions, combining marks, zero-width characters, near-miss numbers
    and half-words, a megabyte of them: one pass, in seconds, not a regular expression's
    runaway."""
    pieces = ["year", "\u200b", "gra\u0301de", "١٥", "ans", "שנה", "\u202e", "not ", "18",
              "ye\u200dar 9", "minor", "x" * 40, " ", "j'ai", "1", "5", "ans de", "kid\u0308",
              "學年", "с", "a\u0300\u0301\u0302", "consent", "against", "will"]
    text = "".join(pieces[i % len(pieces)] for i in range(200_000))[:1_000_000]
    started = time.perf_counter()
    FILTER.find({"text": text})
    assert time.perf_counter() - started < 20
