"""A read model as a fold: (its rows for the keys an event touches, the event) -> changed rows.

A fold names its tables (`Table`) and, per event class it cares about, a handler that reads and
changes rows in a working set (`State`), never the database. The runner applies a page of events
to the working set and a sink writes what changed once per table (fold_sinks.py): batched
upserts live, COPY into the staging schema on a rebuild, nothing at all when a fold runs in
memory (a test, or a property that compares the fold with what the database was given). Live
and rebuild run the same handlers; only the sink differs.

Three kinds of table, by how their rows change:
- `KEYED`: a row per key, read, replaced or deleted (a balance, a hold). A fold names the rows
  its handlers will read (`Fold.touches`) so that a page loads them in one query per table; a
  row found another way (by another column, or through a row just read) is fetched when read.
  The working set keeps rows across pages while this runner is the only writer.
- `TOTALS`: additive counters per key (a creator's totals, a day's movements): handlers add, and
  the sink adds the page's sums in one upsert, so they are never read.
- `LOG`: rows appended once (history, the audit log); a later event may still set columns of a
  row it finds by one column (`patch`), in memory while the row waits, by an UPDATE after.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from adapters.eventstore.typed_events import event_class

KEYED, TOTALS, LOG = "keyed", "totals", "log"
Row = dict[str, Any]
Handler = Callable[[Any, int, "State"], None]


@dataclass(frozen=True, eq=False)
class Table:
    name: str
    kind: str
    key: tuple[str, ...]  # what a row is found by (a primary key or unique column)
    columns: tuple[str, ...]  # every column, in the table's order
    defaults: Mapping[str, Any] = field(default_factory=dict)  # a new row's, where none given
    patch_by: str | None = None  # LOG: the column `patch` finds rows by
    blank: Row = field(init=False, repr=False)  # a new row before its values: copied, not built

    def __post_init__(self) -> None:
        blank = dict.fromkeys(self.columns)
        blank.update(self.defaults)
        object.__setattr__(self, "blank", blank)

    def new(self, **values: Any) -> Row:
        """A whole row: the values given, the defaults, None for the rest."""
        row = self.blank.copy()
        row.update(values)
        return row

    def key_of(self, row: Mapping[str, Any]) -> Any:
        return row[self.key[0]] if len(self.key) == 1 else tuple(row[c] for c in self.key)

    @property
    def counters(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.key)


Fetch = Callable[["Table", tuple[str, ...], list[Any]], list[Row]]  # (table, columns, values)


class NotLoadedError(LookupError):
    """A row was read that the state neither holds nor can fetch."""


class Keyed:
    __slots__ = ("complete", "dirty", "fetch", "looked_up", "rows", "stored", "table")

    def __init__(self, table: Table, complete: bool) -> None:
        self.table = table
        self.rows: dict[Any, Row | None] = {}  # loaded or written; None: known absent
        self.dirty: set[Any] = set()  # rows to write; a None among them, to delete
        self.stored: set[Any] = set()  # keys whose row the sink's database holds
        self.complete = complete  # every row is here: a key not loaded has no row
        self.looked_up: set[tuple[str, Any]] = set()  # (column, value) whose rows are here
        self.fetch: Fetch | None = None  # the sink's, for a row `touches` did not foresee

    def get(self, key: Any) -> Row | None:
        try:
            return self.rows[key]
        except KeyError:
            if self.complete:
                return None
            self._fetch(self.table.key, [key])
            return self.rows.setdefault(key, None)

    def where(self, column: str, value: Any) -> list[Row]:
        """Every row whose column holds the value (a column whose value a row keeps)."""
        if not self.complete and (column, value) not in self.looked_up:
            self._fetch((column,), [value])
            self.looked_up.add((column, value))
        return [row for row in self.rows.values() if row is not None and row[column] == value]

    def put(self, row: Row) -> None:
        key = self.table.key_of(row)
        self.rows[key] = row
        self.dirty.add(key)

    def update(self, key: Any, **values: Any) -> Row | None:
        """The row with these values; None, and nothing changed, when there is no row (as an
        UPDATE that matches nothing)."""
        row = self.get(key)
        if row is not None:
            row.update(values)
            self.put(row)
        return row

    def delete(self, key: Any) -> None:
        self.rows[key] = None
        self.dirty.add(key)

    def loaded(self, rows: list[Row]) -> None:
        """Rows read from the database: kept, unless this state holds a newer one."""
        for row in rows:
            key = self.table.key_of(row)
            if key not in self.rows:
                self.rows[key] = row
                self.stored.add(key)

    def _fetch(self, columns: tuple[str, ...], values: list[Any]) -> None:
        if self.fetch is None:
            raise NotLoadedError(f"{self.table.name} {', '.join(columns)} {values[0]!r}: not "
                                 "in a state with no database behind it")
        self.loaded(self.fetch(self.table, columns, values))


class Totals:
    __slots__ = ("rows", "table")

    def __init__(self, table: Table) -> None:
        self.table = table
        self.rows: dict[Any, Row] = {}  # key -> what was added since the last write

    def add(self, key: Any, deltas: Mapping[str, int]) -> None:
        if not any(deltas.values()):
            return
        row = self.rows.get(key)
        if row is None:
            keys = key if len(self.table.key) > 1 else (key,)
            row = self.rows[key] = dict(zip(self.table.key, keys, strict=True))
            row.update(dict.fromkeys(self.table.counters, 0))
        for column, delta in deltas.items():
            row[column] += delta


class Log:
    __slots__ = ("by", "patches", "pending", "table")

    def __init__(self, table: Table) -> None:
        self.table = table
        self.pending: list[Row] = []
        self.by: dict[Any, Row] = {}  # pending rows by table.patch_by
        self.patches: list[tuple[Any, Row]] = []  # (patch_by value, changes) for written rows

    def append(self, row: Row) -> None:
        self.pending.append(row)
        if self.table.patch_by is not None:
            self.by[row[self.table.patch_by]] = row

    def patch(self, value: Any, changes: Row) -> None:
        row = self.by.get(value)
        if row is not None:
            row.update(changes)
        else:
            self.patches.append((value, changes))


class State:
    """A fold's working set: its tables' rows this page reads or writes."""

    def __init__(self, tables: Sequence[Table], complete: bool) -> None:
        self.keyed = {t: Keyed(t, complete) for t in tables if t.kind == KEYED}
        self.totals = {t: Totals(t) for t in tables if t.kind == TOTALS}
        self.logs = {t: Log(t) for t in tables if t.kind == LOG}
        self.tables: dict[Table, Any] = {**self.keyed, **self.totals, **self.logs}

    def __getitem__(self, table: Table) -> Any:
        return self.tables[table]

    def fetching(self, fetch: Fetch | None) -> None:
        """Where rows not loaded beforehand are read from, for this page."""
        for keyed in self.keyed.values():
            keyed.fetch = fetch

    def size(self) -> int:
        return (sum(len(k.rows) for k in self.keyed.values())
                + sum(len(t.rows) for t in self.totals.values())
                + sum(len(log.pending) for log in self.logs.values()))


def on(*classes: type) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Marks a fold's method as the handler of these event classes."""
    def mark(method: Callable[..., None]) -> Callable[..., None]:
        method.folds = classes  # type: ignore[attr-defined]
        return method
    return mark


