"""Subscriptions over the graphql-ws protocol (GraphQL over WebSocket, subprotocol
`graphql-transport-ws`, as the server's graphql-ws 6 speaks it) with the `websockets` package.

websockets 10 (Debian 12's) has only an asyncio client, so the iterator drives a private event
loop one message at a time: callers see a plain blocking iterator."""
import asyncio
import json

from .client import ApiError, TERMINAL_STATUSES

PROTOCOL = "graphql-transport-ws"
# Close codes graphql-ws uses, as words for the error message.
_CLOSE_REASONS = {4400: "bad request", 4401: "unauthorized", 4403: "forbidden", 4406: "subprotocol not acceptable", 4408: "connection initialisation timeout", 4409: "subscriber already exists", 4429: "too many initialisation requests", 4500: "internal server error"}


def _terminal(data):
    """True when the event's first field is a run event with a terminal status."""
    value = next(iter(data.values()), None) if isinstance(data, dict) else None
    return isinstance(value, dict) and value.get("status") in TERMINAL_STATUSES


def _closed_error(err):
    close = getattr(err, "rcvd", None)
    code = getattr(close, "code", None)
    reason = getattr(close, "reason", "") or _CLOSE_REASONS.get(code, "")
    return ApiError("subscription closed by the server (%s%s)" % (code, ": " + reason if reason else ""), "UNAUTHENTICATED" if code in (4401, 4403) else None)


def subscribe(client, document, variables, stop_at_terminal=True, idle=None):
    """Generator of `data` payloads. With `idle` (seconds) it also yields None once right after
    subscribing and after every `idle` seconds without a message, so that a caller can read the
    current state by query knowing that no later change escapes the subscription."""
    try:
        import websockets
    except ImportError:
        raise ImportError("subscriptions need the `websockets` package (pip install 'neb-atlas[subscriptions]'; Debian: python3-websockets)") from None

    loop = asyncio.new_event_loop()
    run = loop.run_until_complete

    async def connect():
        # websockets 10 binds the connection to the loop running when it is created.
        return await websockets.connect(client.ws_url, subprotocols=[PROTOCOL], open_timeout=client.timeout, max_size=None)

    socket = None
    done = False
    try:
        try:
            socket = run(connect())
        except OSError as err:
            raise ApiError("cannot reach %s: %s" % (client.ws_url, err)) from None
        except websockets.InvalidStatusCode as err:
            raise ApiError("WebSocket upgrade refused: HTTP %s" % err.status_code) from None

        def receive(timeout=None):
            try:
                return json.loads(run(asyncio.wait_for(socket.recv(), timeout)))
            except websockets.ConnectionClosed as err:
                raise _closed_error(err) from None

        def send(message):
            run(socket.send(json.dumps(message)))

        # The token travels as connectionParams, the same object the web client sends.
        send({"type": "connection_init", "payload": {"authorization": "Bearer " + client.token} if client.token else {}})
        while True:
            message = receive(client.timeout)
            if message["type"] == "connection_ack":
                break
            if message["type"] == "ping":
                send({"type": "pong"})
        send({"id": "1", "type": "subscribe", "payload": {"query": document, "variables": variables}})
        if idle is not None:
            yield None  # subscribed: the caller may read the current state now
        while True:
            try:
                message = receive(idle)
            except asyncio.TimeoutError:
                yield None
                continue
            kind = message["type"]
            if kind == "ping":
                send({"type": "pong"})
            elif kind == "next":
                payload = message["payload"]
                if payload.get("errors"):
                    error = payload["errors"][0]
                    extensions = error.get("extensions") or {}
                    raise ApiError(error.get("message"), extensions.get("code"), extensions.get("field"))
                yield payload["data"]
                if stop_at_terminal and _terminal(payload["data"]):
                    return
            elif kind == "error":
                done = True
                error = (message.get("payload") or [{}])[0]
                extensions = error.get("extensions") or {}
                raise ApiError(error.get("message"), extensions.get("code"), extensions.get("field"))
            elif kind == "complete":
                done = True
                return
    finally:
        if socket is not None:
            try:
                if not done and socket.open:
                    run(socket.send(json.dumps({"id": "1", "type": "complete"})))
                run(socket.close())
            except Exception:  # the server may already have closed; nothing to release then
                pass
        loop.close()
