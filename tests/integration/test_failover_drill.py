"""The failover drill, on a primary and a synchronous standby of the suite's own: under keyed tip
load the primary dies, the standby is promoted, the application is pointed at it and retries
every tip that got no answer. Every acknowledged tip is there exactly once, every retried one
too, the hash chain verifies and the trial balance holds.

It needs synchronous replication (synchronous_standby_names = '*', synchronous_commit = on):
a commit is acknowledged only once the standby has it. With the asynchronous default, a tip
acknowledged in the last moments before the crash can be missing from the promoted standby:
acknowledged to the fan, then lost."""

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg

from application.bootstrap import Core, build_core
from application.settings import Settings
from application.spending.commands import send_tip
from domain import ids
from replay.trial_balance import trial_balance_now
from replay.verify import verify_ledger
from tests.fakes.clusters import primary_and_standby
from tests.helpers import fund

FANS, TIPS_EACH, AMOUNT = 4, 60, 10


def core_on(url: str, clock) -> Core:  # type: ignore[no-untyped-def]
    return build_core(Settings(database_url=url, db_schema="lyra", environment="test",
                               group_commit_window_ms=2, run_projections=False), clock=clock)


def test_a_failover_loses_no_acknowledged_tip_and_duplicates_none(clock) -> None:
    with primary_and_standby(synchronous=True) as clusters:
        first = core_on(clusters.primary, clock)
        first.creators.register("creator-1", "Luna", "admin")
        for fan in range(FANS):
            fund(first, f"fan-{fan}", "pack_5500")
        acknowledged: set[tuple[str, str]] = set()
        unanswered: set[tuple[str, str]] = set()
        lock = threading.Lock()
        crashed = threading.Event()

        def tips(fan: int) -> None:
            """A client sending its tips in turn; at its first unanswered one it stops, and
            keeps that one and the rest to send again once the service is back."""
            for n in range(TIPS_EACH):
                key = (f"fan-{fan}", f"drill-{n}")
                if n == TIPS_EACH // 3 and fan == 0:
                    crashed.set()
                try:
                    first.spending.send(send_tip(key[0], "creator-1", AMOUNT,
                                                 idempotency_key=key[1]))
                except Exception:  # noqa: BLE001 - the primary died under it: no answer
                    with lock:
                        unanswered.update((key[0], f"drill-{m}") for m in range(n, TIPS_EACH))
                    return
                with lock:
                    acknowledged.add(key)

        with ThreadPoolExecutor(max_workers=FANS) as pool:
            running = [pool.submit(tips, fan) for fan in range(FANS)]
            crashed.wait(60)
            clusters.stop_primary()  # the crash, mid-load
            for future in running:
                future.result()
        with contextlib.suppress(Exception):  # its connections died with the primary
            first.close()
        assert acknowledged and unanswered, (len(acknowledged), len(unanswered))

        clusters.promote_standby()
        for _ in range(200):
            with psycopg.connect(clusters.standby, autocommit=True) as conn:
                if conn.execute("SELECT pg_is_in_recovery()").fetchone() == (False,):
                    break
            time.sleep(0.05)
        second = core_on(clusters.standby, clock)  # the application, pointed at it
        try:
            for fan, key in sorted(unanswered):  # the clients retry what got no answer
                second.spending.send(send_tip(fan, "creator-1", AMOUNT, idempotency_key=key))
            for fan, key in sorted(acknowledged)[:10]:  # and a retry of an answered one
                second.spending.send(send_tip(fan, "creator-1", AMOUNT, idempotency_key=key))
            every = acknowledged | unanswered
            tips = second.ledger.get_many([ids.tip_id_for_key(f, k) for f, k in every])
            assert len(tips) == len(every)  # every tip there, exactly once by its key
            for fan in range(FANS):
                wallet = second.ledger.get_snapshotted(ids.wallet_id(f"fan-{fan}"))
                assert wallet.balance_tokens == 5_500 - TIPS_EACH * AMOUNT  # charged once each
            assert verify_ledger(second.ledger).intact
            assert trial_balance_now(second.projections).balanced
            print(f"\nfailover drill: {len(acknowledged)} tips acknowledged before the crash, "
                  f"{len(unanswered)} unanswered and retried, 0 lost, 0 duplicated")
        finally:
            second.close()
