"""How the ledger stores an event's state: MessagePack through msgspec, events written as JSON
before it still readable.

JSON spelled every datetime and id as a tagged object (`{"_type_":"datetime_iso","_data_":…}`,
65 bytes for a moment), and decoding called back into Python for every object. MessagePack
keeps a moment in its 12-byte timestamp and an id in 18 bytes, and msgspec decodes it in C:
half the bytes and a third of the decode time of the library's JSON transcoder, measured on a
tip's three events (bench/bytes_per_tip.py, bench/rebuild.py).

An event's state is stored by position: a MessagePack array whose first item names its fields
(one character per field, the character's code point being the field's code in
`field_names.py`, append only), then their values in that order. That first item is a msgspec
tag, so a state is decoded in C straight into a typed structure per shape of fields, found by
its tag (an untyped map decode, then naming its keys in Python, cost three times as much).
A field whose value is an id has its character's code point raised by UUID_FIELD and its value
stored as 16 bytes of binary: the structure types it as a UUID, which msgspec builds in C (as
an extension, every id called back into Python, and ids were most of a tip's decode time).
States written as a map of codes to values, before, read as they were. What changes in meaning
is nothing: values come back as JSON gave them (tuples as lists,
mapping keys as text), ids as UUIDs, moments as the same instants (in UTC, or exactly as
written when they had another zone or none), and registered transcodings (a wallet's lots) as
their objects. A stored state that starts with `{` was written as JSON and is read as JSON.
"""

import threading
from datetime import UTC, datetime
from typing import Any, Union
from uuid import UUID, SafeUUID

import msgspec
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from adapters.eventstore.field_names import FIELD_CODES, FIELD_NAMES

_ID, _TRANSCODED, _MOMENT = 1, 2, 3  # MessagePack extension codes
_JSON = ord("{")  # how a state written as JSON starts
_POSITIONAL = frozenset((*range(0x90, 0xA0), 0xDC, 0xDD))  # how a MessagePack array starts
UUID_FIELD = 0x400  # added to a field's code in a shape: its value is an id, as 16 bytes
_SHAPE = "_shape"  # the tag's name in a positional state's structure (not a field name)
_NAMES = list(FIELD_NAMES)  # a list indexes faster than a tuple in the decode loop
_PLAIN = (str, int, float, bool, type(None))
_new, _set, _from_bytes, _UNKNOWN = object.__new__, object.__setattr__, int.from_bytes, SafeUUID.unknown
_asdict = msgspec.structs.asdict


def shape_of(codes: list[int]) -> str:
    """A positional state's tag: its fields' codes, in order, one character each."""
    return "".join(map(chr, codes))


