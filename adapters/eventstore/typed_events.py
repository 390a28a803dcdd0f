"""Stored events decoded straight into typed structures: what projections and replays read.

A stored state is a MessagePack array tagged with its shape (msgpack_transcoder.py). For each
topic, each shape of it met is given a msgspec structure named after the event class, with the
shape's fields (ids typed as UUIDs, built in C) and the stream's id and version after them (the
id as the reader gives it: the ledger's read path gives text, what read models store); a decoder
per topic knows the topic's shapes by their tags. Decoding a state is then one call into
C, and no library event object (nor the dict it is built around) is made on the read path.

A structure carries its event class as `event_class`, which is what projections dispatch on (an
event that had to take the slow path is the class itself). The slow path, the library's mapper,
takes a state no structure knows: one written as a map or as JSON (before positional states),
or of a class with a version to upcast (the mapper upcasts it, once for that event). Each is
counted by topic, and the first of each topic is logged, so a rebuild's figures say how often.
"""

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Union
from uuid import UUID

import msgspec
from eventsourcing.utils import resolve_topic

from adapters.eventstore.field_names import FIELD_NAMES
from adapters.eventstore.msgpack_transcoder import UUID_FIELD

log = logging.getLogger(__name__)

_SHAPE = "_shape"
_POSITIONAL = frozenset((*range(0x90, 0xA0), 0xDC, 0xDD))  # how a MessagePack array starts
_STREAM = [("originator_id", Any, None), ("originator_version", int, 0)]

SlowPath = Callable[[str, Any, int, bytes], Any]


def event_class(event: Any) -> type:
    """The domain event class an event read from the ledger stands for."""
    cls = type(event)
    return getattr(cls, "event_class", cls)  # type: ignore[no-any-return]


class TypedEvents:
    """Decodes stored rows into typed events; learns each topic's shapes as it meets them."""

    def __init__(self, ext_hook: Callable[[int, memoryview], Any], slow_path: SlowPath) -> None:
        self._ext_hook = ext_hook
        self._slow_path = slow_path
        self._decoders: dict[str, msgspec.msgpack.Decoder[Any]] = {}
        self._shapes: dict[str, dict[str, type[msgspec.Struct]]] = {}
        self._untagged = msgspec.msgpack.Decoder(ext_hook=ext_hook)
        self._lock = threading.Lock()
        self.slow_paths: Counter[str] = Counter()  # topic -> events decoded the slow way

    def decode(self, topic: str, originator_id: Any, version: int, state: bytes) -> Any:
        decoder = self._decoders.get(topic)
        try:
            event = decoder.decode(state)  # type: ignore[union-attr]
        except (AttributeError, msgspec.ValidationError):  # a topic or shape not seen yet
            event = self._learn(topic, state)
            if event is None:
                return self._slow(topic, originator_id, version, state)
        event.originator_id = originator_id
        event.originator_version = version
        return event

    def _learn(self, topic: str, state: bytes) -> Any:
        """The state's shape made a structure of its topic, and the state decoded by it; None
        when it is not positional, or its class has a version to upcast."""
        cls = resolve_topic(topic)
        if not state or state[0] not in _POSITIONAL or getattr(cls, "class_version", 1) > 1:
            return None
        shape = self._untagged.decode(state)[0]
        msgspec.msgpack.encode(shape)  # caches its UTF-8, which tag matching reads (see the
        ids = [ord(code) >= UUID_FIELD for code in shape]  # transcoder's _learn)
        fields = [(FIELD_NAMES[ord(code) - UUID_FIELD] if is_id else FIELD_NAMES[ord(code)],
                   UUID if is_id else Any) for code, is_id in zip(shape, ids, strict=True)]
        with self._lock:
            shapes = self._shapes.setdefault(topic, {})
            if shape not in shapes:
                shapes[shape] = msgspec.defstruct(
                    cls.__qualname__, [*fields, *_STREAM], array_like=True, tag=shape,
                    tag_field=_SHAPE, namespace={"event_class": cls}, gc=False,
                    module=__name__)
                self._decoders[topic] = msgspec.msgpack.Decoder(
                    Union[tuple(shapes.values())],  # noqa: UP007 - built at run time
                    ext_hook=self._ext_hook)
        return self._decoders[topic].decode(state)

    def _slow(self, topic: str, originator_id: Any, version: int, state: bytes) -> Any:
        """The library's event, its stream's id a UUID as the library's events have it."""
        if not self.slow_paths[topic]:
            log.warning("events of %s are decoded by the library's mapper (a state no typed "
                        "structure knows: written as a map or JSON, or to upcast)", topic)
        self.slow_paths[topic] += 1
        return self._slow_path(topic, UUID(str(originator_id)), version, state)
