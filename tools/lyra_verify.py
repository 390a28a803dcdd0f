#!/usr/bin/env python3
"""Verify a LYRA audit export on your own machine, without LYRA.

    python lyra_verify.py export.zip --public-key <base64 key, or a file holding it>

Needs Python 3.11+ and `cryptography` (pip install cryptography); nothing else. Take the public
key from somewhere other than the archive (the platform's published key, a mirror of its
checkpoints): the archive's own copy only has to agree with it.

It checks, and reports the first problem it finds (exit 1) or agreement (exit 0):
  1. the checkpoint's Ed25519 signature, and the archive's (the manifest is signed too);
  2. every event: its chain entry from its bytes, and that entry's inclusion proof up to the
     checkpoint's Merkle root (RFC 6962); events in ledger order, no stream missing a version;
  3. every file's SHA-256 against the manifest;
  4. the money, from the events alone, by the documented rules (docs/money-rules.md). For a
     creator: each
     earning's split of the spend or invoice behind it (creator share = amount x bps / 10,000,
     floored), each earning's balances folded from its events (held, available, in payout,
     paid, reversed, clawbacks), each payout's amount from what it took and netted; then the
     statement LYRA computed is compared with that, figure by figure. For a fan: the wallet's
     balance and counters from its events, each credit against a paid purchase of that pack,
     each spend against the tip, unlock or message it paid for.
"""

import argparse
import base64
import hashlib
import json
import struct
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "lyra-audit-export/1"
FIGURES = ("amount", "held", "available", "in_payout", "paid", "reversed", "clawback",
           "clawback_in_payout", "clawback_recovered", "credit")


class Problem(Exception):
    pass


# -- hashes: the chain (adapters/eventstore/hash_chain.py), the tree (RFC 9162 §2.1) -----------

def chain_hash(previous: bytes, position: int, stream: UUID, version: int, topic: str,
               state: bytes) -> bytes:
    topic_bytes = topic.encode()
    return hashlib.sha256(previous + struct.pack(">q", position) + stream.bytes
                          + struct.pack(">q", version) + struct.pack(">i", len(topic_bytes))
                          + topic_bytes + struct.pack(">i", len(state)) + state).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def signed_text(checkpoint: dict[str, Any]) -> bytes:
    return (f"lyra-checkpoint/v1\n{checkpoint['tree_size']}\n{checkpoint['root_hash']}\n"
            f"{checkpoint['chain_head_hash']}\n{checkpoint['signed_at']}\n").encode()


# -- stored states: MessagePack (field names as codes), or JSON for older events --------------

