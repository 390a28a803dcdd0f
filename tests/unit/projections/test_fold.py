"""The fold layer's working set: what a handler may read, how totals and logs gather changes."""

import pytest

from projections.catalog import all_projections
from projections.db import SqliteReadModelDb
from projections.fold import KEYED, LOG, TOTALS, Fold, NotLoadedError, State, Table

ROWS = Table("t_rows", KEYED, ("id",), ("id", "n"), {"n": 0})
SUMS = Table("t_sums", TOTALS, ("who", "day"), ("who", "day", "a", "b"))
LINES = Table("t_lines", LOG, ("position",), ("position", "ref", "note"), patch_by="ref")


def test_every_fold_table_lists_the_columns_its_ddl_makes() -> None:
    db = SqliteReadModelDb(":memory:")
    try:
        for fold in (p for p in all_projections() if isinstance(p, Fold)):
            with db.transaction() as tx:
                for statement in fold.ddl:
                    tx.execute(statement)
            for table in fold.schema:
                columns = [r["name"] for r in db.query(f"PRAGMA table_info({table.name})")]
                assert tuple(columns) == table.columns, table.name
    finally:
        db.close()


def test_a_row_not_loaded_cannot_be_read_with_no_database_unless_the_state_is_complete() -> None:
    with pytest.raises(NotLoadedError, match="t_rows id 'x'"):
        State((ROWS,), complete=False)[ROWS].get("x")
    complete = State((ROWS,), complete=True)[ROWS]
    assert complete.get("x") is None
    complete.put(ROWS.new(id="x"))
    assert complete.get("x") == {"id": "x", "n": 0} and complete.dirty == {"x"}


def test_totals_gather_sums_per_key_and_skip_what_adds_nothing() -> None:
    sums = State((SUMS,), complete=False)[SUMS]
    sums.add(("c1", "d1"), {"a": 3})
    sums.add(("c1", "d1"), {"a": 2, "b": -1})
    sums.add(("c2", "d1"), {"a": 0, "b": 0})
    assert sums.rows == {("c1", "d1"): {"who": "c1", "day": "d1", "a": 5, "b": -1}}


def test_a_patch_changes_a_waiting_row_in_memory_and_is_kept_for_a_written_one() -> None:
    lines = State((LINES,), complete=False)[LINES]
    lines.append({"position": 1, "ref": "r1", "note": None})
    lines.patch("r1", {"note": "here"})
    lines.patch("r0", {"note": "written before"})
    assert lines.pending == [{"position": 1, "ref": "r1", "note": "here"}]
    assert lines.patches == [("r0", {"note": "written before"})]
