"""A local server speaking Nominatim's /reverse (format=json), for geopy's real
Nominatim client. It records each request and answers with the address the
test sets, Nominatim's "Unable to geocode" error, or an HTTP error status."""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class GeocoderRequest:
    path: str
    query: dict[str, str]
    user_agent: str


class GeocoderServer:
    def __init__(self) -> None:
        self.received: list[GeocoderRequest] = []
        self.address = "Chợ Trà Vinh, Đường Điện Biên Phủ, Phường 1, Thành phố Trà Vinh"
        self.status = 200  # or 503, 429...
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.received.append(
                    GeocoderRequest(parts.path, query, self.headers.get("User-Agent", ""))
                )
                if server.status != 200:
                    body = {"error": "Service unavailable"}
                elif server.address is None:
                    body = {"error": "Unable to geocode"}
                else:
                    body = {
                        "place_id": 1,
                        "lat": query.get("lat"),
                        "lon": query.get("lon"),
                        "display_name": server.address,
                        "address": {"city": "Thành phố Trà Vinh", "country_code": "vn"},
                    }
                data = json.dumps(body).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