def unpack(data: bytes) -> Any:
    pos = 0

    def take(n: int) -> bytes:
        nonlocal pos
        if pos + n > len(data):
            raise ValueError("truncated MessagePack")
        pos += n
        return data[pos - n:pos]

    def number(fmt: str) -> Any:
        return struct.unpack(">" + fmt, take(struct.calcsize(fmt)))[0]

    def ext(code: int, body: bytes) -> Any:
        if code == -1:  # the timestamp extension
            if len(body) == 4:
                seconds, nanos = struct.unpack(">I", body)[0], 0
            elif len(body) == 8:
                both = struct.unpack(">Q", body)[0]
                seconds, nanos = both & (2**34 - 1), both >> 34
            else:
                nanos, seconds = struct.unpack(">Iq", body)
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds,
                                                                  microseconds=nanos // 1000)
            return moment.isoformat()
        if code == 1:
            return str(UUID(bytes=body))
        if code == 3:
            return body.decode()
        if code == 2:
            return unpack(body)
        raise ValueError(f"unknown MessagePack extension {code}")

    def read() -> Any:
        b = take(1)[0]
        if b <= 0x7F:
            return b
        if b >= 0xE0:
            return b - 0x100
        if 0x80 <= b <= 0x8F:
            return {read(): read() for _ in range(b & 0x0F)}
        if 0x90 <= b <= 0x9F:
            return [read() for _ in range(b & 0x0F)]
        if 0xA0 <= b <= 0xBF:
            return take(b & 0x1F).decode()
        simple = {0xC0: None, 0xC2: False, 0xC3: True}
        if b in simple:
            return simple[b]
        sized = {0xC4: "B", 0xC5: "H", 0xC6: "I"}
        if b in sized:
            return take(number(sized[b]))
        if b in (0xC7, 0xC8, 0xC9):
            n = number({0xC7: "B", 0xC8: "H", 0xC9: "I"}[b])
            code = number("b")
            return ext(code, take(n))
        if b in (0xCA, 0xCB):
            return number("f" if b == 0xCA else "d")
        ints = {0xCC: "B", 0xCD: "H", 0xCE: "I", 0xCF: "Q", 0xD0: "b", 0xD1: "h", 0xD2: "i",
                0xD3: "q"}
        if b in ints:
            return number(ints[b])
        if 0xD4 <= b <= 0xD8:
            code = number("b")
            return ext(code, take(1 << (b - 0xD4)))
        if b in (0xD9, 0xDA, 0xDB):
            return take(number({0xD9: "B", 0xDA: "H", 0xDB: "I"}[b])).decode()
        if b in (0xDC, 0xDD):
            return [read() for _ in range(number("H" if b == 0xDC else "I"))]
        if b in (0xDE, 0xDF):
            return {read(): read() for _ in range(number("H" if b == 0xDE else "I"))}
        raise ValueError(f"not MessagePack: byte {b:#x}")

    value = read()
    if pos != len(data):
        raise ValueError("trailing bytes after MessagePack")
    return value


def decode_state(state: bytes, names: list[str]) -> dict[str, Any]:
    if state[:1] == b"{":
        return json.loads(state, object_hook=lambda o: o.get("_data_", o)
                          if set(o) == {"_type_", "_data_"} else o)
    values = unpack(state)
    if isinstance(values, list):  # by position: the first item names the fields, a character each
        shape, *fields = values  # a code raised by 0x400: the field is an id, as 16 bytes
        return {names[ord(code) % 0x400]: str(UUID(bytes=value)) if ord(code) >= 0x400 else value
                for code, value in zip(shape, fields, strict=True)}
    return {names[k] if isinstance(k, int) else k: v for k, v in values.items()}


# -- the money rules ---------------------------------------------------------------------------

def creator_share(amount: int, bps: int) -> int:
    return amount * bps // 10_000


