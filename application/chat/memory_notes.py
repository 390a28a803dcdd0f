"""What a persona remembers from what the fan says about themself: the name they want to be
called and their interests. Stateless: each mode keeps its own memory on its own thread."""

import re

MAX_INTERESTS = 10
_NAME = re.compile(r"\b(?:call\s+me|my\s+name\s+is|i\s+go\s+by)\s+([A-Z][\w'-]{1,30})",
                   re.IGNORECASE)
_INTEREST = re.compile(
    r"\bi\s+(?:really\s+)?(?:like|love|enjoy|am\s+into|'m\s+into)\s+([a-z][a-z '-]{1,40}?)"
    r"(?=[.,!?;]|\s+and\s+|\s+but\s+|$)", re.IGNORECASE)
_NOT_INTERESTS = frozenset({"you", "it", "that", "this", "them", "to", "the idea"})


def notes_from(text: str, memory: dict[str, object]) -> dict[str, object]:
    """The memory entries this message changes."""
    notes: dict[str, object] = {}
    name = _NAME.search(text)
    if name:
        notes["preferred_name"] = name.group(1)
    known = list(memory.get("interests") or [])  # type: ignore[call-overload]
    found = [m.group(1).strip().lower() for m in _INTEREST.finditer(text)]
    new = [i for i in found if i not in known and i not in _NOT_INTERESTS]
    if new:
        notes["interests"] = (known + new)[-MAX_INTERESTS:]
    return notes


def prompt_lines(memory: dict[str, object]) -> list[str]:
    """What the persona remembers, as lines for a mode's prompt."""
    lines = []
    if memory.get("preferred_name"):
        lines.append(f"The user likes to be called {memory['preferred_name']}.")
    interests = memory.get("interests")
    if isinstance(interests, list) and interests:
        lines.append(f"The user has mentioned enjoying: {', '.join(map(str, interests))}.")
    return lines
