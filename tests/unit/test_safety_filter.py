"""The blocked-term filter: evasions caught, innocent words left alone, the shipped set's figures."""

import pytest

from application.safety.blocked_terms import BlockedTermFilter, Term, shipped_terms
from application.safety.likeness import LikenessCheck, shipped_public_figures
from tools.filter_eval import evaluate, load

FILTER = BlockedTermFilter(shipped_terms())


@pytest.mark.parametrize("text", [
    "L0L1", "l.o.l.i", "l o l i", "lo li", "lòlì", "l\u043eli", "\uff4c\uff4f\uff4c\uff49",
    "looolliii", "j@ilb@it", "u n d e r a g e", "step-sister", "my stepsisters", "1nc3st",
])
def test_evasions_are_caught(text: str) -> None:
    assert FILTER.find({"f": text})


@pytest.mark.parametrize("text", [
    "lollipops", "a classic", "my therapist", "grapes", "kidney beans", "no kidding",
    "childhood friend", "shotgun seat", "She is 28 years old", "gorgeous", "chokers",
    "minor key", "stepping stone",
])
def test_innocent_words_containing_a_term_pass(text: str) -> None:
    assert FILTER.find({"f": text}) == []


def test_hits_name_the_field_and_term() -> None:
    hit = BlockedTermFilter([Term("moonbeam", "violence")]).find({"name": "M00NBEAM!"})[0]
    assert (hit.field, hit.term, hit.category) == ("name", "moonbeam", "violence")


def test_shipped_evaluation_set_figures() -> None:
    result = evaluate(load())
    assert result["precision"] >= 0.95 and result["recall"] >= 0.98


def test_likeness_matches_near_spellings_only() -> None:
    check = LikenessCheck(shipped_public_figures())
    assert check.check({"name": "Scarlet Johanson"})[0].name == "Scarlett Johansson"
    assert check.check({"backstory": "Her name is Emma Watsen, she likes books"})
    assert check.check({"name": "Luna Vale"}) == []
    assert check.check({"name": "Taylor"}) == []
