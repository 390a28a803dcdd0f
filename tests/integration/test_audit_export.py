"""A creator's audit export, verified by the standalone verifier as an outside auditor would:
an honest archive agrees; every kind of tampering is caught and named."""

import base64
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from application.bootstrap import Core
from application.spending.commands import send_tip
from domain import ids
from domain.errors import DomainError
from tests.conftest import FakeClock
from tests.helpers import charge_refunded, fund
from tools.lyra_verify import main as verifier_main
from tools.lyra_verify import verify

BEFORE_PAYOUT: dict[int, datetime] = {}


def connected_creator(core: Core, user_id: str) -> None:
    core.creators.register(user_id, "Luna", "admin")
    creator = core.ledger.repository.get(ids.creator_id(user_id))
    creator.link_stripe_account(f"acct_{user_id}", core.clock())
    creator.record_stripe_status(True, True, [], core.clock())
    core.ledger.save(creator)


@pytest.fixture
def history(core: Core, clock: FakeClock) -> Core:
    """Tips from two fans, one fan's pack refunded in full (its tips reversed), a payout, more tips
    after it (still held), and another creator's tips that must stay out of the archive."""
    connected_creator(core, "creator-1")
    connected_creator(core, "creator-2")
    refunded = fund(core, "fan-1", "pack_1200")
    fund(core, "fan-2", "pack_2600")
    for n in range(6):
        core.spending.send(send_tip(f"fan-{1 + n % 2}", "creator-1", 150))
    core.spending.send(send_tip("fan-2", "creator-2", 40))
    core.stripe_events.handle(charge_refunded(refunded, 999, 999))
    time.sleep(0.01)
    BEFORE_PAYOUT[id(core)] = datetime.now(UTC)  # moments in the ledger are when it recorded
    time.sleep(0.01)
    clock.advance(days=15)
    core.payouts.minimum_minor = 100
    assert core.payouts.run("w1").as_dict()["paid_creators"] >= 1
    core.spending.send(send_tip("fan-2", "creator-1", 25))
    core.projections.catch_up()
    return core


def public_key(core: Core) -> bytes:
    return base64.b64decode(core.checkpoints.public_key()["public_key"])


def export(core: Core, tmp_path: Path, **kw: Any) -> Path:
    archive = core.audit_exports.creator("creator-1", **kw)
    path = tmp_path / "export.zip"
    path.write_bytes(archive.data)
    return path


