"""Hunt for the next imbalance: run the whole-ledger state machine with fresh seeds until the
time is up.

    .venv/bin/python -m tools.soak --minutes 60 [--seed S] [--steps 120]

Each round is one seed: a few histories of up to --steps rules, each checked after every step
(the trial balance, a model of what Stripe reported, read models equal to a rebuild), against
the PostgreSQL of the tests (LYRA_TEST_DATABASE_URL). It prints the rounds, histories and steps
run and the deepest history; on a failure, the seed and the shrunk history that reproduces it
(Hypothesis shrinks it first), and exits 1. `--seed S` runs that one seed again.
"""

import argparse
import random
import sys
import time
import traceback

import hypothesis.core
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from rich.console import Console

from tests.integration.test_ledger_state_machine import STATS, Ledger


def _round(seed: int, histories: int, steps: int, rebuild_every: int) -> None:
    """One seed's histories. Hypothesis has no per-call seed for a state machine; its forced
    global seed is what `pytest --hypothesis-seed` sets, and no example database is used."""
    hypothesis.core.global_force_seed = seed
    Ledger.rebuild_every = rebuild_every
    try:
        run_state_machine_as_test(Ledger, settings=settings(
            max_examples=histories, stateful_step_count=steps, deadline=None, database=None,
            suppress_health_check=list(HealthCheck), print_blob=True))
    finally:
        hypothesis.core.global_force_seed = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, help="run this one seed again")
    parser.add_argument("--steps", type=int, default=120, help="rules per history, at most")
    parser.add_argument("--histories", type=int, default=8, help="histories per seed")
    parser.add_argument("--rebuild-every", type=int, default=10,
                        help="steps between two rebuild checks (the trial balance is every step)")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or min(args.steps, args.histories, args.rebuild_every) < 1:
        parser.error("--minutes, --steps, --histories and --rebuild-every must be positive")
    console = Console(stderr=True)
    deadline = time.monotonic() + args.minutes * 60
    started = time.monotonic()
    rounds = 0
    while rounds == 0 or (args.seed is None and time.monotonic() < deadline):
        seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(128)
        rounds += 1
        try:
            _round(seed, args.histories, args.steps, args.rebuild_every)
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            print("".join(traceback.format_exception(error)), file=sys.stderr)
            print(f"FAILED after {rounds} rounds: reproduce with\n  .venv/bin/python -m "
                  f"tools.soak --seed {seed} --steps {args.steps} "
                  f"--histories {args.histories} --rebuild-every {args.rebuild_every}\n"
                  "(the shrunk history is printed above)")
            _summary(started, rounds, seed)
            return 1
        console.log(f"round {rounds} (seed {seed}): {STATS['runs']} histories, "
                    f"{STATS['steps']} steps, deepest {STATS['longest_history_steps']} steps / "
                    f"{STATS['largest_ledger_events']} events")
    _summary(started, rounds, None)
    return 0


def _summary(started: float, rounds: int, failed_seed: int | None) -> None:
    minutes = (time.monotonic() - started) / 60
    print(f"soak: {minutes:.1f} minutes, {rounds} seeds, {STATS['runs']} histories, "
          f"{STATS['steps']} steps, deepest history {STATS['longest_history_steps']} steps and "
          f"{STATS['largest_ledger_events']} events, {STATS['payouts']} payouts "
          f"(fates {STATS['payout_fates']}), "
          f"{'no failure' if failed_seed is None else f'FAILED at seed {failed_seed}'}")
    print(f"soak figures: {STATS}")


if __name__ == "__main__":
    sys.exit(main())