class Fold:
    """A projection: its tables, and handlers that change their rows in a `State` (see the
    module's docstring)."""

    name: str = ""
    version: int = 1  # bump when the tables or their meaning change: the runner rebuilds them
    schema: ClassVar[tuple[Table, ...]] = ()
    ddl: tuple[str, ...] = ()
    guards: dict[str, tuple[str, ...]] = {}  # per engine: triggers and the like, after the ddl
    # Indexes only readers use (no handler looks rows up by them): a rebuild stages the tables
    # without them and builds them once, after the rows, instead of updating them row by row.
    reader_indexes: tuple[str, ...] = ()
    # What replaying it costs beside the others, to balance a parallel rebuild's groups: about
    # its microseconds an event of a ledger of tips (bench/rebuild.py prints them).
    rebuild_weight: int = 1
    # Whether a rebuild may split it by key across processes: every event it handles belongs to
    # the rows of one `shard_key`, and its totals add up across shards.
    splits: bool = False

    def __init__(self) -> None:
        self.handlers: dict[type, Handler] = {}  # as declared by `on`
        for name in dir(type(self)):
            method = getattr(type(self), name)
            for cls in getattr(method, "folds", ()):
                self.handlers[cls] = getattr(self, name)
        self._by_class: dict[type, Handler | None] = {}

    def handler(self, cls: type) -> Handler | None:
        """The handler of an event class: its own, or the nearest of a class it derives from
        (a handler `on(object)` sees every event)."""
        try:
            return self._by_class[cls]
        except KeyError:
            found = next((self.handlers[c] for c in cls.__mro__ if c in self.handlers), None)
            self._by_class[cls] = found
            return found

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.schema)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        """The KEYED rows (table, key) the handler of this event will read, loaded for a whole
        page at once; a row not foreseen here is fetched when read, a query of its own."""
        return ()

    def shard_key(self, cls: type, event: Any) -> str | None:
        """What decides which share of a split rebuild applies the event, when it is not its
        stream (None)."""
        return None

    def new_state(self, complete: bool) -> State:
        return State(self.schema, complete)

    def apply(self, page: Iterable[tuple[int, type, Any]], state: State) -> None:
        apply_all([(self, state)], page)