class Hold:
    """An earning's balances, folded from its events (domain/aggregates/earnings_hold.py)."""

    def __init__(self, held: dict[str, Any]) -> None:
        self.unit = "minor" if held.get("source_amount_minor") else "tokens"
        self.amount = held["amount_minor"] if self.unit == "minor" else held["amount_tokens"]
        self.source_amount = held["source_amount_minor"] or held["source_amount_tokens"]
        self.source_kind, self.source_id = held["source_kind"], held["source_id"]
        self.creator_id = held["creator_id"]
        self.status = "held"
        self.held, self.available, self.in_payout, self.paid, self.reversed = \
            self.amount, 0, 0, 0, 0
        self.clawback = self.clawback_in_payout = self.clawback_recovered = self.credit = 0
        self.reservations: dict[str, list[int]] = {}
        self.settled: dict[str, list[int]] = {}

    def apply(self, kind: str, e: dict[str, Any]) -> None:
        def both(name: str) -> int:
            return int(e.get(f"{name}_tokens", 0) or 0) + int(e.get(f"{name}_minor", 0) or 0)

        amount = both("amount")
        if kind == "Released":
            self.held -= amount
            self.available += amount
            self.status = "available"
        elif kind == "PaidOut":
            self.available -= amount
            self.paid += amount
            self.status = "paid"
        elif kind == "Reserved":
            clawback = both("clawback")
            self.available -= amount
            self.in_payout += amount
            self.clawback -= clawback
            self.clawback_in_payout += clawback
            self.reservations[e["payout_ref"]] = [amount, clawback, 0,
                                                  int(e.get("change_tokens", 0) or 0)]
        elif kind == "Settled":
            clawback, forgiven, credit = both("clawback"), both("forgiven"), both("credit")
            change = int(e.get("change_tokens", 0) or 0)
            self.in_payout -= amount
            self.paid += amount - (forgiven + change - credit)
            self.available += forgiven + change
            self.credit += credit
            self.clawback_in_payout -= clawback
            self.clawback_recovered += clawback
            self.settled[e["payout_ref"]] = self.reservations.pop(e["payout_ref"])
            if self.available == 0 and self.in_payout == 0 and self.status != "held":
                self.status = "paid"
            elif self.available and self.status == "paid":
                self.status = "available"
        elif kind == "ReservationReturned":
            clawback = both("clawback")
            if e["was_settled"]:
                self.paid -= amount
                self.clawback_recovered -= clawback
                del self.settled[e["payout_ref"]]
            else:
                self.in_payout -= amount
                self.clawback_in_payout -= self.reservations.pop(e["payout_ref"])[1]
            taken_back, overpaid = both("taken_back"), both("overpaid")
            credit, credit_overpaid = both("credit"), both("credit_overpaid")
            self.available += amount - taken_back
            self.paid += taken_back - credit - credit_overpaid
            self.credit -= credit + credit_overpaid
            self.clawback += clawback + overpaid
            if self.status == "paid":
                self.status = "available"
        elif kind == "Reversed":
            if self.status == "held":
                self.held -= amount
            else:
                self.available -= amount
            self.reversed += amount
        elif kind == "ClawedBack":
            self.clawback += amount
        elif kind == "Reinstated":
            from_clawback, from_recovered = both("from_clawback"), both("from_recovered")
            credit = both("credit")
            by_payout = {ref: int(units) for ref, units in
                         (e.get("forgiven_in_payouts") or {}).items()}
            self.clawback -= from_clawback
            self.clawback_recovered -= from_recovered
            self.paid -= from_recovered - credit
            self.available += from_recovered
            self.credit += credit
            for ref, units in by_payout.items():
                self.reservations[ref][1] -= units
                self.reservations[ref][2] += units
                self.clawback_in_payout -= units
            again = amount - from_clawback - from_recovered - sum(by_payout.values())
            self.reversed -= again
            if self.status == "held":
                self.held += again
            else:
                self.available += again
            if self.status == "paid" and self.available:
                self.status = "available"
        else:
            raise Problem(f"hold {self.source_id}: event {kind} is not in the money rules")
        if min(self.figures().values()) < 0 or self.held + self.available + self.in_payout + \
                self.paid + self.reversed != self.amount + self.credit:
            raise Problem(f"hold of {self.source_kind} {self.source_id}: after {kind}, the "
                          f"balances do not add up to the earning: {self.figures()}")

    def figures(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURES}


SOURCES = {"Tip.Sent": "tokens", "Unlock.Purchased": "tokens",
           "MessageCharge.Charged": "tokens", "SubscriptionInvoice.Paid": "minor"}


def check_split(hold: Hold, source: dict[str, Any], kind: str, creator_id: str) -> None:
    unit = SOURCES[kind]
    amount, creator = source[f"amount_{unit}"], source[f"creator_{unit}"]
    where = f"{kind} {hold.source_id}"
    if creator != creator_share(amount, source["creator_bps"]):
        raise Problem(f"{where}: creator share {creator} is not {amount} x "
                      f"{source['creator_bps']} / 10,000 floored")
    if creator + source[f"platform_{unit}"] != amount:
        raise Problem(f"{where}: creator and platform shares do not add up to {amount}")
    if source["creator_id"] != creator_id or hold.creator_id != creator_id:
        raise Problem(f"{where}: earned by another creator")
    if (hold.unit, hold.amount, hold.source_amount) != (unit, creator, amount):
        raise Problem(f"{where}: the earning holds {hold.amount} {hold.unit} of "
                      f"{hold.source_amount}, the source gives {creator} {unit} of {amount}")


