"""Stored events name their fields by position in `FIELD_NAMES`: the list only ever grows, and
every field of today's event classes is in it (a new field not added would still be stored, as
text, but would cost its name in every event)."""

import hashlib

from eventsourcing.domain import CanMutateAggregate

from adapters.eventstore.field_names import FIELD_CODES, FIELD_NAMES
from adapters.eventstore.msgpack_transcoder import UUID_FIELD
from adapters.eventstore.topics import _aggregates

FROZEN = 170  # entries whose positions stored events already use
FROZEN_DIGEST = "d3424c9aee957447688f571038c471460615e07d1cb5d2cc0f1da3b3c28f2c9d"


def test_the_list_is_only_ever_appended_to() -> None:
    prefix = "\n".join(FIELD_NAMES[:FROZEN]).encode()
    assert hashlib.sha256(prefix).hexdigest() == FROZEN_DIGEST
    assert len(FIELD_CODES) == len(FIELD_NAMES)  # no name twice
    assert len(FIELD_NAMES) <= UUID_FIELD  # a code must not reach the mark of an id's field


def test_every_event_field_has_a_code() -> None:
    missing = {name for aggregate in _aggregates() for value in vars(aggregate).values()
               if isinstance(value, type) and issubclass(value, CanMutateAggregate)
               for cls in value.__mro__ for name in getattr(cls, "__annotations__", {})
               if name not in FIELD_CODES} - {"originator_id", "originator_version",
                                              "originator_id_type"}
    assert not missing, f"append these to FIELD_NAMES: {sorted(missing)}"
