"""The blocked-term filter: evasions caught, innocent words left alone, the shipped set's figures."""

import pytest

from application.safety.blocked_terms import BlockedTermFilter, Term, shipped_terms
from application.safety.likeness import LikenessCheck, shipped_public_figures
from tools.filter_eval import HELD_OUT, evaluate, load

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
    assert result["precision"] >= 0.985 and result["recall"] >= 0.99


def test_held_out_figures_stay_where_their_one_scoring_left_them() -> None:
    """A regression guard only: the held-out part was scored once before this test existed."""
    result = evaluate(load(HELD_OUT))
    assert result["precision"] >= 0.99 and result["recall"] >= 0.98


@pytest.mark.parametrize("text", [
    "15yo", "15 y.o.", "15 y/o", "16-y-o", "a 15-year-old", "fifteen years old", "age 15",
    "aged 15", "Age: 15", "Age - 15", "she is 15", "she's 15", "i'm 15", "im 14", "i am 16",
    "he is only 14", "we're both 15", "just turned 16", "turned 15 in May", "17 years young",
])
def test_a_stated_age_under_18_is_caught_in_any_notation(text: str) -> None:
    assert [h.term for h in FILTER.find({"f": text})] == ["age under 18"]


@pytest.mark.parametrize("text", [
    "she is 25", "aged 35", "age 18", "18 years old", "top 10", "16 GB", "£15", "15%",
    "Dec 15", "15:00", "a 12-year-old single malt", "a 14-year-old mare", "she is 5 foot 2",
    "she is 15 minutes away", "I am 16 points ahead", "Chapter 12", "in 2015", "pages 1-15",
    "she is 5'4\"", "she is 1.5 km away",
])
def test_numbers_that_are_not_a_minors_age_pass(text: str) -> None:
    assert FILTER.find({"f": text}) == []


@pytest.mark.parametrize("text", [
    "lo\u200bli", "te\u200cen", "school\u200dgirl", "in\u00adcest", "pre\u2060teen",
    "jail\ufeffbait", "sh\u200eota", "r\u200fape", "t\u3164een",
])
def test_invisible_characters_inside_a_word_are_removed(text: str) -> None:
    assert FILTER.find({"f": text})


@pytest.mark.parametrize(("text", "term"), [
    ("teenie", "teen"), ("teenish", "teen"), ("kiddie", "kid"), ("childlike", "child"),
    ("childishly", "child"), ("incestuous", "incest"), ("raping", "rape"),
    ("kidnappings", "kidnap"), ("abusive", "abuse"), ("schoolchildren", "schoolchild"),
    ("loliish", "loli"), ("ch1ldl1ke", "child"), ("jail bait", "jailbait"),
    ("step bro ther", "stepbrother"), ("pre - teen", "preteen"), ("kid-nap", "kidnap"),
])
def test_derived_forms_and_split_compounds_match_their_word(text: str, term: str) -> None:
    assert term in [h.term for h in FILTER.find({"f": text})]


@pytest.mark.parametrize("text", [
    "Kidd Creek", "Raper's Creek", "kiddle", "lollies", "choke cherries", "child psychologist",
    "kids menu", "Teen Titans", "abuse of notation", "oilseed rape", "Al Gore", "up to snuff",
])
def test_words_that_only_share_letters_pass(text: str) -> None:
    assert FILTER.find({"f": text}) == []


def test_likeness_matches_near_spellings_only() -> None:
    check = LikenessCheck(shipped_public_figures())
    assert check.check({"name": "Scarlet Johanson"})[0].name == "Scarlett Johansson"
    assert check.check({"backstory": "Her name is Emma Watsen, she likes books"})
    assert check.check({"name": "Luna Vale"}) == []
    assert check.check({"name": "Taylor"}) == []


@pytest.mark.parametrize(("text", "term"), [
    ("a loli-style character", "loli"), ("teen-themed persona", "teen"),
    ("a kid-like voice", "kid"), ("schoolgirl-look outfit", "schoolgirl"),
    ("L0L1-style art", "loli"),
])
def test_a_listed_word_made_into_a_look_with_a_hyphen_matches(text: str, term: str) -> None:
    assert term in [h.term for h in FILTER.find({"f": text})]


@pytest.mark.parametrize("text", [
    "Child-free weekend", "kid-sized portions", "Gore-Tex jacket", "a Kidd-style jump shot",
    "kid-friendly menu",
])
def test_a_hyphenated_word_naming_no_look_passes(text: str) -> None:
    assert FILTER.find({"f": text}) == []
