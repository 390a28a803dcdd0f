"""Who may be paid: a persona on sale and a creator in good standing. Every way a fan pays (a
spend of tokens, a subscription by card) asks the same two questions of what it loaded."""

from typing import Any
from uuid import UUID

from application.personas import UnknownPersonaError
from domain import ids
from domain.aggregates.creator import Creator
from domain.aggregates.persona import Persona
from domain.errors import CreatorCannotReceiveError, UnknownCreatorError

Loaded = dict[UUID, Any]


def receiving_creator(loaded: Loaded, creator_id: str) -> Creator:
    creator: Creator | None = loaded.get(ids.creator_id(creator_id))
    if creator is None:
        raise UnknownCreatorError(f"no creator {creator_id}")
    if not creator.can_receive_money:
        raise CreatorCannotReceiveError("this creator cannot receive payments right now")
    return creator


def live_persona(loaded: Loaded, persona_id: str) -> Persona:
    persona = loaded.get(as_uuid(persona_id))
    if not isinstance(persona, Persona) or not persona.published or persona.live is None:
        raise UnknownPersonaError("this persona is not published")
    return persona


def as_uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        return UUID(int=0)  # an id that no aggregate has: reads as unknown
