"""Loopback servers for tests: our API under uvicorn, and a fake of Stripe's HTTP API."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from api.serving import free_port, serve_in_thread


def start_lyra(env: dict[str, str], port: int, *args: str) -> subprocess.Popen[bytes]:
    """`lyra serve` in a process group of its own (its workers and follower with it), once its
    /healthz answers; stop it with `stop_lyra`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), *args], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    stop_lyra(process, signal.SIGKILL)
    raise RuntimeError("lyra serve did not start")


def stop_lyra(process: subprocess.Popen[bytes], how: signal.Signals = signal.SIGTERM) -> None:
    os.killpg(process.pid, how)
    process.wait(timeout=30)


serve_app = serve_in_thread


@contextmanager
def loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve handler on a free loopback port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class JsonHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _form_to_nested(body: str) -> dict[str, Any]:
    """Stripe's form encoding (a[b][0][c]=v) back into nested dicts."""
    out: dict[str, Any] = {}
    for key, values in parse_qs(body, keep_blank_values=True).items():
        parts = key.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = values[0]
    return out


class FakeStripe:
    """Enough of Stripe's API for Checkout (create, in payment or subscription mode, idempotent
    by key; list by payment intent), Billing (update a subscription's cancel_at_period_end) and
    Connect (Express accounts and onboarding links)."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.bank_payouts: dict[str, dict[str, Any]] = {}
        self.reversals: dict[str, dict[str, Any]] = {}
        self.balance: list[dict[str, Any]] = []  # balance transactions, newest first
        self.refuse_transfers = False  # answer 400, as Stripe does for a request it refuses
        self.fail_with_500 = 0  # answer the next N money requests with a server error
        self.accounts: dict[str, dict[str, Any]] = {}
        self.verifications: dict[str, dict[str, Any]] = {}
        self.by_idempotency_key: dict[str, str] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    def create_account(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        if key in self.by_idempotency_key:
            return self.accounts[self.by_idempotency_key[key]]
        account = {"id": f"acct_test_{len(self.accounts) + 1}", "object": "account",
                   "type": params["type"], "metadata": params.get("metadata", {}),
                   "country": params.get("country"), "charges_enabled": False,
                   "payouts_enabled": False}
        self.accounts[account["id"]] = account
        self.by_idempotency_key[key] = account["id"]
        return account

    @contextmanager
    def running(self) -> Iterator[str]:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                fake.requests.append(("POST", self.path, dict(self.headers)))
                if self.headers.get("Authorization", "") != "Bearer sk_test_fake":
                    return self._reply(401, {"error": {"type": "invalid_request_error",
                                                       "message": "Invalid API Key provided"}})
                params = _form_to_nested(body)
                if self.path == "/v1/accounts":
                    return self._reply(200, fake.create_account(
                        params, self.headers.get("Idempotency-Key", "")))
                if self.path == "/v1/account_links":
                    return self._reply(200, {
                        "object": "account_link", "expires_at": 0,
                        "url": f"https://connect.example/setup/{params['account']}"})
                if self.path == "/v1/identity/verification_sessions":
                    key = self.headers.get("Idempotency-Key", "")
                    session_id = fake.by_idempotency_key.setdefault(
                        key, f"vs_test_{len(fake.verifications) + 1}")
                    fake.verifications[session_id] = params
                    return self._reply(200, {
                        "id": session_id, "object": "identity.verification_session",
                        "status": "requires_input", "type": params.get("type"),
                        "metadata": params.get("metadata", {}),
                        "url": f"https://verify.example/start/{session_id}"})
                if self.path in ("/v1/transfers", "/v1/payouts"):
                    return self._money(params)
                if self.path.startswith("/v1/transfers/") and self.path.endswith("/reversals"):
                    return self._reversal(self.path.split("/")[3], params)
                if self.path.startswith("/v1/subscriptions/"):
                    found = fake.subscriptions.get(self.path.rsplit("/", 1)[-1])
                    if found is None:
                        return self._reply(404, {"error": {"type": "invalid_request_error",
                                                           "message": "No such subscription"}})
                    found["cancel_at_period_end"] = params.get("cancel_at_period_end") == "true"
                    return self._reply(200, found)
                if self.path != "/v1/checkout/sessions":
                    return self._reply(404, {"error": {"message": "no such route"}})
                key = self.headers.get("Idempotency-Key", "")
                if key in fake.by_idempotency_key:
                    return self._reply(200, fake.sessions[fake.by_idempotency_key[key]])
                n = len(fake.sessions) + 1
                amount = int(params["line_items"]["0"]["price_data"]["unit_amount"])
                subscription = params["mode"] == "subscription"
                session = {"id": f"cs_test_{n}", "object": "checkout.session",
                           "url": f"https://checkout.example/pay/cs_test_{n}",
                           "amount_total": amount,
                           "payment_intent": None if subscription else f"pi_test_{n}",
                           "metadata": params.get("metadata", {}), "mode": params["mode"],
                           "line_items": params["line_items"],
                           "subscription_data": params.get("subscription_data", {})}
                fake.sessions[session["id"]] = session
                fake.by_idempotency_key[key] = session["id"]
                return self._reply(200, session)

            def _money(self, params: dict[str, Any]) -> None:
                """Transfers and bank payouts, idempotent by key like Stripe's."""
                key = self.headers.get("Idempotency-Key", "")
                if fake.fail_with_500:
                    fake.fail_with_500 -= 1
                    return self._reply(500, {"error": {"type": "api_error",
                                                       "message": "try again"}})
                store = fake.transfers if self.path == "/v1/transfers" else fake.bank_payouts
                if key in fake.by_idempotency_key:
                    return self._reply(200, store[fake.by_idempotency_key[key]])
                if self.path == "/v1/transfers" and fake.refuse_transfers:
                    return self._reply(400, {"error": {
                        "type": "invalid_request_error",
                        "message": "Insufficient funds in the platform balance"}})
                prefix = "tr" if self.path == "/v1/transfers" else "po"
                made = {"id": f"{prefix}_test_{len(store) + 1}",
                        "object": "transfer" if prefix == "tr" else "payout",
                        "amount": int(params["amount"]), "currency": params["currency"],
                        "destination": params.get("destination"),
                        "account": self.headers.get("Stripe-Account"),
                        "metadata": params.get("metadata", {})}
                store[made["id"]] = made
                fake.by_idempotency_key[key] = made["id"]
                return self._reply(200, made)

            def _reversal(self, transfer_id: str, params: dict[str, Any]) -> None:
                """A transfer reversal: idempotent by key; a second one of the whole is refused."""
                key = self.headers.get("Idempotency-Key", "")
                if key in fake.by_idempotency_key:
                    return self._reply(200, fake.reversals[fake.by_idempotency_key[key]])
                transfer = fake.transfers.get(transfer_id)
                if transfer is None or transfer.get("reversed"):
                    return self._reply(400, {"error": {"type": "invalid_request_error",
                                                       "message": "No such transfer, or "
                                                                  "already reversed"}})
                transfer["reversed"] = True
                made = {"id": f"trr_test_{len(fake.reversals) + 1}",
                        "object": "transfer_reversal", "amount": int(params["amount"]),
                        "transfer": transfer_id, "metadata": params.get("metadata", {})}
                fake.reversals[made["id"]] = made
                fake.by_idempotency_key[key] = made["id"]
                return self._reply(200, made)

            def _balance_page(self, query: dict[str, list[str]]) -> None:
                """One page of balance transactions, as Stripe pages them (starting_after)."""
                limit = int(query.get("limit", ["10"])[0])
                after = query.get("starting_after", [None])[0]
                rows = fake.balance
                if after:
                    rows = rows[[t["id"] for t in rows].index(after) + 1:]
                return self._reply(200, {"object": "list", "data": rows[:limit],
                                         "has_more": len(rows) > limit,
                                         "url": "/v1/balance_transactions"})

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                fake.requests.append(("GET", self.path, dict(self.headers)))
                if url.path == "/v1/balance_transactions":
                    return self._balance_page(parse_qs(url.query))
                if url.path != "/v1/checkout/sessions":
                    return self._reply(404, {"error": {"message": "no such route"}})
                pi = parse_qs(url.query).get("payment_intent", [""])[0]
                data = [s for s in fake.sessions.values() if s["payment_intent"] == pi]
                return self._reply(200, {"object": "list", "data": data, "has_more": False,
                                         "url": "/v1/checkout/sessions"})

        with loopback(Handler) as base:
            yield base