def apply_all(folds: Sequence[tuple[Fold, State]], page: Iterable[tuple[int, type, Any]]) -> None:
    """A page's events through the handlers of these folds, each into its own state, in one
    pass: per event class, the folds that handle it are found once a page. A handler that
    raises is named with its event's position; the page's changes are then for the caller to
    drop."""
    plans: dict[type, list[tuple[Handler, State, Fold]]] = {}
    for position, cls, event in page:
        plan = plans.get(cls)
        if plan is None:
            plan = plans[cls] = [(handler, state, fold) for fold, state in folds
                                 if (handler := fold.handler(cls)) is not None]
        for handler, state, fold in plan:
            try:
                handler(event, position, state)
            except Exception as error:
                raise FoldError(fold.name, position, cls, error) from error


class FoldError(Exception):
    def __init__(self, name: str, position: int, cls: type, error: Exception) -> None:
        super().__init__(f"{name} failed on {cls.__qualname__} at position {position}: {error}")
        self.position = position


def classified(page: Sequence[tuple[int, Any]]) -> list[tuple[int, type, Any]]:
    """(position, event class, event) for each event of a page: found once for every fold."""
    return [(position, event_class(event), event) for position, event in page]


def in_memory(fold: Fold, page: Iterable[tuple[int, Any]]) -> State:
    """The fold over these events from nothing, with no database: what a property compares."""
    state = fold.new_state(complete=True)
    fold.apply(classified(list(page)), state)
    return state


def wanted(fold: Fold, page: Sequence[tuple[int, type, Any]],
           state: State) -> Iterator[tuple[Table, list[Any]]]:
    """Per KEYED table, the keys this page's handlers will read that the state lacks."""
    if all(keyed.complete for keyed in state.keyed.values()):
        return
    missing: dict[Table, dict[Any, None]] = {}
    for _, cls, event in page:
        if fold.handler(cls) is not None:
            for table, key in fold.touches(cls, event):
                keyed = state.keyed[table]
                if key not in keyed.rows and not keyed.complete:
                    missing.setdefault(table, {})[key] = None
    for table, keys in missing.items():
        yield table, list(keys)
