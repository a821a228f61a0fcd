"""A local server speaking FCM HTTP v1, for firebase-admin's real messaging code.

It records each request and answers as the test says, per device token: a list
of outcomes consumed in order ("ok", "unregistered", "quota", "internal",
"invalid", "sender_mismatch"), "ok" once the list is used up.

It is a small asyncio HTTP/1.1 server (keep-alive, Content-Length bodies), fast
enough that a benchmark measures the sender rather than the stand-in:
`python -m tests.fcm_server` serves in a process of its own.
"""

import asyncio
import itertools
import json
import re
import threading
from dataclasses import dataclass, field

ERRORS = {
    "unregistered": (404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
    "quota": (429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded."),
    "internal": (500, "INTERNAL", "INTERNAL", "Internal error."),
    "invalid": (
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "sender_mismatch": (403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch"),
}
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           429: "Too Many Requests", 500: "Internal Server Error"}  # fmt: skip
SEND_PATH = re.compile(r"/v1/projects/([^/]+)/messages:send")


@dataclass
class Received:
    path: str
    authorization: str
    body: dict

    @property
    def message(self) -> dict:
        return self.body["message"]


class _Connection(asyncio.Protocol):
    def __init__(self, server: "FcmServer") -> None:
        self.server = server
        self.buffer = b""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, rest = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
            length = int(headers.get("content-length", 0))
            if len(rest) < length:
                return  # wait for the rest of the body
            body, self.buffer = rest[:length], rest[length:]
            status, payload = self.server.answer(method, path, headers, body)
            data_out = json.dumps(payload).encode()
            response = (
                f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data_out)}\r\n\r\n".encode()
                + data_out
            )
            if self.server.latency_s:
                # The round trip to Google's servers, for benchmarks.
                loop = asyncio.get_running_loop()
                loop.call_later(self.server.latency_s, self.transport.write, response)
            else:
                self.transport.write(response)


@dataclass
class FcmServer:
    outcomes: dict[str, list[str]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    port: int = 0
    latency_s: float = 0.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                self._loop.create_server(lambda: _Connection(self), "127.0.0.1", self.port)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            started.set()
            self._loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        started.wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict]:
        if method == "GET" and path == "/_count":
            return 200, {"received": len(self.received)}
        request = json.loads(body)
        with self._lock:
            self.received.append(Received(path, headers.get("authorization", ""), request))
            self._arrived.notify_all()
            token = request.get("message", {}).get("token", "")
            queue = self.outcomes.get(token, [])
            outcome = queue.pop(0) if queue else "ok"
        project = SEND_PATH.match(path)
        if outcome == "ok":
            return 200, {"name": f"projects/{project.group(1)}/messages/{next(self._ids)}"}
        status, code, error_code, message = ERRORS[outcome]
        detail = {
            "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
            "errorCode": error_code,
        }
        return status, {
            "error": {"code": status, "message": message, "status": code, "details": [detail]}
        }

    def to(self, token: str) -> list[Received]:
        return [r for r in self.received if r.message.get("token") == token]

    def wait_for(self, token: str, timeout: float) -> list[Received]:
        """What reached `token`, once something has (or the timeout passed)."""
        with self._arrived:
            self._arrived.wait_for(lambda: self.to(token), timeout=timeout)
        return self.to(token)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self.thread.join(timeout=5)


if __name__ == "__main__":
    import sys

    server = FcmServer(latency_s=float(sys.argv[1]) / 1000 if len(sys.argv) > 1 else 0.0)
    print(server.url, flush=True)
    server.thread.join()