def check_payout(payout_id: str, created: dict[str, Any], holds: dict[str, Hold],
                 reserved: dict[tuple[str, str], tuple[int, int]]) -> None:
    p = created
    where = f"payout {payout_id}"
    if p["tokens_converted"] % 5 or p["minor_from_tokens"] != p["tokens_converted"] // 5 * 2:
        raise Problem(f"{where}: {p['tokens_converted']} tokens do not convert to "
                      f"{p['minor_from_tokens']}p at 250 tokens a pound, in 5-token steps")
    if p["tokens_converted"] != p["tokens_taken"] - (p["tokens_netted"]
                                                    - p["tokens_netted_with_minor"]):
        raise Problem(f"{where}: tokens converted are not tokens taken less the token debt "
                      f"netted against tokens")
    if p["minor_for_tokens_debt"] * 5 != (p["tokens_netted_with_minor"]
                                          + p["tokens_change"]) * 2:
        raise Problem(f"{where}: the pence spent on a token debt do not match the tokens it "
                      f"recovered")
    expected = p["minor_from_tokens"] + p["minor_taken"] - p["minor_netted"] - \
        p["minor_for_tokens_debt"]
    if p["amount_minor"] != expected:
        raise Problem(f"{where}: pays {p['amount_minor']}p, the rule gives {expected}p")
    taken = {"tokens": [0, 0], "minor": [0, 0]}
    for hold_id, unit, amount, netted, *_ in p["lines"]:
        taken[unit][0] += amount
        taken[unit][1] += netted
        if hold_id in holds and reserved.get((hold_id, payout_id)) != (amount, netted):
            raise Problem(f"{where}: its line for hold {hold_id} ({amount} taken, {netted} "
                          f"netted) is not what the hold reserved")
    if taken != {"tokens": [p["tokens_taken"], p["tokens_netted"]],
                 "minor": [p["minor_taken"], p["minor_netted"]]}:
        raise Problem(f"{where}: its lines do not add up to what it took and netted")


# -- the archive -------------------------------------------------------------------------------

def _kind(topic: str) -> str:
    return topic.rsplit(":", 1)[-1]  # lyra:Tip.Sent, or the long domain.aggregates.tip:Tip.Sent


def verify(archive_path: str, public_key: bytes) -> dict[str, Any]:
    try:
        archive = zipfile.ZipFile(archive_path)
        files = {name: archive.read(name) for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile) as error:
        return _report(Problem(f"not a readable archive: {error}"), {})
    checked: dict[str, Any] = {}
    try:
        _verify(files, public_key, checked)
    except Problem as problem:
        return _report(problem, checked)
    except (KeyError, ValueError, TypeError, IndexError) as error:
        return _report(Problem(f"malformed archive: {type(error).__name__}: {error}"), checked)
    return _report(None, checked)


def _report(problem: Problem | None, checked: dict[str, Any]) -> dict[str, Any]:
    return {"agrees": problem is None, "first_discrepancy": str(problem) if problem else None,
            "checked": checked}