class MsgpackTranscoder(JSONTranscoder):
    """Writes MessagePack; reads MessagePack, or JSON for states written before it."""

    def __init__(self) -> None:
        super().__init__()
        self._packer = msgspec.msgpack.Encoder(uuid_format="bytes")
        self._unpacker = msgspec.msgpack.Decoder(ext_hook=self.ext_hook)
        self._shapes: dict[str, type[msgspec.Struct]] = {}  # tag -> its structure
        self._shapes_lock = threading.Lock()
        self._positional: Any = None  # a decoder for every shape seen so far

    def encode(self, obj: Any) -> bytes:
        """An event's state by position (a field not in `field_names.py`: as a map, its
        known names as their codes)."""
        if not isinstance(obj, dict):  # what the mapper hands over is always a mapping
            raise TypeError(f"an event's state is a mapping, not {type(obj).__name__}")
        try:
            codes = [FIELD_CODES[key] for key in obj]
        except KeyError:  # a name not listed (or not text)
            return self._packer.encode({
                FIELD_CODES.get(key, key if type(key) is str else str(key)): self._plain(value)
                for key, value in obj.items()})
        values = list(obj.values())
        shape = shape_of([code + UUID_FIELD if type(value) is UUID else code
                          for code, value in zip(codes, values, strict=True)])
        return self._packer.encode(
            [shape, *(value if type(value) is UUID else self._plain(value) for value in values)])

    def decode(self, data: bytes) -> Any:
        first = data[0]
        if first in _POSITIONAL:
            try:
                return _asdict(self._positional.decode(data))
            except (msgspec.ValidationError, AttributeError):  # a shape not seen yet: learn it
                return self._learn(data)
        if first == _JSON:
            return super().decode(data)
        state = self._unpacker.decode(data)
        if type(state) is not dict:
            return state
        try:  # every field coded (the list indexed by a name raises TypeError)
            return {_NAMES[key]: value for key, value in state.items()}
        except TypeError:  # a field stored by its name (one added since the list was frozen)
            return {FIELD_NAMES[key] if type(key) is int else key: value
                    for key, value in state.items()}

    def _learn(self, data: bytes) -> dict[str, Any]:
        """A positional state of a shape this process has not decoded before: read untyped, and
        its structure added to the decoder for next time."""
        shape, *values = self._unpacker.decode(data)
        # msgspec matches a tag through the text's cached UTF-8, which a string it decoded has
        # not made yet when the text is not ASCII (every code past 127): without this, such a
        # shape was never matched and every state of it was read untyped, a page at a time.
        self._packer.encode(shape)
        ids = [ord(code) >= UUID_FIELD for code in shape]
        names = [FIELD_NAMES[ord(code) - UUID_FIELD if is_id else ord(code)]
                 for code, is_id in zip(shape, ids, strict=True)]
        if len(names) != len(values):
            raise ValueError(f"a state shaped for {len(names)} fields holds {len(values)}")
        values = [UUID(bytes=value) if is_id else value
                  for value, is_id in zip(values, ids, strict=True)]
        with self._shapes_lock:
            if shape not in self._shapes:
                self._shapes[shape] = msgspec.defstruct(
                    f"Shape{len(self._shapes)}",
                    [(name, UUID if is_id else Any) for name, is_id in zip(names, ids, strict=True)],
                    array_like=True, tag=shape, tag_field=_SHAPE)
                self._positional = msgspec.msgpack.Decoder(
                    Union[tuple(self._shapes.values())],  # noqa: UP007 - built at run time
                    ext_hook=self.ext_hook)
        return dict(zip(names, values, strict=True))

    def _plain(self, value: Any) -> Any:
        """The value with what MessagePack has no type for as extensions (once, on write, so
        that reading needs no walk in Python)."""
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is dict:
            return {key if type(key) is str else str(key): self._plain(item)
                    for key, item in value.items()}
        if kind is list or kind is tuple:
            return [self._plain(item) for item in value]
        if kind is UUID:
            return msgspec.msgpack.Ext(_ID, value.bytes)
        if kind is datetime:
            if value.tzinfo is UTC:
                return value
            return msgspec.msgpack.Ext(_MOMENT, value.isoformat().encode())
        transcoding = self.types.get(kind)
        if transcoding is None:  # subclasses of plain values, as JSON wrote them
            if isinstance(value, str):
                return str.__add__("", value)
            for plain in (bool, int, float):
                if isinstance(value, plain):
                    return plain(value)
            if isinstance(value, dict | list | tuple):
                return self._plain(dict(value) if isinstance(value, dict) else list(value))
            raise TranscodingNotRegisteredError(
                f"Object of type {kind} is not serializable: register a transcoding for it")
        return msgspec.msgpack.Ext(_TRANSCODED, self._packer.encode(
            [transcoding.name, self._plain(transcoding.encode(value))]))

    def ext_hook(self, code: int, data: memoryview) -> Any:
        if code == _ID:  # as UUID(bytes=...) builds it, without its checks (a third the time)
            uuid = _new(UUID)
            _set(uuid, "int", _from_bytes(data))
            _set(uuid, "is_safe", _UNKNOWN)
            return uuid
        if code == _MOMENT:
            return datetime.fromisoformat(bytes(data).decode())
        if code == _TRANSCODED:
            name, encoded = self._unpacker.decode(data)
            try:
                return self.names[name].decode(encoded)
            except KeyError:
                raise TranscodingNotRegisteredError(
                    f"Data serialized with name {name!r} is not deserializable") from None
        raise ValueError(f"unknown MessagePack extension {code}")
