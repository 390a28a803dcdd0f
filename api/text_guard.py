"""Refuses NUL characters anywhere in a request, before any route sees it.

PostgreSQL text cannot hold U+0000: a NUL that reached a query would answer 500, and one recorded
in an event would stop every projection that copies it into a text column. No legitimate input
contains one, so the request is refused whole with a 422 and nothing is written.
"""

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body

_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # \u0000 in JSON, not an escaped backslash
_TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded", b"text/")
_MESSAGE = "text may not contain the NUL character (U+0000)"


def _has_nul(data: bytes) -> bool:
    return b"\x00" in data or _ESCAPED_NUL.search(data) is not None


class RefuseNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
            await _refuse(send)
            return
        content_type = dict(scope.get("headers", ())).get(b"content-type", b"")
        if not content_type.startswith(_TEXT_BODIES):  # binary uploads may hold any byte
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if _has_nul(body):
            await _refuse(send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _refuse(send: Send) -> None:
    payload = json.dumps(error_body("invalid_request", _MESSAGE)).encode()
    await send({"type": "http.response.start", "status": 422,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