def _verify(files: dict[str, bytes], public_key: bytes, checked: dict[str, Any]) -> None:
    for name in ("manifest.json", "manifest.sig", "checkpoint.json", "public_key.json",
                 "events.jsonl", "field_names.json", "statement.json"):
        if name not in files:
            raise Problem(f"{name} is missing from the archive")
    key = Ed25519PublicKey.from_public_bytes(public_key)
    stated = json.loads(files["public_key.json"])
    if base64.b64decode(stated["public_key"]) != public_key:
        raise Problem("the archive names another public key than the one given")
    checkpoint = json.loads(files["checkpoint.json"])
    try:
        key.verify(bytes.fromhex(checkpoint["signature"]), signed_text(checkpoint))
    except InvalidSignature:
        raise Problem(f"checkpoint {checkpoint['sequence']}: signature is not the key's "
                      f"(forged or altered)") from None
    checked["checkpoint"] = {k: checkpoint[k] for k in ("sequence", "tree_size", "signed_at")}
    try:
        key.verify(base64.b64decode(files["manifest.sig"]), files["manifest.json"])
    except InvalidSignature:
        raise Problem("manifest: signature is not the key's (the archive was altered "
                      "after export)") from None
    manifest = json.loads(files["manifest.json"])
    if manifest.get("format") != FORMAT:
        raise Problem(f"manifest: format {manifest.get('format')!r} is not {FORMAT}")
    if manifest["checkpoint_sequence"] != checkpoint["sequence"]:
        raise Problem("manifest: exported against another checkpoint than the one enclosed")

    names = json.loads(files["field_names.json"])
    root = bytes.fromhex(checkpoint["root_hash"])
    size = checkpoint["tree_size"]
    events = [json.loads(line) for line in files["events.jsonl"].decode().splitlines() if line]
    last_position = 0
    versions: dict[str, list[int]] = {}
    decoded = []
    for event in events:
        position, stream = event["position"], UUID(event["stream"])
        if position <= last_position:
            raise Problem(f"event at position {position}: out of ledger order (after "
                          f"{last_position})")
        last_position = position
        state = base64.b64decode(event["state"])
        entry = chain_hash(bytes.fromhex(event["previous_chain_hash"]), position, stream,
                           event["version"], event["topic"], state)
        leaf = hashlib.sha256(b"\x00" + entry).digest()
        proof = [bytes.fromhex(h) for h in event["proof"]]
        if root_from_inclusion(position - 1, size, leaf, proof) != root:
            raise Problem(f"event at position {position} ({_kind(event['topic'])}): not in "
                          f"checkpoint {checkpoint['sequence']} (altered, or a proof that "
                          f"leads to another root)")
        versions.setdefault(event["stream"], []).append(event["version"])
        decoded.append((position, event["stream"], _kind(event["topic"]),
                        decode_state(state, names)))
    for stream_id, seen in versions.items():
        if seen != list(range(1, len(seen) + 1)):
            missing = sorted(set(range(1, max(seen) + 1)) - set(seen))
            raise Problem(f"stream {stream_id}: version {missing[0] if missing else seen} "
                          f"missing (an event removed)")
    checked["events"] = len(events)
    for name, digest in manifest["files"].items():
        if hashlib.sha256(files.get(name, b"")).hexdigest() != digest:
            raise Problem(f"{name}: its SHA-256 is not the manifest's")
    if manifest["events"] != len(events):
        raise Problem(f"manifest: {manifest['events']} events, the archive has {len(events)}")
    subject = manifest.get("subject") or {"kind": "creator", "id": manifest.get("creator_id")}
    checked["subject"] = subject
    statement = json.loads(files["statement.json"])
    if subject["kind"] == "fan":
        _recompute_fan(decoded, statement, subject["id"], checked)
    else:
        _recompute(decoded, statement, subject["id"], checked)


WALLET_FIGURES = ("balance_tokens", "credited_tokens", "spent_tokens", "reversed_tokens",
                  "spends_reversed_tokens", "debt_tokens")


