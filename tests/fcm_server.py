"""A local server speaking FCM HTTP v1, for firebase-admin's real messaging code.

It records each request and answers as the test says, per device token: a list
of outcomes consumed in order ("ok", "unregistered", "quota", "internal",
"invalid", "sender_mismatch"), "ok" once the list is used up.
"""

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


@dataclass
class Received:
    path: str
    authorization: str
    body: dict

    @property
    def message(self) -> dict:
        return self.body["message"]


@dataclass
class FcmServer:
    outcomes: dict[str, list[str]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, payload = server._answer(
                    self.path, self.headers.get("Authorization", ""), body
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def _answer(self, path: str, authorization: str, body: dict) -> tuple[int, dict]:
        with self._lock:
            self.received.append(Received(path, authorization, body))
            token = body.get("message", {}).get("token", "")
            queue = self.outcomes.get(token, [])
            outcome = queue.pop(0) if queue else "ok"
        project = re.match(r"/v1/projects/([^/]+)/messages:send", path)
        if outcome == "ok":
            return 200, {"name": f"projects/{project.group(1)}/messages/{next(self._ids)}"}
        status, code, error_code, message = ERRORS[outcome]
        return status, {
            "error": {
                "code": status,
                "message": message,
                "status": code,
                "details": [
                    {
                        "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                        "errorCode": error_code,
                    }
                ],
            }
        }

    def to(self, token: str) -> list[Received]:
        return [r for r in self.received if r.message.get("token") == token]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
