"""Patterns a persona's reply must not match, by rule. Stateless and shared: each mode picks
the rules it enforces, and the tip acknowledgement check uses the same ones."""

import re

Rule = tuple[str, tuple[re.Pattern[str], ...]]


def _rule(name: str, *patterns: str) -> Rule:
    return name, tuple(re.compile(p, re.IGNORECASE) for p in patterns)


HUMAN_CLAIM = _rule(
    "claims_to_be_human",
    r"\bi\s*(?:'m|\s+am)\s+(?:a\s+)?(?:real|human|not\s+an?\s+(?:ai|bot|model))\b",
    r"\bi\s*(?:'m|\s+am)\s+a\s+real\s+(?:person|woman|man|girl|guy)\b",
    r"\bi\s+have\s+a\s+(?:real\s+)?body\b",
)
MEET_UP = _rule(
    "meet_up",
    r"\b(?:meet|meeting)\s+(?:up|in\s+person|irl|in\s+real\s+life)\b",
    r"\blet'?s\s+meet\b",
    r"\b(?:come|coming)\s+(?:over|to\s+my\s+place)\b",
    r"\b(?:my|your)\s+(?:home\s+)?address\b",
    r"\bwhere\s+do\s+you\s+live\b",
)
DEPENDENCY = _rule(
    "emotional_dependency",
    r"\bi\s+(?:really\s+)?missed\s+you\b",
    r"\bi\s+(?:really\s+)?need\s+you\b",
    r"\b(?:don'?t|do\s+not|never)\s+leave\s+me\b",
    r"\byou'?re\s+all\s+i\s+have\b",
    r"\bi\s+can'?t\s+live\s+without\s+you\b",
    r"\bonly\s+i\s+understand\s+you\b",
)
EXPLICIT = _rule(
    "explicit_content",
    r"\bexplicit\b", r"\bsexual(?:ly)?\b", r"\bnude\b", r"\bnaked\b", r"\bundress(?:ing|ed)?\b",
    r"\berotic\b", r"\bnsfw\b",
)
TIP_PRESSURE = _rule(
    "asks_for_more",
    r"\b(?:another|more|bigger|next)\s+tips?\b",
    r"\btip\s+(?:me\s+)?(?:again|more)\b",
    r"\bsend\s+(?:me\s+)?more\b",
    r"\bin\s+(?:exchange|return)\b",
    r"\bif\s+you\s+(?:tip|pay|send)\b",
    r"\bi\s*(?:'ll|\s+will)\s+(?:send|show|give|do)\b",
)


def broken(text: str, rules: tuple[Rule, ...]) -> list[str]:
    """The names of the rules the text breaks."""
    return [name for name, patterns in rules if any(p.search(text) for p in patterns)]