def _recompute_fan(events: list[tuple[int, str, str, dict[str, Any]]],
                   statement: dict[str, Any], fan_id: str, checked: dict[str, Any]) -> None:
    """A wallet's balance and counters from its events (domain/wallet_movements.py), each
    credit against the purchase that paid for it, each spend against what it bought."""
    figures = dict.fromkeys(WALLET_FIGURES, 0)
    purchases: dict[str, dict[str, Any]] = {}
    spends: dict[str, dict[str, Any]] = {}
    credits, spent = [], []
    for _, stream, kind, v in events:
        if kind == "TokenPurchase.Started":
            purchases[stream] = {"tokens": v["tokens"], "fan_id": v["fan_id"], "paid": False}
        elif kind == "TokenPurchase.Completed" and stream in purchases:
            purchases[stream]["paid"] = True
        elif kind in SOURCES:
            spends[stream] = v
        elif kind.startswith("Wallet."):
            name = kind.split(".", 1)[1]
            moved = _wallet_movement(name, v)
            for figure, value in moved.items():
                figures[figure] += value
            if name == "TokensCredited":
                credits.append(v)
            elif name == "TokensSpent":
                spent.append(v)
    for credit in credits:
        bought = purchases.get(str(credit["purchase_id"]))
        if bought is None or not bought["paid"] or bought["fan_id"] != fan_id:
            raise Problem(f"wallet: {credit['amount_tokens']} tokens credited for purchase "
                          f"{credit['purchase_id']}, which is not a paid purchase of {fan_id}")
        if credit["amount_tokens"] != bought["tokens"]:
            raise Problem(f"wallet: purchase {credit['purchase_id']} credited "
                          f"{credit['amount_tokens']} tokens of a {bought['tokens']}-token pack")
    for spend in spent:
        kind, _, spend_id = spend["ref_id"].partition(":")
        bought = spends.get(spend_id)
        if bought is None or bought["amount_tokens"] != spend["amount_tokens"] or \
                bought["fan_id"] != fan_id:
            raise Problem(f"wallet: {spend['amount_tokens']} tokens spent on {kind} "
                          f"{spend_id}, which is not in the archive for that amount")
    if figures["balance_tokens"] < 0:
        raise Problem(f"wallet: the balance comes to {figures['balance_tokens']} tokens")
    for name, value in figures.items():
        if statement[name] != value:
            raise Problem(f"statement: {name} is {statement[name]}, the events give {value}")
    checked.update(purchases=len(credits), spends=len(spent), wallet=figures)


def _wallet_movement(name: str, v: dict[str, Any]) -> dict[str, int]:
    """What one wallet event does to the balance and the counters."""
    if name == "TokensCredited":
        return {"balance_tokens": v["amount_tokens"], "credited_tokens": v["amount_tokens"],
                "debt_tokens": -v.get("settled_debt_tokens", 0)}
    if name == "TokensSpent":
        return {"balance_tokens": -v["amount_tokens"], "spent_tokens": v["amount_tokens"]}
    if name == "LotReversed":
        return {"balance_tokens": -(v["from_lot_tokens"] + sum(r[4] for r in v["resourced"])),
                "reversed_tokens": v["amount_tokens"],
                "spends_reversed_tokens": sum(r[3] for r in v["reversed_spends"])}
    if name == "LotReinstated":
        return {"balance_tokens": sum(r[1] for r in v["freed"]),
                "reversed_tokens": -v["amount_tokens"],
                "spends_reversed_tokens": -sum(r[4] for r in v["reinstated_spends"])}
    if name == "SpendReturned":
        return {"balance_tokens": v["amount_tokens"],
                "spends_reversed_tokens": v["amount_tokens"]}
    if name == "PurchaseReversed":
        return {"balance_tokens": -v["amount_tokens"], "reversed_tokens": v["amount_tokens"],
                "debt_tokens": v.get("debt_added_tokens", 0)}
    return {}  # opened, frozen, unfrozen, lots archived: no tokens move


