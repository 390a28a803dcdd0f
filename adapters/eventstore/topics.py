"""Short topics for LYRA's aggregates and events: `lyra:Wallet.TokensSpent`, not
`domain.aggregates.wallet:Wallet.TokensSpent`.

Every stored event names its class by topic, and an aggregate's first event names the
aggregate's class too: the module path was about a hundred bytes of every tip. A short topic
is registered for each class, and the library's topic cache answers it when events are stored.
Topics written before (module paths) still resolve as they always did, by import.

The library's own way, an explicit `TOPIC` on every aggregate and every event class, would be
the same names written out by hand in thirty modules; this registers them from the classes.
"""

import importlib
import pkgutil
from typing import Any

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import _type_cache, register_topic

import domain.aggregates
from domain.chat_thread import ChatThread

PREFIX = "lyra:"


def _aggregates() -> list[type[Aggregate]]:
    found: list[type[Aggregate]] = [ChatThread]
    for module_info in pkgutil.iter_modules(domain.aggregates.__path__):
        module = importlib.import_module(f"domain.aggregates.{module_info.name}")
        found += [value for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, Aggregate)
                  and value.__module__ == module.__name__]
    return found


def _named(cls: Any) -> None:
    topic = PREFIX + cls.__qualname__
    register_topic(topic, cls)
    _type_cache[cls] = topic


def register_short_topics() -> None:
    """Idempotent: each class keeps the one short topic its name gives."""
    for aggregate in _aggregates():
        _named(aggregate)
        for value in vars(aggregate).values():
            if isinstance(value, type) and issubclass(value, CanMutateAggregate) \
                    and value.__qualname__.startswith(aggregate.__qualname__ + "."):
                _named(value)