def test_an_honest_export_agrees_with_the_events(history: Core, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = export(history, tmp_path)
    report = verify(str(path), public_key(history))
    assert report["agrees"], report["first_discrepancy"]
    checked = report["checked"]
    assert checked["holds"] == 7 and checked["payouts"] == 1
    statement = json.loads(zipfile.ZipFile(path).read("statement.json"))
    assert statement["totals"]["tokens"]["reversed"] > 0  # the refund reversed a share
    assert checked["totals"] == statement["totals"]
    # The other creator's money is not in the archive.
    events = zipfile.ZipFile(path).read("events.jsonl").decode()
    assert "creator-2" not in events
    # As a command, with the key in a file.
    key = tmp_path / "key.txt"
    key.write_text(history.checkpoints.public_key()["public_key"])
    assert verifier_main([str(path), "--public-key", str(key)]) == 0
    assert json.loads(capsys.readouterr().out)["agrees"]


def test_an_export_until_a_moment_leaves_out_what_came_after(history: Core,
                                                             tmp_path: Path) -> None:
    until = BEFORE_PAYOUT[id(history)]  # before the payout and the last tip
    report = verify(str(export(history, tmp_path, until=until)), public_key(history))
    assert report["agrees"], report["first_discrepancy"]
    assert report["checked"]["holds"] == 6 and report["checked"]["payouts"] == 0


def rewrite(path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    files = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    change(files)
    out = path.with_name("tampered.zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    out.write_bytes(buffer.getvalue())
    return out


def events_of(files: dict[str, bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in files["events.jsonl"].decode().splitlines()]


def set_events(files: dict[str, bytes], events: list[dict[str, Any]]) -> None:
    files["events.jsonl"] = "".join(json.dumps(e) + "\n" for e in events).encode()


def alter_event(files: dict[str, bytes]) -> None:
    events = events_of(files)
    held = next(e for e in events if e["topic"].endswith("EarningsHold.Held"))
    state = bytearray(base64.b64decode(held["state"]))
    state[-1] ^= 1  # one bit of the earning
    held["state"] = base64.b64encode(bytes(state)).decode()
    set_events(files, events)


def remove_event(files: dict[str, bytes]) -> None:
    events = events_of(files)
    later = {(e["stream"], e["version"] - 1) for e in events}
    released = next(e for e in events if e["topic"].endswith("EarningsHold.Released")
                    and (e["stream"], e["version"]) in later)  # one with events after it
    set_events(files, [e for e in events if e is not released])


def reorder_events(files: dict[str, bytes]) -> None:
    events = events_of(files)
    events[3], events[4] = events[4], events[3]
    set_events(files, events)


def proof_from_another_checkpoint(core: Core) -> Callable[[dict[str, bytes]], None]:
    def change(files: dict[str, bytes]) -> None:
        events = events_of(files)
        # The same event's proof in a later, larger tree: valid there, not under this root.
        core.spending.send(send_tip("fan-2", "creator-2", 1))
        later = core.checkpoints.take()
        events[0]["proof"] = core.checkpoints.inclusion([events[0]["position"]],
                                                        later["tree_size"])[events[0]["position"]]
        set_events(files, events)
    return change


def forge_signature(files: dict[str, bytes]) -> None:
    checkpoint = json.loads(files["checkpoint.json"])
    checkpoint["root_hash"] = "00" * 32
    files["checkpoint.json"] = json.dumps(checkpoint).encode()


def alter_statement(files: dict[str, bytes]) -> None:
    statement = json.loads(files["statement.json"])
    statement["totals"]["tokens"]["available"] += 1
    files["statement.json"] = json.dumps(statement).encode()


def alter_statement_and_manifest(files: dict[str, bytes]) -> None:
    alter_statement(files)
    manifest = json.loads(files["manifest.json"])
    manifest["files"]["statement.json"] = hashlib.sha256(files["statement.json"]).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()


@pytest.mark.parametrize(("name", "expected"), [
    ("altered", "not in checkpoint"),
    ("removed", "missing (an event removed)"),
    ("reordered", "out of ledger order"),
    ("other checkpoint", "not in checkpoint"),
    ("forged signature", "signature is not the key's"),
    ("statement altered", "statement.json: its SHA-256 is not the manifest's"),
    ("statement and manifest altered", "manifest: signature"),
])
def test_every_tampering_is_caught_and_named(history: Core, tmp_path: Path, name: str,
                                            expected: str) -> None:
    change = {"altered": alter_event, "removed": remove_event, "reordered": reorder_events,
              "other checkpoint": proof_from_another_checkpoint(history),
              "forged signature": forge_signature, "statement altered": alter_statement,
              "statement and manifest altered": alter_statement_and_manifest}[name]
    tampered = rewrite(export(history, tmp_path), change)
    report = verify(str(tampered), public_key(history))
    assert not report["agrees"]
    assert expected in report["first_discrepancy"], report["first_discrepancy"]


def test_another_key_is_refused(history: Core, tmp_path: Path) -> None:
    report = verify(str(export(history, tmp_path)), bytes(32))
    assert not report["agrees"] and "another public key" in report["first_discrepancy"]


def test_unknown_creator_and_a_moment_before_the_first_event(history: Core) -> None:
    with pytest.raises(DomainError) as unknown:
        history.audit_exports.creator("nobody")
    assert unknown.value.code == "unknown_creator"
    with pytest.raises(DomainError) as early:
        history.audit_exports.creator("creator-1",
                                      until=datetime.now(UTC) - timedelta(days=400))
    assert early.value.code == "before_first_event"


def test_ten_thousand_earnings_export_and_verify(make_core: Callable[..., Core],
                                                tmp_path: Path) -> None:
    """At the size the issue names: every proof checked, every earning recomputed."""
    from concurrent.futures import ThreadPoolExecutor

    core = make_core(group_commit_window_ms=2)
    core.creators.register("creator-1", "Luna", "admin")
    for fan in range(20):
        fund(core, f"fan-{fan}", "pack_5500")

    def tip(n: int) -> None:
        core.spending.send(send_tip(f"fan-{n % 20}", "creator-1", 10))

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(tip, range(10_000)))
    core.projections.catch_up()
    archive = core.audit_exports.creator("creator-1")
    path = tmp_path / "export.zip"
    path.write_bytes(archive.data)
    report = verify(str(path), public_key(core))
    assert report["agrees"], report["first_discrepancy"]
    assert report["checked"]["holds"] == 10_000
    assert report["checked"]["totals"]["tokens"]["held"] == 10_000 * 7  # 70% of 10 tokens each


def test_a_fans_export_agrees_and_a_credit_without_its_purchase_is_named(
        history: Core, tmp_path: Path) -> None:
    archive = history.audit_exports.fan("fan-1")
    path = tmp_path / "fan.zip"
    path.write_bytes(archive.data)
    report = verify(str(path), public_key(history))
    assert report["agrees"], report["first_discrepancy"]
    wallet = history.ledger.get_snapshotted(ids.wallet_id("fan-1"))
    assert report["checked"]["subject"] == {"kind": "fan", "id": "fan-1"}
    assert report["checked"]["wallet"]["balance_tokens"] == wallet.balance_tokens
    assert report["checked"]["wallet"]["reversed_tokens"] == 1_200  # the whole pack refunded

    def drop_the_purchase(files: dict[str, bytes]) -> None:
        events = events_of(files)
        set_events(files, [e for e in events if "TokenPurchase" not in e["topic"]])

    # Removing whole streams leaves no version gap: the manifest's hash names it ...
    report = verify(str(rewrite(path, drop_the_purchase)), public_key(history))
    assert "events.jsonl: its SHA-256 is not the manifest's" in report["first_discrepancy"]
    with pytest.raises(DomainError) as unknown:
        history.audit_exports.fan("nobody")
    assert unknown.value.code == "unknown_wallet"
