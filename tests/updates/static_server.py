"""A real static-file HTTP server on loopback for sync tests, with misbehaviours to order.

It serves a folder like any web server or object store would: ETag and Last-Modified, 304 for a matching
conditional request, 206 for ``Range: bytes=N-`` (honouring ``If-Range``). Per file, a test can ask for a
misbehaviour: ``404``, ``500``, ``trickle`` (one byte at a time), ``endless`` (never stops sending),
``drop:N`` (close the connection after N bytes, once), ``drop-always:N``, ``no-range`` (ignores Range).
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class StaticServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.modes: dict[str, str] = {}
        self.requests: list[tuple[str, dict[str, str], int]] = []  # path, headers, status
        self.require_auth: tuple[str, str] | None = None  # (user, password) for HTTP Basic authentication
        self.auth_seen: list[tuple[str, str] | None] = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/bundle/"

    def start(self) -> StaticServer:
        self.thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def statuses(self, name: str) -> list[int]:
        return [status for path, _h, status in self.requests if path.endswith("/" + name)]

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        name = h.path.rsplit("/", 1)[-1]
        headers = {k.lower(): v for k, v in h.headers.items()}
        mode = self.modes.get(name, "")
        rel = urllib.parse.unquote(h.path.split("/bundle/", 1)[1]) if "/bundle/" in h.path else name
        path = self.root / rel if ".." not in rel else self.root / "no such file"  # sub-folders (voices/...)
        if self.require_auth is not None:
            self.auth_seen.append(_basic(headers.get("authorization", "")))
            if self.auth_seen[-1] != self.require_auth:
                self.requests.append((h.path, headers, 401))
                h.send_response(401)
                h.send_header("WWW-Authenticate", 'Basic realm="guide"')
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
        if mode in ("404", "500") or not path.is_file():
            status = 500 if mode == "500" else 404
            self.requests.append((h.path, headers, status))
            h.send_response(status)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if mode == "stale-etag":  # like nginx's mtime-size ETag for a same-size file changed within the second
            etag = '"unchanging"'
        modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        if headers.get("if-none-match") == etag:
            self.requests.append((h.path, headers, 304))
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        start = 0
        wanted = headers.get("range", "")
        if wanted.startswith("bytes=") and mode != "no-range" and headers.get("if-range", etag) == etag:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
        status = 206 if start else 200
        self.requests.append((h.path, headers, status))
        h.send_response(status)
        h.send_header("ETag", etag)
        h.send_header("Last-Modified", modified)
        if mode == "endless":
            h.send_header("Connection", "close")
            h.end_headers()
            self._write_forever(h)
            return
        h.send_header("Content-Length", str(len(data) - start))
        if start:
            h.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        h.end_headers()
        body = data[start:]
        if mode == "trickle":
            for i in range(len(body)):
                if self.stop.is_set() or not self._send(h, body[i : i + 1]):
                    return
                time.sleep(0.02)
        elif mode.startswith("drop"):
            cut = int(mode.split(":")[1])
            self._send(h, body[:cut])
            if mode.startswith("drop:"):
                self.modes[name] = ""  # once
            h.close_connection = True
            h.wfile.flush()
            h.connection.shutdown(2)
        else:
            self._send(h, body)

    def _write_forever(self, h: BaseHTTPRequestHandler) -> None:
        block = b"x" * 65536
        while not self.stop.is_set() and self._send(h, block):
            pass

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, data: bytes) -> bool:
        try:
            h.wfile.write(data)
            return True
        except OSError:
            return False


def _basic(value: str) -> tuple[str, str] | None:
    import base64

    if not value.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(value.removeprefix("Basic ")).decode().partition(":")
    return user, password
