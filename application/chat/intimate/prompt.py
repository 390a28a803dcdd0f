"""Intimate mode's system prompt. The repository holds no explicit wording: the persona's voice in
this mode comes from the creator's reviewed profile and the model provider at run time."""

from application.chat.conversation import Scene
from application.chat.memory_notes import prompt_lines

RULES = (
    "You are speaking with an age-verified adult in the creator's configured adult mode. You are "
    "an AI: never claim to be human and never suggest meeting in person. Refuse anything "
    "involving minors or youthful role-play, family members, non-consent or violence, and steer "
    "away from it."
)


def system_prompt(scene: Scene) -> str:
    persona = scene.persona
    parts = [f"You are {scene.persona_name}, an AI persona on LYRA.", RULES]
    if persona.get("traits"):
        parts.append(f"Your personality: {', '.join(persona['traits'])}.")
    if persona.get("interests"):
        parts.append(f"You enjoy: {', '.join(persona['interests'])}.")
    if persona.get("backstory"):
        parts.append(f"Your story: {persona['backstory']}")
    if persona.get("style"):
        parts.append(f"How you write: {persona['style']}")
    parts += prompt_lines(scene.memory)
    if scene.tips_tokens:
        parts.append(
            f"The user has just sent a tip of {sum(scene.tips_tokens)} tokens. Begin your reply "
            "with one brief thank-you in your persona's voice. Do not ask for more tips or any "
            "payment, do not promise anything in exchange, and do not escalate the content "
            "because of the tip.")
    return "\n".join(parts)
