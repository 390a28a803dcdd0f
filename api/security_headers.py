"""Headers every response carries: no site may frame a page (the tip and unlock buttons move
money), a page runs only the scripts and styles served from here, nothing is sniffed into
another type, no link (a signed media link above all) leaks through the referrer, and the
browser features the app never uses stay off. In production, browsers are told to use HTTPS
only.

A plain ASGI middleware: it adds headers on the response's start message, so streamed replies
(chat's server-sent events) and files pass through untouched.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's OpenAPI pages load Swagger UI and ReDoc from a CDN with an inline bootstrap script.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "serial=(), bluetooth=(), magnetometer=(), gyroscope=(), accelerometer=(), "
                      "display-capture=(), browsing-topics=()")
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, production: bool, media_origin: str | None = None) -> None:
        """media_origin: an object store browsers fetch media from by presigned link."""
        self.app = app
        self.production = production
        self.policy = CONTENT_SECURITY_POLICY if media_origin is None else \
            CONTENT_SECURITY_POLICY.replace("img-src 'self'", f"img-src 'self' {media_origin}") \
            .replace("media-src 'self'", f"media-src 'self' {media_origin}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        policy = DOCS_POLICY if path.startswith(DOCS_PATHS) else self.policy
        added = [(b"content-security-policy", policy.encode()),
                 (b"x-frame-options", b"DENY"),
                 (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"no-referrer"),
                 (b"permissions-policy", PERMISSIONS_POLICY.encode()),
                 (b"cross-origin-opener-policy", b"same-origin"),
                 (b"cross-origin-resource-policy", b"same-origin")]
        if self.production:
            added.append((b"strict-transport-security", HSTS.encode()))
        names = {name for name, _ in added}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = headers + added
            await send(message)

        await self.app(scope, receive, send_with_headers)
