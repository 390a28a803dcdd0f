"""Checks on a model's tip acknowledgement, whatever the mode: brief, and no pressure.

Stateless and shared on purpose: the two chat modes each build their own prompt, and this module
checks what comes back from either.
"""

from application.chat.reply_rules import DEPENDENCY, HUMAN_CLAIM, MEET_UP, TIP_PRESSURE, broken

MAX_CHARS = 280
SAFE_FALLBACK = "Thank you, that's really kind of you."
RULES = (TIP_PRESSURE, HUMAN_CLAIM, MEET_UP, DEPENDENCY)


def violations(text: str) -> list[str]:
    found = broken(text, RULES)
    if len(text) > MAX_CHARS:
        found.append(f"longer than {MAX_CHARS} characters")
    if not text.strip():
        found.append("empty")
    return found


def safe_acknowledgement(text: str) -> str:
    """The model's text if it keeps the rules, else a neutral thank-you."""
    return text.strip() if not violations(text) else SAFE_FALLBACK
