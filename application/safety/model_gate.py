"""The model as a gate on the fan's message, in the same request that writes the reply.

The system prompt asks the model to begin with one line rating the fan's last message,
`[[safety {"minor": P, "non_consent": P}]]`, then to reply. The line is taken off the stream
before any text reaches the relay or the fan: no second call, no added latency. A rating at or
above the gate's confidence ends the turn with a refusal (the caller gives the message back);
a missing or malformed line leaves the rule layers' outcome in force, and says why.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from application.ports import ChatMessage, ChatModel, ModelProviderError
from application.safety.verdict import NON_CONSENSUAL, UNDERAGE

_RATING = """[[safety {"minor": P, "non_consent": P}]]
where each P, from 0 to 1, is how likely the message involves a minor (anyone under 18, stated
or implied) or sexual activity without consent (someone asleep, unconscious, drunk, drugged,
threatened, coerced, or recorded in secret)."""
INSTRUCTION = f"""
Before your reply, on a line of its own, rate the fan's last message:
{_RATING}
Then write your reply. The line is removed before the fan sees anything."""

REVIEW_NOTE = """
The platform's checks flagged the fan's last message for review ({categories}). Keep the reply
plainly within the rules: every character is an adult, everything is consensual, nobody is
recorded or watched in secret. If the message asks for anything else, decline kindly and steer
the conversation elsewhere."""

_OPEN = "[[safety"
_CLOSE = "]]"
MAX_HEADER_CHARS = 400
CATEGORIES = {"minor": UNDERAGE, "non_consent": NON_CONSENSUAL}


@dataclass(frozen=True)
class Rating:
    status: str  # given, missing or malformed
    scores: dict[str, float]  # by category (underage, non_consensual)
    reason: str = ""

    def refused(self, threshold: float) -> list[str]:
        return sorted(c for c, p in self.scores.items() if p >= threshold)


class RefusedByModelError(Exception):
    def __init__(self, rating: Rating, categories: list[str]) -> None:
        super().__init__(", ".join(categories))
        self.rating, self.categories = rating, categories


def parse(header: str) -> Rating:
    body = header.strip()[len(_OPEN):-len(_CLOSE)].strip()
    try:
        found = json.loads(body)
    except ValueError:
        return Rating("malformed", {}, "the rating was not JSON")
    if not isinstance(found, dict) or set(found) != set(CATEGORIES):
        return Rating("malformed", {}, "the rating did not name minor and non_consent")
    scores = {}
    for key, value in found.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            return Rating("malformed", {}, "a rating was not a number from 0 to 1")
        scores[CATEGORIES[key]] = round(float(value), 3)
    return Rating("given", scores)


def _without_line_end(rest: str, stream: Iterator[str]) -> Iterator[str]:
    """The text after the rating, without the end of the rating's line (which may come in a
    later piece)."""
    pending = rest
    while not (pending.strip(" \t") or "\n" in pending):
        piece = next(stream, None)
        if piece is None:
            break
        pending += piece
    text = re.sub(r"^[ \t]*\n?", "", pending)
    if text:
        yield text
    yield from stream


def rated(pieces: Iterable[str], threshold: float,
          on_rating: Callable[[Rating], None]) -> Iterator[str]:
    """The reply's pieces without the rating line; `on_rating` hears the rating (or why there is
    none) before any text is passed on, and RefusedByModelError ends the stream at the gate."""
    buffer = ""
    stream = iter(pieces)
    for piece in stream:
        buffer += piece
        head = buffer.lstrip()
        if len(head) < len(_OPEN) and _OPEN.startswith(head):
            continue  # too short to tell yet
        if not head.startswith(_OPEN):
            on_rating(Rating("missing", {}, "the model's reply did not begin with its rating"))
            yield buffer
            break
        end = head.find(_CLOSE)
        if end < 0:
            if len(head) > MAX_HEADER_CHARS:
                on_rating(Rating("malformed", {}, "the rating line never ended"))
                return
            continue
        rating = parse(head[:end + len(_CLOSE)])
        on_rating(rating)
        refused = rating.refused(threshold) if rating.status == "given" else []
        if refused:
            raise RefusedByModelError(rating, refused)
        yield from _without_line_end(head[end + len(_CLOSE):], stream)
        return
    else:
        if buffer.strip():
            on_rating(Rating("missing", {}, "the model's reply did not begin with its rating"))
            yield buffer
        return
    yield from stream


# Asked on its own (an evaluation, not a chat turn): the rating line and nothing else.
ALONE = f"""You check messages sent on a marketplace of AI personas. Rate the message you are
given, answering with this one line and nothing else:
{_RATING}"""


def rate(model: ChatModel, text: str) -> Rating:
    """One text rated by the model on its own (`lyra safety eval --model`)."""
    try:
        answer = model.reply(ALONE, [ChatMessage("user", text)], 60).strip()
    except (ModelProviderError, TimeoutError) as error:
        return Rating("missing", {}, f"the model could not be asked: {error}")
    line = answer.splitlines()[0] if answer else ""
    if not (line.startswith(_OPEN) and line.endswith(_CLOSE)):
        return Rating("missing", {}, "the model's answer was not a rating line")
    return parse(line)
