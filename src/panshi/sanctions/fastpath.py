"""A system's single check (`POST /api/v1/checks` with a bearer token) answered without the framework's routing.

Other systems call this one endpoint thousands of times a second, and for each the framework's router
tried some two hundred routes in turn and solved the route's dependencies — more CPU than answering
the check. This ASGI layer, installed by the application inside its security-headers middleware,
takes exactly that request (method, path, a bearer token) and hands its body to the check pipeline,
which authenticates, authorises and answers it as `routes.create_check` does; errors are answered in
the API's JSON error form. Everything else — a signed-in browser, any other path — goes on to the
application unchanged. The route in routes.py stays: it documents the endpoint (OpenAPI) and serves
browsers.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from panshi.core.errors import PanshiError
from panshi.sanctions.pipeline import pipeline
from panshi.sanctions.routes import ambiguous_body, checker
from panshi.sanctions.service import MAX_CHECK_BODY, AmbiguousSubject

PATH = "/api/v1/checks"
_JSON = (b"content-type", b"application/json")


class CheckFastPath:
    """Answers systems' single checks directly (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _bearer(scope) if scope["type"] == "http" and scope["method"] == "POST" else None
        if token is None or scope["path"] != PATH or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        try:
            result = await pipeline.submit(
                body, authorise=checker, token=token
            )  # the route's rule of who may check
        except AmbiguousSubject as exc:
            await _respond(send, exc.status_code, orjson.dumps(ambiguous_body(exc)))
            return
        except PanshiError as exc:
            await _respond(send, exc.status_code, orjson.dumps({"error": exc.code, "message": exc.message}))
            return
        await _respond(send, 201, result.json_bytes())


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return (token.strip() or None) if scheme.lower() == "bearer" else None
    return None


async def _body(receive: Receive) -> bytes:
    """The request's body; reading stops past MAX_CHECK_BODY (parse_check refuses what came so far)."""
    chunks, size = [], 0
    while size <= MAX_CHECK_BODY:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [_JSON, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
