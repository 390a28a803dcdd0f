"""The `lyra` command: serve the API, mint development tokens, run projections and hold releases."""

import argparse
import contextlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters import heap
from application.settings import get_settings
from domain.errors import DomainError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lyra", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1,
                       help="processes serving requests (PostgreSQL only; one per core)")
    serve.add_argument("--demo", action="store_true",
                       help="fill an empty development ledger with the demo marketplace first")

    token = commands.add_parser("token", help="mint a development bearer token")
    token.add_argument("--sub", required=True, help="the user id")
    token.add_argument("--role", action="append", default=[], help="fan, creator, admin, ...")
    token.add_argument("--ttl", type=int, default=86_400, help="seconds")

    creators = commands.add_parser("creators", help="creator standing")
    creators_sub = creators.add_subparsers(dest="action", required=True)
    add = creators_sub.add_parser("add", help="register a creator who may receive money")
    add.add_argument("user_id")
    add.add_argument("--name", default=None)

    projections = commands.add_parser("projections", help="read models")
    projections_sub = projections.add_subparsers(dest="action", required=True)
    rebuild = projections_sub.add_parser("rebuild", help="drop and replay from the first event")
    rebuild.add_argument("names", nargs="*", help="projection names (default: all)")
    follow = projections_sub.add_parser("run", help="follow the ledger until interrupted")
    follow.add_argument("--parent-pid", type=int,
                        help="stop when this process ends (lyra serve's own follower)")
    projections_sub.add_parser("status", help="positions and lag")

    replay = commands.add_parser("replay", help="auditor and finance replays")
    replay_sub = replay.add_subparsers(dest="action", required=True)
    as_of = replay_sub.add_parser("as-of", help="a fan's or creator's balances at a past moment")
    as_of.add_argument("--at", required=True, help="ISO 8601 with a time zone")
    as_of.add_argument("--fan")
    as_of.add_argument("--creator")
    diff = replay_sub.add_parser("diff", help="earnings changes between two moments")
    diff.add_argument("--since", required=True, help="ISO 8601 with a time zone")
    diff.add_argument("--until", help="ISO 8601 with a time zone (default: now)")
    diff.add_argument("--creator")

    ledger = commands.add_parser("ledger", help="whole-ledger checks")
    ledger_sub = ledger.add_subparsers(dest="action", required=True)
    balance = ledger_sub.add_parser(
        "trial-balance", help="every token and penny in one place (exit 1 if not)")
    balance.add_argument("--at", help="ISO 8601 with a time zone (default: now)")
    ledger_sub.add_parser("verify", help="walk the hash chain; exit 1 at the first tampered event")
    ledger_sub.add_parser("checkpoint", help="sign a checkpoint of everything recorded (hourly)")

    audit = commands.add_parser("audit", help="what an outside auditor takes away")
    export = audit.add_subparsers(dest="action", required=True).add_parser(
        "export", help="a creator's or a fan's money history with proofs "
                       "(verify: tools/lyra_verify.py)")
    whose = export.add_mutually_exclusive_group(required=True)
    whose.add_argument("--creator")
    whose.add_argument("--fan")
    export.add_argument("--until", help="ISO 8601 with a time zone (default: everything)")
    export.add_argument("--out", required=True, help="the archive to write (.zip)")

    holds = commands.add_parser("holds", help="earnings holds")
    holds.add_subparsers(dest="action", required=True).add_parser(
        "release", help="release holds whose 14 days have passed")

    media = commands.add_parser("media", help="the content library's stored files")
    media_sub = media.add_subparsers(dest="action", required=True)
    sweep = media_sub.add_parser(
        "sweep", help="remove stored files no item refers to (run daily; safe to repeat)")
    media_sub.add_parser("prepare", help="prepare videos still waiting (after a crash)")
    sweep.add_argument("--older-than-minutes", type=_at_least_five, default=60,
                       help="only files written longer ago than this (at least 5)")

    chat = commands.add_parser("chat", help="persona chat")
    chat.add_subparsers(dest="action", required=True).add_parser(
        "settle-stale",
        help="give back messages, paid or included, whose reply never came (run every minute)")

    payouts = commands.add_parser("payouts", help="creator payouts through Stripe Connect")
    payouts_sub = payouts.add_subparsers(dest="action", required=True)
    run = payouts_sub.add_parser(
        "run", help="pay every creator who may be paid (weekly; safe to repeat and to resume)")
    run.add_argument("--run-key", help="names the run (default: this ISO week)")
    rebuild_payouts = payouts_sub.add_parser(
        "rebuild", help="each payout of a period against what it would pay today")
    rebuild_payouts.add_argument("--since", required=True)
    rebuild_payouts.add_argument("--until", required=True)
    rebuild_payouts.add_argument("--creator")

    safety = commands.add_parser("safety", help="the safety checks")
    evaluate = safety.add_subparsers(dest="action", required=True).add_parser(
        "eval", help="block precision, block+review recall and benign rows sent to review, per "
        "category and language, on a labelled set (issue 35's three parts by default)")
    evaluate.add_argument("file", nargs="?", help="a labelled set (TSV: label, category, "
                          "language, text; labels block, review or pass)")
    evaluate.add_argument("--model", action="store_true",
                          help="also rate every row with the configured provider (needs "
                          "ANTHROPIC_API_KEY): the model alone, and the rules and the model")
    evaluate.add_argument("--show-errors", action="store_true")

    finance = commands.add_parser("finance", help="finance's checks against Stripe")
    reconcile_cmd = finance.add_subparsers(dest="action", required=True).add_parser(
        "reconcile", help="Stripe's balance transactions against the ledger; exit 1 if not")
    reconcile_cmd.add_argument("--since", required=True)
    reconcile_cmd.add_argument("--until", required=True)

    args = parser.parse_args(argv)
    settings = get_settings()

    if args.command == "serve":
        import uvicorn

        from api.main import create_app
        from api.serving import serve_in_workers
        from application.safety.tables.loader import LanguageFileError
        from application.safety.tables.matcher import load_tables

        try:  # before any process starts: a language file that does not load stops the server
            load_tables(settings.safety_language_dir)
        except LanguageFileError as error:
            print(f"lyra: a language file does not load: {error}", file=sys.stderr)
            return 2

        if args.demo:
            settings = _with_demo(settings)
            if settings is None:
                return 2
        if "LYRA_PUBLIC_URL" not in os.environ:  # the simulator posts webhooks back to us here
            os.environ["LYRA_PUBLIC_URL"] = f"http://{args.host}:{args.port}"
            settings = settings.model_copy(update={"public_url": os.environ["LYRA_PUBLIC_URL"]})
        postgres = settings.database_url.startswith(("postgresql", "postgres:"))
        if args.workers > 1 and not postgres:
            print("--workers needs PostgreSQL (LYRA_DATABASE_URL): SQLite has one writer",
                  file=sys.stderr)
            return 2
        os.environ["LYRA_SETTLE_HEAP"] = "true"  # for every worker (adapters.heap)
        settings = settings.model_copy(update={"settle_heap": True})
        follower = None
        if postgres and settings.run_projections:
            # On PostgreSQL the read models are followed by a process of their own, so request
            # handling never shares an interpreter with them (they fell behind under load).
            follower = subprocess.Popen([sys.executable, "-m", "cli", "projections",
                                         "run", "--parent-pid", str(os.getpid())])
            os.environ["LYRA_RUN_PROJECTIONS"] = "false"
            os.environ["LYRA_PROJECTIONS_FOLLOWED_ELSEWHERE"] = "true"
            settings = settings.model_copy(update={"run_projections": False,
                                                   "projections_followed_elsewhere": True})
        try:
            if args.workers > 1:  # each worker builds its own core from the environment
                serve_in_workers("api.main:create_app", args.host, args.port, args.workers)
            else:
                uvicorn.run(create_app(settings=settings), host=args.host, port=args.port)
        finally:
            if follower is not None:
                follower.terminate()
                follower.wait(timeout=30)
        return 0
    if args.command == "safety":
        return _evaluate_safety(args, settings)
    if args.command == "token":
        from api.auth import mint_token

        print(mint_token(settings, args.sub, args.role or ["fan"], args.ttl))
        return 0
    return _run_core_command(args, settings)


