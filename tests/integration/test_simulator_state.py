"""The payment simulator's state is shared by every process on one database: two simulators
(as two workers hold) answer one idempotency key with one object, whoever asks first, and each
sees what the other made."""

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from adapters.stripe.simulator import LocalPaymentSimulator
from domain.catalogue import find_pack
from projections.db import PostgresReadModelDb
from tests.conftest import PG_URL


@pytest.mark.postgres
def test_two_simulators_on_one_database_are_one_stripe(pg_schema) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{pg_schema}"')
    dbs = [PostgresReadModelDb(PG_URL, pg_schema) for _ in range(2)]
    try:
        workers = [LocalPaymentSimulator("whsec", "http://127.0.0.1:9", db) for db in dbs]
        pack = find_pack("pack_500")
        assert pack is not None

        def open_checkout(n: int) -> str:
            return workers[n % 2].create_checkout_session(
                pack=pack, fan_id="fan-1", success_url="", cancel_url="",
                idempotency_key="checkout-1").id

        with ThreadPoolExecutor(8) as pool:
            opened = set(pool.map(open_checkout, range(16)))
        assert len(opened) == 1  # one session for the key, whichever worker made it
        [session_id] = opened
        assert workers[1].session(session_id) == workers[0].session(session_id)
        account = workers[0].create_connect_account(creator_user_id="creator-1", country=None,
                                                    business_type=None, idempotency_key="acct")
        assert workers[1].has_account(account)
        transfer = workers[1].create_transfer(payout_id="p-1", account_id=account,
                                              amount_minor=500, currency="gbp",
                                              idempotency_key="t-1")
        found = workers[0].transfer_for("p-1")
        assert found is not None and found.id == transfer
        assert [t["type"] for t in workers[0].balance_transactions(0, 2**40)] == ["transfer"]
    finally:
        for db in dbs:
            db.close()
