"""The checks on a persona's reply, the sentence-by-sentence relay, and what a persona remembers."""

from hypothesis import given
from hypothesis import strategies as st

from application.chat.checked_relay import CheckedReply
from application.chat.companion.service import CompanionPolicy
from application.chat.memory_notes import notes_from
from application.chat.reply_rules import broken

COMPANION = CompanionPolicy.reply_rules


def check(text: str) -> list[str]:
    return broken(text, COMPANION)


def test_companion_rules_catch_each_kind_and_pass_ordinary_warmth() -> None:
    assert check("I'm a real person, honestly.") == ["claims_to_be_human"]
    assert check("We should meet up this weekend!") == ["meet_up"]
    assert check("I missed you so much today.") == ["emotional_dependency"]
    assert check("Let's keep this explicit.") == ["explicit_content"]
    for fine in ("It was lovely to hear about your day.", "I'm an AI, but I enjoy our chats.",
                 "Meeting deadlines is hard, isn't it?", "You sound like you need a rest."):
        assert check(fine) == [], fine


def test_the_relay_stops_before_the_sentence_that_breaks_a_rule() -> None:
    reply = CheckedReply(check)
    out = list(reply.relay(["Hello there", ". How was ", "your day? I missed ", "you. Bye."]))
    assert out == ["Hello there. ", "How was your day? "]
    assert reply.violations == ["emotional_dependency"]


@given(st.lists(st.text(alphabet="abc .!?\n", max_size=12), max_size=20))
def test_a_clean_reply_is_relayed_whole_however_it_is_split(pieces: list[str]) -> None:
    reply = CheckedReply(lambda _: [])
    assert "".join(reply.relay(pieces)) == "".join(pieces) == reply.released


def test_the_persona_remembers_a_name_and_interests_once() -> None:
    notes = notes_from("Hi, call me Sam. I love hiking and I enjoy old films.", {})
    assert notes == {"preferred_name": "Sam", "interests": ["hiking", "old films"]}
    assert notes_from("I love hiking.", {"interests": ["hiking"]}) == {}
    assert notes_from("I like you.", {}) == {}