def _with_demo(settings: Any) -> Any:
    """The ledger filled with the demo marketplace when empty; the settings that say whether
    its people are there (the sign-in page offers them). None when the demo is refused."""
    from demo.fill import DemoRefusedError, fill

    try:
        filled = fill(settings, lambda line: print(f"lyra: {line}", file=sys.stderr))
    except DemoRefusedError as error:
        print(f"lyra: --demo refused: {error}", file=sys.stderr)
        return None
    if filled.filled:
        print(f"lyra: demo marketplace ready ({filled.events} events); sign in at /login",
              file=sys.stderr)
    elif filled.present:
        print("lyra: the demo marketplace is already in this ledger", file=sys.stderr)
    else:
        print(f"lyra: the ledger already holds {filled.events}+ events: the demo is not added",
              file=sys.stderr)
    os.environ["LYRA_DEMO"] = "true" if filled.present else "false"  # for every worker
    return settings.model_copy(update={"demo": filled.present})


def _evaluate_safety(args: argparse.Namespace, settings: Any) -> int:
    """The rule layers on a labelled set, and with --model the provider's rating too."""
    from importlib import resources

    from application.bootstrap import chat_model
    from application.safety import evaluation, model_gate
    from application.safety.blocked_terms import BlockedTermFilter, shipped_terms
    from application.safety.screen import Screen
    from application.safety.tables.matcher import load_tables

    if args.file:
        with open(args.file, encoding="utf-8") as handle:
            rows = evaluation.parse(handle.read())
    else:
        from tools.filter_eval import MEANING_PARTS
        rows = [row for part in MEANING_PARTS
                for row in evaluation.parse(resources.files("application.safety").joinpath(
                    part).read_text())]
    screen = Screen(BlockedTermFilter(shipped_terms()), load_tables(settings.safety_language_dir))
    rules = {row.text: screen.check({"text": row.text}).outcome for row in rows}
    print("# the rule layers\n" + evaluation.summary(
        evaluation.score(rows, rules.__getitem__), args.show_errors))
    if not args.model:
        return 0
    model = chat_model(settings)
    if not getattr(model, "rates_messages", False):
        print("no provider is configured (ANTHROPIC_API_KEY): the offline stand-in rates "
              "nothing", file=sys.stderr)
        return 2
    threshold = settings.safety_model_gate_confidence
    ratings = {row.text: model_gate.rate(model, row.text) for row in rows}
    unread = sum(r.status != "given" for r in ratings.values())

    def by_model(text: str) -> str:
        return "block" if ratings[text].status == "given" and ratings[text].refused(threshold) \
            else "pass"

    def together(text: str) -> str:
        return "block" if by_model(text) == "block" else rules[text]
    print(f"\n# the model alone (blocks at {threshold}; {unread} of {len(rows)} rows unrated)\n"
          + evaluation.summary(evaluation.score(rows, by_model), args.show_errors))
    print("\n# the rules and the model\n" + evaluation.summary(
        evaluation.score(rows, together), args.show_errors))
    return 0