def _recompute(events: list[tuple[int, str, str, dict[str, Any]]], statement: dict[str, Any],
               creator_id: str, checked: dict[str, Any]) -> None:
    holds: dict[str, Hold] = {}
    sources: dict[str, tuple[str, dict[str, Any]]] = {}
    payouts: dict[str, dict[str, Any]] = {}
    reserved: dict[tuple[str, str], tuple[int, int]] = {}
    for _, stream, kind, values in events:
        if kind == "EarningsHold.Held":
            holds[stream] = Hold(values)
        elif kind.startswith("EarningsHold."):
            if stream not in holds:
                raise Problem(f"hold {stream}: {kind} before it was earned")
            holds[stream].apply(kind.split(".", 1)[1], values)
            if kind == "EarningsHold.Reserved":
                reserved[(stream, values["payout_ref"])] = (
                    values["amount_tokens"] + values["amount_minor"],
                    values["clawback_tokens"] + values["clawback_minor"])
        elif kind in SOURCES:
            sources[stream] = (kind, values)
        elif kind == "Payout.Created":
            payouts[stream] = {"created": values, "status": "created"}
        elif kind.startswith("Payout.") and stream in payouts:
            payouts[stream]["status"] = {
                "TransferSubmitted": "transfer_submitted",
                "BankPayoutRequested": "bank_payout_requested",
                "BankPayoutFailed": "bank_payout_failed", "Paid": "paid", "Failed": "failed",
                "Reversed": "reversed"}.get(kind.split(".", 1)[1], payouts[stream]["status"])
    for hold_id, hold in holds.items():
        if hold.source_id not in sources:
            raise Problem(f"hold {hold_id}: the {hold.source_kind} that earned it is not in "
                          f"the archive")
        kind, source = sources[hold.source_id]
        check_split(hold, source, kind, creator_id)
    for payout_id, payout in payouts.items():
        check_payout(payout_id, payout["created"], holds, reserved)

    stated_holds = {h["hold_id"]: h for h in statement["holds"]}
    if set(stated_holds) != set(holds):
        extra = sorted(set(stated_holds) ^ set(holds))
        raise Problem(f"statement: hold {extra[0]} is in the statement or the events, not both")
    totals = {unit: dict.fromkeys(FIGURES, 0) for unit in ("tokens", "minor")}
    for hold_id, hold in sorted(holds.items()):
        figures = hold.figures()
        for name, value in figures.items():
            totals[hold.unit][name] += value
            if stated_holds[hold_id][name] != value:
                raise Problem(f"statement: hold {hold_id} {name} is "
                              f"{stated_holds[hold_id][name]}, the events give {value}")
        if stated_holds[hold_id]["status"] != hold.status:
            raise Problem(f"statement: hold {hold_id} is {stated_holds[hold_id]['status']}, "
                          f"the events give {hold.status}")
    for unit, figures in totals.items():
        for name, value in figures.items():
            if statement["totals"][unit][name] != value:
                raise Problem(f"statement: total {name} ({unit}) is "
                              f"{statement['totals'][unit][name]}, the events give {value}")
    stated_payouts = {p["payout_id"]: p for p in statement["payouts"]}
    if set(stated_payouts) != set(payouts):
        raise Problem("statement: its payouts are not the payouts in the events")
    for payout_id, payout in payouts.items():
        stated = stated_payouts[payout_id]
        if (stated["status"], stated["amount_minor"]) != (payout["status"],
                                                          payout["created"]["amount_minor"]):
            raise Problem(f"statement: payout {payout_id} is {stated['status']} for "
                          f"{stated['amount_minor']}p, the events give {payout['status']} for "
                          f"{payout['created']['amount_minor']}p")
    paid = sum(p["created"]["amount_minor"] for p in payouts.values() if p["status"] == "paid")
    if statement["paid_minor"] != paid:
        raise Problem(f"statement: paid {statement['paid_minor']}p, the events give {paid}p")
    checked.update(holds=len(holds), payouts=len(payouts), totals=totals, paid_minor=paid)


def _key(text: str) -> bytes:
    path = Path(text)
    value = path.read_text().strip() if path.exists() else text
    if value.startswith("{"):
        value = json.loads(value)["public_key"]
    return base64.b64decode(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a LYRA audit export.")
    parser.add_argument("archive")
    parser.add_argument("--public-key", required=True,
                        help="the platform's Ed25519 public key (base64), or a file holding it")
    args = parser.parse_args(argv)
    report = verify(args.archive, _key(args.public_key))
    print(json.dumps(report, indent=2))
    return 0 if report["agrees"] else 1


if __name__ == "__main__":
    sys.exit(main())
