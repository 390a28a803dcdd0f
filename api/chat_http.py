"""HTTP for a chat turn, whatever the mode: the request body, server-sent events or one JSON
answer, and a thread's history. Stateless helpers the two chat routers share."""

import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, StrictInt

from api.errors import error_body
from application.chat.conversation import Conversation
from projections.chat_queries import ChatQueries


class ChatMessageIn(BaseModel):
    message: str = Field(min_length=1, max_length=2_000)
    # What the fan agreed to pay for this message (0 when it is included): the next message's
    # price is at GET …/price, and a different price is refused with price_changed.
    expected_cost_tokens: StrictInt = Field(ge=0)
    message_id: str | None = Field(default=None, min_length=8, max_length=100,
                                   pattern=r"^[A-Za-z0-9_.:-]+$")


def send(conversation: Conversation, fan_id: str, persona_id: str, body: ChatMessageIn,
         idempotency_key: str | None, request: Request) -> Any:
    """Charge first (errors leave as JSON 4xx before anything streams), then the reply: as
    server-sent events when the client accepts them, else as one JSON answer."""
    turn = conversation.begin(fan_id, persona_id, body.message,
                              body.message_id or idempotency_key, body.expected_cost_tokens)
    events = conversation.reply(turn)
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(_sse(events), status_code=201, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store",
                                          "X-Accel-Buffering": "no"})
    return _collected(events)


def _sse(events: Iterator[tuple[str, dict[str, Any]]]) -> Iterator[str]:
    try:
        for name, data in events:
            yield f"event: {name}\ndata: {json.dumps(data)}\n\n"
    finally:
        close = getattr(events, "close", None)
        if close:
            close()  # a client that left: the turn gives its charge back


def _collected(events: Iterator[tuple[str, dict[str, Any]]]) -> JSONResponse:
    for name, data in events:
        if name == "done":
            return JSONResponse(data, status_code=201)
        if name == "error":
            status = 409 if data["code"] == "reply_in_progress" else 502
            return JSONResponse(error_body(data["code"], data["message"],
                                           message_id=data["message_id"],
                                           given_back=data.get("given_back")), status_code=status)
    raise AssertionError("a turn always ends with done or error")


def thread_view(conversation: Conversation, queries: ChatQueries, fan_id: str,
                persona_id: str) -> dict[str, Any]:
    """The thread as the fan sees it: messages with their cost and replies, tips sent in it,
    what the persona remembers, and what the next message costs."""
    price = conversation.quote(fan_id, persona_id)
    thread = conversation.thread(fan_id, persona_id)
    thread_id = str(conversation.policy.thread_type.create_id(fan_id=fan_id,
                                                               persona_id=persona_id))
    entries: list[dict[str, Any]] = []
    if thread is not None:
        for m in thread.messages:
            entries.append({"type": "message", "message_id": m["message_id"], "text": m["text"],
                            "paid_by": m["paid_by"], "cost_tokens": m["price_tokens"],
                            "status": m["status"], "failure": m.get("failure"),
                            "reply": m["reply"],
                            "replaced": m["replaced"], "acknowledges_tips": m["tip_ids"],
                            "at": m["sent_at"].isoformat()})
    for spend in queries.thread_spends(fan_id, thread_id):  # rows of the spends read model
        if spend["kind"] == "tip":
            entries.append({"type": "tip", "tip_id": spend["aggregate_id"],
                            "amount_tokens": int(spend["amount_tokens"]),
                            "reversed_tokens": int(spend["reversed_source_tokens"]),
                            "at": spend["spent_at"]})
    entries.sort(key=lambda e: e["at"])
    return {"thread_id": thread_id, "mode": conversation.policy.mode, "persona_id": persona_id,
            "entries": entries, "memory": dict(thread.memory) if thread is not None else {},
            "next_message": price.as_dict()}


def transcript_page(conversation: Conversation, queries: ChatQueries, fan_id: str,
                    persona_id: str, before_seq: int | None, limit: int) -> dict[str, Any]:
    """The fan's whole thread, newest first, a page at a time (the thread view shows only the
    latest messages): `next_before_seq` asks for the page before this one."""
    thread_id = str(conversation.policy.thread_type.create_id(fan_id=fan_id,
                                                               persona_id=persona_id))
    rows = queries.thread_messages(thread_id, before_seq, limit)
    messages = [{"seq": int(r["seq"]), "message_id": r["message_id"], "text": r["text"],
                 "paid_by": r["paid_by"], "cost_tokens": int(r["price_tokens"]),
                 "status": r["status"], "reply": r["reply"], "replaced": bool(r["replaced"]),
                 "failure": r["failure"], "at": r["sent_at"]} for r in rows]
    return {"thread_id": thread_id, "messages": messages,
            "next_before_seq": messages[-1]["seq"] if len(messages) == limit else None}
