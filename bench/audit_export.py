"""A creator's audit export and its standalone verification, against the hash chain's own walk
of the whole ledger measured in the same run.

Builds a ledger on PostgreSQL where one creator earns N tips (from 200 fans) among tips to 49
other creators, then prints:
  - baseline: `lyra ledger verify` (the chain recomputed over every event), events/s;
  - the export: events in it, archive bytes, seconds, events/s and its ratio to the baseline;
  - the verifier (tools/lyra_verify.py, in this process): seconds, events/s and ratio;
  - a checkpoint taken after 1,000 more tips (what an hourly checkpoint costs), in ms.

Usage: .venv/bin/python -m bench.audit_export [--earnings 10000] [--others 10000]
"""

import argparse
import base64
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from application.spending.commands import send_tip
from bench.tips import drop_schema, make_core, new_schema, seed
from replay.verify import verify_ledger
from tools.lyra_verify import verify


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--earnings", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=10_000)
    args = parser.parse_args()
    schema = new_schema("audit")
    try:
        core = make_core(schema, window_ms=2)
        fans = 200
        seed(core, fans, 50)

        def tip(n: int) -> None:
            creator = "creator-0" if n < args.earnings else f"creator-{1 + n % 49}"
            core.spending.send(send_tip(f"fan-{n % fans}", creator, 5))

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(tip, range(args.earnings + args.others)))
        core.projections.catch_up()
        print(f"built: {args.earnings:,} earnings of creator-0 among "
              f"{args.earnings + args.others:,} tips, {core.ledger.max_position():,} events "
              f"in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        chain = verify_ledger(core.ledger)
        base_s = time.perf_counter() - started
        base_rate = chain.verified_events / base_s
        print(f"{'baseline: the hash chain walked over every event':<52} {base_rate:>10,.0f} "
              f"events/s  ({chain.verified_events:,} in {base_s:.2f} s)")

        core.checkpoints.take()
        started = time.perf_counter()
        archive = core.audit_exports.creator("creator-0")
        export_s = time.perf_counter() - started
        events = archive.summary["events"]
        print(f"{'export of creator-0 (proofs, statement, zip)':<52} {events / export_s:>10,.0f} "
              f"events/s  x{events / export_s / base_rate:.2f}  ({events:,} events, "
              f"{len(archive.data) / 1e6:.2f} MB, {export_s:.2f} s)")

        key = base64.b64decode(core.checkpoints.public_key()["public_key"])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.zip"
            path.write_bytes(archive.data)
            started = time.perf_counter()
            report = verify(str(path), key)
            verify_s = time.perf_counter() - started
        assert report["agrees"], report["first_discrepancy"]
        print(f"{'standalone verification (every proof, the money)':<52} "
              f"{events / verify_s:>10,.0f} events/s  x{events / verify_s / base_rate:.2f}  "
              f"({verify_s:.2f} s; {report['checked']['holds']:,} earnings agree)")

        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(tip, range(args.earnings, args.earnings + 1_000)))
        started = time.perf_counter()
        checkpoint = core.checkpoints.take()
        print(f"{'a checkpoint after 1,000 more tips':<52} "
              f"{(time.perf_counter() - started) * 1000:>10,.0f} ms  (tree of "
              f"{checkpoint['tree_size']:,} positions)")
        core.close()
    finally:
        drop_schema(schema)


if __name__ == "__main__":
    main()
