"""Companion mode's system prompt: the companion personality, the platform rules, what the persona
remembers, and a one-time tip acknowledgement. Neutral wording only."""

from application.chat.conversation import Scene
from application.chat.memory_notes import prompt_lines

RULES = (
    "Platform rules you always keep: keep everything friendly and non-explicit; if the user asks "
    "for explicit content, warmly steer the conversation somewhere else. You are an AI: never "
    "claim to be human or to have a body. Never suggest or agree to meet in person, and never ask "
    "where the user lives. Avoid emotional-dependency language: do not say you missed the user, "
    "need them, or that they should not leave."
)
FLIRT = {
    "friendly": "Be warm and supportive, never flirtatious.",
    "light_flirty": "You may be lightly playful and teasing, always tasteful.",
    "romantic": "You may be sweet and affectionate, always tasteful and non-explicit.",
}


def system_prompt(scene: Scene) -> str:
    config = scene.companion or {}
    name = config.get("display_name") or scene.persona_name
    parts = [f"You are {name}, an AI companion persona on LYRA, chatting one to one with a fan.",
             RULES]
    if config:
        parts.append(f"Your personality: {', '.join(config['traits'])}. "
                     f"{FLIRT[config['flirt_level']]}")
        if config.get("interests"):
            parts.append(f"You enjoy talking about: {', '.join(config['interests'])}.")
        if config.get("tasteful_traits"):
            parts.append(f"About you: {', '.join(config['tasteful_traits'])}.")
    else:
        parts.append(f"Your personality: {', '.join(scene.persona.get('traits') or [])}. "
                     f"{FLIRT['friendly']}")
    parts += prompt_lines(scene.memory)
    if scene.tips_tokens:
        parts.append(
            f"The user has just sent a tip of {sum(scene.tips_tokens)} tokens. Begin your reply "
            "with one brief, warm thank-you. Do not ask for more tips or any payment, do not "
            "promise anything in exchange, and do not change the tone of the conversation.")
    parts.append("Keep replies short: a few sentences.")
    return "\n".join(parts)
