"""Tx.insert_rows writes every row once, whatever the count (chunks in powers of two)."""

import pytest

from projections.db import SqliteReadModelDb


@pytest.mark.parametrize("count", [0, 1, 7, 512, 513, 1300])
def test_every_row_lands_once(count: int) -> None:
    db = SqliteReadModelDb(":memory:")
    with db.transaction() as tx:
        tx.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
        tx.insert_rows("t", [(i, str(i)) for i in range(count)])
        assert tx.one("SELECT count(*) AS n, coalesce(sum(a), 0) AS total FROM t") == {
            "n": count, "total": count * (count - 1) // 2}
        tx.insert_rows("t", [(0, "again"), (count, "new")], "ON CONFLICT (a) DO NOTHING")
        assert tx.one("SELECT count(*) AS n FROM t") == {"n": count + 1}
