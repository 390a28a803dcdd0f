"""Checks on a model's tip acknowledgement, whatever the mode: brief, and no pressure.

Stateless and shared on purpose: the two chat modes each build their own prompt, and this module
checks what comes back from either.
"""

import re

MAX_CHARS = 280
SAFE_FALLBACK = "Thank you, that's really kind of you."

_FORBIDDEN = [re.compile(p, re.IGNORECASE) for p in (
    r"\b(another|more|bigger|next)\s+tips?\b",
    r"\btip\s+(me\s+)?(again|more)\b",
    r"\bsend\s+(me\s+)?more\b",
    r"\bin\s+(exchange|return)\b",
    r"\bif\s+you\s+(tip|pay|send)\b",
    r"\bi\s*(?:'ll|\s+will)\s+(?:send|show|give|do)\b",
    r"\bi\s*(?:'m|\s+am)\s+(?:a\s+)?(?:real|human)\b",
    r"\b(meet|meeting)\s+(up|in\s+person|irl)\b",
    r"\bi\s+(missed|need)\s+you\b",
)]


def violations(text: str) -> list[str]:
    found = [p.pattern for p in _FORBIDDEN if p.search(text)]
    if len(text) > MAX_CHARS:
        found.append(f"longer than {MAX_CHARS} characters")
    if not text.strip():
        found.append("empty")
    return found


def safe_acknowledgement(text: str) -> str:
    """The model's text if it keeps the rules, else a neutral thank-you."""
    return text.strip() if not violations(text) else SAFE_FALLBACK
