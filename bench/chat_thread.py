"""What one chat message costs as its thread grows: a message in a thread of 10 answered
messages against one in a thread of 1,000 and of 5,000, measured in one run (offline model, so
no provider time; in-process, so no HTTP).

Each long thread is written straight to the ledger (its messages and replies, in one save), then
`--turns` paid messages are sent in it one after another: the charge, the model call, the checks
and the recorded reply. The short thread is the baseline; a message should cost the same however
long the conversation before it. `--compare` runs the same again the old way (no snapshots, every
message kept in the thread's state), side by side in the same run.

Usage: .venv/bin/python -m bench.chat_thread [--lengths 10,1000,5000] [--turns 30] [--compare]
       (LYRA_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test)
"""

import argparse
import time
from datetime import UTC, datetime

from adapters.eventstore.ledger import Ledger
from application.bootstrap import Core
from bench.chat import percentile
from bench.tips import drop_schema, make_core, new_schema, seed, storefront
from domain import chat_thread

PRICE_TOKENS = 5


def grow(core: Core, fan_id: str, persona_id: str, length: int) -> None:
    """A thread of `length` answered messages, saved at once (what months of chat leave)."""
    policy = core.companion_chat.conversation.policy
    thread = policy.thread_type(fan_id=fan_id, persona_id=persona_id)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(length):
        thread.send(f"old-{n}", f"Earlier message {n}.", "included", 0, None, at)
        thread.deliver(f"old-{n}", f"Earlier reply {n}.", False, [], [], at)
    core.ledger.save(thread)


def turns(core: Core, fan_id: str, persona_id: str, count: int) -> list[float]:
    chat = core.companion_chat.conversation
    took = []
    for n in range(count):
        started = time.perf_counter()
        turn = chat.begin(fan_id, persona_id, f"Hello, message {n}.", None, PRICE_TOKENS)
        assert [name for name, _ in chat.reply(turn)][-1] == "done"
        took.append((time.perf_counter() - started) * 1000)
    return took


def measure(label: str, lengths: list[int], count: int) -> None:
    schema = new_schema("chat_thread")
    core = make_core(schema, 2)
    try:
        seed(core, len(lengths) + 1, 1)
        persona_id, _ = storefront(core)
        turns(core, f"fan-{len(lengths)}", persona_id, 5)  # warm up: caches, connections
        results = {}
        for fan, length in enumerate(lengths):
            grow(core, f"fan-{fan}", persona_id, length)
            results[length] = turns(core, f"fan-{fan}", persona_id, count)
        base = percentile(results[lengths[0]], 0.5)
        print(f"{label:<36} {'p50 ms':>8} {'p99 ms':>8} {'p50 against the shortest':>26}")
        for length, took in results.items():
            p50 = percentile(took, 0.5)
            print(f"{length:<36,} {p50:8.1f} {percentile(took, 0.99):8.1f} {p50 / base:26.2f}")
    finally:
        core.close()
        drop_schema(schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="10,1000,5000")
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    measure("thread length (answered messages)", lengths, args.turns)
    if args.compare:
        Ledger.snapshotted = ()
        chat_thread.WINDOW_MESSAGES = chat_thread.WINDOW_TIPS = 10**9
        measure("the old way: whole thread, no snapshot", lengths, args.turns)


if __name__ == "__main__":
    main()
