"""Which projections handle each event type, and with which method, worked out once per type.

Projections declare their handlers with singledispatchmethod, whose lookup builds a new bound
wrapper on every call: with a dozen read models and mostly ignored events, that alone was half of
a rebuild's time. Resolved once per (projection, event type), an ignored event costs nothing.
"""

import dis
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from projections.base import Projection

Handler = Callable[[Any, Any, int], None]


class Fanout:
    def __init__(self, projections: Sequence[Projection]) -> None:
        self._projections = list(projections)
        self._by_type: dict[type, list[tuple[Projection, Handler]]] = {}

    def handlers(self, event_type: type) -> list[tuple[Projection, Handler]]:
        found = self._by_type.get(event_type)
        if found is None:
            found = self._by_type[event_type] = [
                (p, handler) for p in self._projections
                if (handler := _handler(p, event_type)) is not None]
        return found


def _handler(projection: Projection, event_type: type) -> Handler | None:
    """The projection's bound handler for the type, or None where it ignores it."""
    method = inspect.getattr_static(projection, "process")
    dispatcher = getattr(method, "dispatcher", None)
    if dispatcher is None:  # a plain method: it sees every event
        return projection.process  # type: ignore[no-any-return]
    projection.process  # noqa: B018 - applies any registrations deferred until first use
    func = dispatcher.dispatch(event_type)
    if func is dispatcher.registry[object] and _does_nothing(func):
        return None  # the default handler, and it is empty: the type is ignored
    return func.__get__(projection)  # type: ignore[no-any-return]


def _does_nothing(func: Any) -> bool:
    """True for a function whose body is only `pass` (and perhaps a docstring)."""
    code = getattr(func, "__code__", None)
    if code is None:
        return False
    steps = [(i.opname, i.argval) for i in dis.get_instructions(code)
             if i.opname not in ("RESUME", "NOP")]
    return steps in ([("LOAD_CONST", None), ("RETURN_VALUE", None)],
                     [("RETURN_CONST", None)])
