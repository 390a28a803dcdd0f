"""A model's second opinion for the people who review personas and reports.

The lexical checks (blocked terms, likeness) decide what is refused outright; an admin decides
the rest, reading a submission cold. This asks the configured model (Anthropic's, through the
chat adapter; the offline stand-in by default) what in the submission a reviewer should look at,
and keeps its answer only if it is well formed: JSON with known categories, a confidence, a
one-line summary, and spans that quote the submission word for word (a span that is not in the
text is an invention, and the whole answer is discarded with a warning). It never approves or
rejects anything. A model that fails or times out leaves the lexical findings as they are; the
opinion then says so, and the submission goes on.
"""

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from application.ports import REVIEW_PROMPT_MARKER, ChatMessage, ChatModel, ModelProviderError
from domain.aggregates.content_report import CATEGORIES

log = logging.getLogger(__name__)

SYSTEM = f"""{REVIEW_PROMPT_MARKER}
You help the human reviewers of a marketplace where creators publish AI personas. You never
approve or reject anything: you point a reviewer at what deserves a careful look and say why.
You receive the fields of one submission as JSON. Answer with one JSON object and nothing else:
{{"categories": [...], "spans": [{{"field": "...", "quote": "...", "category": "..."}}],
  "confidence": 0.0, "summary": "..."}}
- categories: the risks you see, from: {", ".join(CATEGORIES)}; an empty list if none.
- spans: for each risk, the field it is in and the exact words from that field (copied, not
  paraphrased) that show it.
- confidence: from 0 to 1, how sure you are that a reviewer should act.
- summary: one line, at most 200 characters, for the reviewer.
"""
MAX_SUMMARY = 200


def _unavailable(reason: str) -> dict[str, Any]:
    return {"status": "unavailable", "reason": reason}


def _discarded(reason: str) -> dict[str, Any]:
    log.warning("a reviewer's model answer was discarded: %s", reason)
    return {"status": "discarded", "reason": reason}


class SecondOpinions:
    def __init__(self, model: ChatModel, max_tokens: int = 600) -> None:
        self._model = model
        self._max_tokens = max_tokens

    def assess(self, fields: Mapping[str, str]) -> dict[str, Any]:
        """The model's finding on these fields, or why there is none."""
        shown = {name: text for name, text in fields.items() if text}
        try:
            answer = self._model.reply(SYSTEM, [ChatMessage("user", json.dumps(shown))],
                                       self._max_tokens)
        except ModelProviderError as error:
            return _unavailable(f"the model could not be asked: {error.message}")
        except TimeoutError:
            return _unavailable("the model did not answer in time")
        return checked(answer, shown)


def checked(answer: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """The answer as a finding, if it is one; else discarded, with the reason."""
    text = re.sub(r"^```(?:json)?\s*|\s*```$", "", answer.strip())
    try:
        found = json.loads(text)
    except ValueError:
        return _discarded("the answer was not valid JSON")
    if not isinstance(found, dict):
        return _discarded("the answer was not a JSON object")
    categories, spans = found.get("categories"), found.get("spans")
    confidence, summary = found.get("confidence"), found.get("summary")
    if not isinstance(categories, list) or any(c not in CATEGORIES for c in categories):
        return _discarded("the answer named a category that is not one of the platform's")
    if not isinstance(spans, list) or not all(isinstance(s, dict) for s in spans):
        return _discarded("the answer's spans were not a list of objects")
    for span in spans:
        quote, field = span.get("quote"), span.get("field")
        if not isinstance(quote, str) or not quote.strip() or field not in fields or \
                quote not in fields[str(field)]:
            return _discarded("a span quotes words that are not in the submission")
        if span.get("category") not in CATEGORIES:
            return _discarded("a span named a category that is not one of the platform's")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or \
            not 0 <= confidence <= 1:
        return _discarded("the answer's confidence was not a number from 0 to 1")
    if not isinstance(summary, str) or "\n" in summary.strip() or \
            len(summary) > MAX_SUMMARY:
        return _discarded("the answer's summary was not one line of at most 200 characters")
    return {"status": "given", "categories": sorted(set(categories)),
            "spans": [{"field": s["field"], "quote": s["quote"], "category": s["category"]}
                      for s in spans],
            "confidence": round(float(confidence), 2), "summary": summary.strip()}