def _at_least_five(text: str) -> int:
    """A sweep's grace period leaves uploads in flight time to be recorded."""
    minutes = int(text)
    if minutes < 5:
        raise argparse.ArgumentTypeError("at least 5 minutes, so uploads in flight are kept")
    return minutes


def _run_core_command(args: argparse.Namespace, settings: object) -> int:
    from application.bootstrap import build_core

    core = build_core(settings)  # type: ignore[arg-type]
    try:
        return _dispatch(args, core)
    except DomainError as error:  # a refusal, not a crash: say why, machine-readably
        print(json.dumps({"error": {"code": error.code, "message": error.message}}),
              file=sys.stderr)
        return 2
    finally:
        core.close()


def _scheduled(core: Any, job: str, work: Any) -> None:
    """A scheduled job under its lock: its result, or that another host is running it."""
    outcome = core.scheduled.run(job, work)
    print(json.dumps(outcome.get("result", outcome), indent=2, default=str))


def _dispatch(args: argparse.Namespace, core: Any) -> int:
    from replay.diff import earnings_diff
    from replay.progress import progress_bar
    from replay.scoped import earnings_as_of, wallet_as_of
    from replay.trial_balance import trial_balance_as_of, trial_balance_now
    from replay.verify import verify_ledger

    if args.command == "creators":
        creator = core.creators.register(args.user_id, args.name or args.user_id, "cli")
        print(json.dumps({"creator_id": creator.user_id, "status": creator.status}))
    elif args.command == "projections" and args.action == "rebuild":
        os.nice(10)  # maintenance: the money paths on this host come first for the CPU
        with progress_bar("rebuilding", core.ledger.max_position()) as advance:
            processed = core.projections.rebuild(args.names or None, advance=advance)
        print(json.dumps({"rebuilt": args.names or "all", "events_processed": processed}))
    elif args.command == "projections" and args.action == "run":
        print("following the ledger; Ctrl-C to stop", file=sys.stderr)
        heap.settle()
        parent = args.parent_pid
        with contextlib.suppress(KeyboardInterrupt):
            core.projections.follow(lambda: parent is None or os.getppid() == parent)
    elif args.command == "projections":
        print(json.dumps(core.projections.status(), indent=2))
    elif args.command == "replay" and args.action == "as-of":
        moment = datetime.fromisoformat(args.at)
        report: dict[str, object] = {"at": args.at}
        if args.fan:  # their own streams only, as the API does
            report["wallet"] = wallet_as_of(core.ledger, args.fan, moment)
        if args.creator:
            core.projections.catch_up()  # the creator-to-holds index
            report["earnings"] = earnings_as_of(core.ledger, args.creator,
                                                core.queries.hold_ids(args.creator), moment)
        print(json.dumps(report, indent=2, default=str))
    elif args.command == "replay":
        until = datetime.fromisoformat(args.until) if args.until else datetime.now(UTC)
        if args.creator:
            core.projections.catch_up()
            changes = earnings_diff(core.ledger, datetime.fromisoformat(args.since), until,
                                    args.creator, core.queries.hold_ids(args.creator))
        else:  # the whole ledger, replayed up to each moment
            with progress_bar("replaying", 2 * core.ledger.max_position()) as advance:
                changes = earnings_diff(core.ledger, datetime.fromisoformat(args.since), until,
                                        advance=advance)
        print(json.dumps(changes, indent=2, default=str))
    elif args.command == "ledger" and args.action == "verify":
        chain = verify_ledger(core.ledger, show_progress=sys.stderr.isatty())
        print(json.dumps(chain.as_dict(), indent=2))
        return 0 if chain.intact else 1
    elif args.command == "ledger" and args.action == "checkpoint":
        _scheduled(core, "ledger checkpoint", core.checkpoints.take)
    elif args.command == "audit":
        export_until = datetime.fromisoformat(args.until) if args.until else None
        if args.creator:
            core.projections.catch_up()  # the creator-to-holds index
            archive = core.audit_exports.creator(args.creator, export_until)
        else:
            archive = core.audit_exports.fan(args.fan, export_until)
        Path(args.out).write_bytes(archive.data)
        print(json.dumps({"out": args.out, "events": archive.summary["events"],
                          "bytes": archive.summary["bytes"],
                          "checkpoint": archive.summary["checkpoint"]["sequence"],
                          "public_key": core.checkpoints.public_key()["public_key"]}, indent=2))
    elif args.command == "ledger":
        if args.at:
            with progress_bar("replaying", core.ledger.max_position()) as advance:
                balance = trial_balance_as_of(core.ledger, datetime.fromisoformat(args.at),
                                              advance)
        else:
            balance = trial_balance_now(core.projections)
        print(json.dumps({"at": args.at, **balance.as_dict()}, indent=2))
        return 0 if balance.balanced else 1
    elif args.command == "holds":
        core.projections.catch_up()
        _scheduled(core, "holds release", lambda: {"released": core.holds.release_due()})
    elif args.command == "media" and args.action == "prepare":
        core.projections.catch_up()  # every upload recorded is in the read model
        _scheduled(core, "media prepare", core.videos.prepare_pending)
    elif args.command == "media":
        _scheduled(core, "media sweep", lambda: core.media_sweep.run(
            timedelta(minutes=args.older_than_minutes)).as_dict())
    elif args.command == "chat":
        core.projections.catch_up()
        _scheduled(core, "chat settle-stale", lambda: {"given_back": core.stale_turns.settle()})
    elif args.command == "finance":
        from application.reconciliation import reconcile
        from projections.reconciliation import LedgerMoney

        core.projections.catch_up()
        result = reconcile(core.gateway, LedgerMoney(core.read_db),
                           datetime.fromisoformat(args.since), datetime.fromisoformat(args.until))
        print(json.dumps(result, indent=2, default=str))
        return 0 if result["reconciled"] else 1
    elif args.command == "payouts" and args.action == "run":
        _scheduled(core, "payouts run", lambda: core.payouts.run(args.run_key).as_dict())
    elif args.command == "payouts":
        from replay.payout_rebuild import payout_rebuild

        core.projections.catch_up()
        print(json.dumps(payout_rebuild(
            core.read_db, datetime.fromisoformat(args.since).isoformat(),
            datetime.fromisoformat(args.until).isoformat(), args.creator), indent=2,
            default=str))
    return 0