def client(base: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, headers=headers, timeout=15)


class FakeAnthropic:
    """Anthropic's Messages API on loopback: answers with `next_text` (streamed as Anthropic's
    server-sent events when asked to stream), records what it was sent. `fail_mid_stream`
    sends an error event after the first piece, as an overloaded provider does."""

    def __init__(self) -> None:
        self.next_text = "Thank you, that's lovely of you."
        self.status = 200
        self.fail_mid_stream = False
        self.requests: list[dict[str, Any]] = []

    @contextmanager
    def running(self) -> Iterator[str]:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body,
                                      "api_key": self.headers.get("x-api-key") or
                                      self.headers.get("authorization", "").removeprefix("Bearer ")})
                if fake.status != 200:
                    reply: dict[str, Any] = {"type": "error", "error": {
                        "type": "invalid_request_error", "message": "refused by the fake"}}
                elif body.get("stream"):
                    return self._stream(body)
                else:
                    reply = {"id": "msg_fake", "type": "message", "role": "assistant",
                             "model": body["model"], "stop_reason": "end_turn",
                             "stop_sequence": None,
                             "content": [{"type": "text", "text": fake.next_text}],
                             "usage": {"input_tokens": 10, "output_tokens": 8}}
                self._reply(fake.status, reply)

            def _stream(self, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()

                def send(name: str, data: dict[str, Any]) -> None:
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()

                send("message_start", {"type": "message_start", "message": {
                    "id": "msg_fake", "type": "message", "role": "assistant", "content": [],
                    "model": body["model"], "stop_reason": None, "stop_sequence": None,
                    "usage": {"input_tokens": 10, "output_tokens": 1}}})
                send("content_block_start", {"type": "content_block_start", "index": 0,
                                             "content_block": {"type": "text", "text": ""}})
                pieces = re.findall(r"\S+\s*", fake.next_text)
                for number, piece in enumerate(pieces):
                    send("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                 "delta": {"type": "text_delta", "text": piece}})
                    if fake.fail_mid_stream and number == 0:
                        send("error", {"type": "error", "error": {
                            "type": "overloaded_error", "message": "overloaded"}})
                        return
                send("content_block_stop", {"type": "content_block_stop", "index": 0})
                send("message_delta", {"type": "message_delta", "delta": {
                    "stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": len(pieces)}})
                send("message_stop", {"type": "message_stop"})

        with loopback(Handler) as base:
            yield base


@contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3-compatible server on a loopback port (from PyPI; no real S3 is reachable)."""
    import os

    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                      AWS_DEFAULT_REGION="eu-west-2")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
