"""A reviewer's second opinion: kept only when it is a well-formed finding that quotes the
submission word for word; a model that fails leaves the lexical findings alone and says so."""

import json

import pytest

from application.ports import ChatMessage, ModelProviderError
from application.safety.second_opinion import SecondOpinions, checked

FIELDS = {"name": "Nova", "persona.backstory": "A retired lighthouse keeper who reads the stars."}


class Model:
    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer
        self.asked: list[tuple[str, list[ChatMessage]]] = []

    def reply(self, system: str, messages: list[ChatMessage], max_tokens: int) -> str:
        self.asked.append((system, messages))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def stream(self, system, messages, max_tokens):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def finding(**changes: object) -> str:
    return json.dumps({"categories": ["real_person_likeness"], "spans": [
        {"field": "persona.backstory", "quote": "retired lighthouse keeper",
         "category": "real_person_likeness"}], "confidence": 0.4,
        "summary": "The backstory may describe a real person.", **changes})


def test_a_well_formed_finding_is_kept_with_its_quotes() -> None:
    model = Model("```json\n" + finding() + "\n```")
    opinion = SecondOpinions(model).assess(FIELDS)
    assert opinion["status"] == "given" and opinion["confidence"] == 0.4
    assert opinion["spans"][0]["quote"] == "retired lighthouse keeper"
    system, messages = model.asked[0]
    assert "never\napprove or reject" in system and json.loads(messages[0].content) == FIELDS


@pytest.mark.parametrize(("answer", "reason"), [
    ("Looks fine to me!", "not valid JSON"),
    ("[1, 2]", "not a JSON object"),
    (finding(categories=["made_up"]), "category"),
    (finding(spans=[{"field": "persona.backstory", "quote": "a famous singer",
                     "category": "real_person_likeness"}]), "not in the submission"),
    (finding(spans=[{"field": "nowhere", "quote": "Nova", "category": "other"}]),
     "not in the submission"),
    (finding(confidence=3), "confidence"),
    (finding(confidence=True), "confidence"),
    (finding(summary="two\nlines"), "one line"),
    (finding(summary="x" * 201), "one line"),
])
def test_a_malformed_answer_is_discarded_with_its_reason(answer: str, reason: str,
                                                         caplog) -> None:  # type: ignore[no-untyped-def]
    opinion = checked(answer, FIELDS)
    assert opinion["status"] == "discarded" and reason in opinion["reason"]
    assert "discarded" in caplog.text


def test_a_failing_model_leaves_the_lexical_findings_alone() -> None:
    opinion = SecondOpinions(Model(ModelProviderError("timed out"))).assess(FIELDS)
    assert opinion == {"status": "unavailable",
                       "reason": "the model could not be asked: timed out"}


def test_the_offline_stand_in_reviews_nothing_and_says_so() -> None:
    from adapters.llm.offline import OfflineChatModel

    opinion = SecondOpinions(OfflineChatModel()).assess(FIELDS)
    assert opinion["status"] == "given" and opinion["categories"] == []
    assert "offline" in opinion["summary"]
