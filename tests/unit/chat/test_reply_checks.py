"""The checks on a persona's reply, the sentence-by-sentence relay, and what a persona remembers."""

from collections.abc import Iterator

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


VIOLATING = ["I missed you so much.", "We should meet up this weekend!",
             "I'm a real person, honestly.", "Let's keep this explicit."]
CLEAN = "It was lovely to hear about your walk by the harbour and the boats you saw there "


@given(st.sampled_from(VIOLATING), st.lists(st.integers(1, 9), min_size=1, max_size=60))
def test_no_word_of_a_breaking_phrase_is_ever_sent(phrase: str, sizes: list[int]) -> None:
    """However the model splits its reply (a character at a time, or words), what the fan is
    sent stops before the breaking phrase: nothing would have to be taken back."""
    text = CLEAN + phrase + " And more after it."
    pieces, at = [], 0
    for size in sizes * (len(text) // sum(sizes) + 1):
        if at >= len(text):
            break
        pieces.append(text[at:at + size])
        at += size
    reply = CheckedReply(check)
    sent = "".join(reply.relay(pieces))
    assert reply.violations and sent == reply.released
    assert CLEAN.startswith(sent), sent  # a prefix of the clean part, nothing of the phrase


def test_a_long_sentence_streams_before_it_ends() -> None:
    """Checked at every piece, released as soon as it is safe: not held to the sentence's end."""
    reply = CheckedReply(check)
    words = ["the", "tide", "came", "in", "slowly", "over", "the", "flat", "sand", "while",
             "the", "gulls", "circled", "above", "the", "old", "pier", "and", "the", "lights",
             "came", "on"]
    streamed = 0

    def model() -> Iterator[str]:
        nonlocal streamed
        for word in words:
            streamed += 1
            yield word + " "

    sent = [(streamed, chunk) for chunk in reply.relay(model())]
    assert sent[0] == (7, "the ")  # the first word goes once six more have come
    assert len(sent) == len(words) - 6 + 1  # then a word a piece, the last six at the end
    assert "".join(chunk for _, chunk in sent) == " ".join(words) + " "
