"""`govkg serve`: the web application (`govkg.web.app`) on the standard library's server.

A thin adapter: it reads one HTTP/1.1 request (keep-alive), hands a `Request` to
`App.handle` and writes the `Response`. What protects the server lives here: a bound on open
connections (503 past it), a socket time-out so a stalled or slow client is dropped, and
bodies over the limit refused (413) before they are read. Query slots are taken inside the
app only while a query runs, so no client can hold one while it trickles bytes.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from govkg import __version__
from govkg.errors import BadInput
from govkg.load import KnowledgeGraph
from govkg.web.admission import Admission
from govkg.web.app import App
from govkg.web.messages import Request, Response, text_response
from govkg.web.negotiation import content_type
from govkg.web.protocol import DEFAULT_TIMEOUT, MAX_BODY, MAX_ROWS, Limits

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
SOCKET_TIMEOUT = 20.0
"""A client silent this long (mid-request, or idle between keep-alive requests) is dropped."""
MAX_CONNECTIONS = 64
"""Open connections at once; the next one is answered 503 and closed."""
LOOPBACK = ("127.0.0.1", "::1", "localhost")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$")

__all__ = ["GovkgServer", "make_server", "serve_until_stopped"]


class GovkgServer(ThreadingHTTPServer):
    """A threading HTTP/1.1 server in front of one App."""

    daemon_threads = True
    allow_reuse_address = False  # a port in use must be reported, not shared
    # the listen backlog: socketserver's 5 drops the SYNs of a burst of clients (they retry
    # a second later, or see a reset); connections past MAX_CONNECTIONS get a 503 instead
    request_queue_size = MAX_CONNECTIONS

    def __init__(
        self,
        app: App,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        quiet: bool = False,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.app = app
        self.quiet = quiet
        self.connections = threading.BoundedSemaphore(max_connections)
        super().__init__((host, port), Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The endpoint's URL (with the real port when 0 was asked for)."""
        return self.base_url + "/sparql"

    def server_close(self) -> None:
        super().server_close()
        self.app.close()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.connections.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"
                    b"Content-Type: text/plain\r\nContent-Length: 33\r\nConnection: close\r\n\r\n"
                    b"too many connections; try again\n"
                )
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()


# kept for callers of the first version: the server object is the endpoint
SparqlServer = GovkgServer


def make_server(
    kg: KnowledgeGraph,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    quiet: bool = False,
    max_body: int = MAX_BODY,
    max_rows: int = MAX_ROWS,
    admission: Admission | None = None,
    canned: Admission | None = None,
    max_connections: int = MAX_CONNECTIONS,
    cache_bytes: int = 64 * 1024 * 1024,
) -> GovkgServer:
    """A bound, not yet serving, server; a port in use is BadInput (exit 2)."""
    limits = Limits(
        timeout=timeout,
        max_rows=max_rows,
        max_body=max_body,
        admission=admission or Admission(),
        canned=canned or Admission(),
        cache_bytes=cache_bytes,
    )
    app = App(kg, limits)
    app.prepare(workers=False)  # the page reads' index, the ontology's terms (shared by forks)
    try:
        return GovkgServer(app, host, port, quiet=quiet, max_connections=max_connections)
    except OSError as err:
        raise BadInput(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


class Handler(BaseHTTPRequestHandler):
    """One connection: requests in, App responses out, one log line per request."""

    server: GovkgServer
    server_version = f"govkg/{__version__}"
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT
    # headers and body leave in two writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK of the headers, 40 ms on Linux for every keep-alive answer
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        limits = self.server.app.limits
        try:
            body = self._body(limits.max_body)
        except _Refused as refused:
            self.close_connection = True  # the unread body must not be taken as a request
            self._send(refused.response)
            return
        path, _, query = self.path.partition("?")
        request = Request(
            method=self.command,
            path=path,
            query_string=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=self._base_url(),
        )
        self._send(self.server.app.handle(request))

    def _base_url(self) -> str:
        """How the client named this server (Host header, when well formed)."""
        host = self.headers.get("Host", "")
        return f"http://{host}" if _HOST.match(host) else self.server.base_url

    def _body(self, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _Refused(
                text_response(
                    HTTPStatus.LENGTH_REQUIRED, "send a Content-Length, not a chunked body"
                )
            )
        length = self.headers.get("Content-Length")
        if length is None:
            if self.command == "POST":
                raise _Refused(
                    text_response(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length")
                )
            return b""
        try:
            size = int(length)
        except ValueError:
            raise _Refused(
                text_response(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
            ) from None
        if size < 0:
            raise _Refused(text_response(HTTPStatus.BAD_REQUEST, "Content-Length is negative"))
        if size > limit:
            raise _Refused(
                text_response(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"request body of {size} bytes is over the {limit} limit",
                )
            )
        return self.rfile.read(size)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", content_type(response.media))
        if "Content-Length" not in response.headers:
            self.send_header("Content-Length", str(len(response.body)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """One line per request on stderr, control characters escaped; nothing when quiet."""
        if not self.server.quiet:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: Any) -> None:
        """http.server logs errors and then the request: keep only the request line."""


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def serve_until_stopped(server: GovkgServer, processes: int = 1) -> None:
    """Serve until Ctrl-C (or SIGTERM): then close the socket and return.

    With `processes` > 1, that many server processes are forked from this one after the
    load (the graph shared copy-on-write), all accepting on the one listening socket, each
    with its own query workers, threads and cache: Python renders pages on one core per
    process. This process only waits; Ctrl-C or SIGTERM stops them all, and so does the
    end of any of them.
    """
    import signal

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _stop)
    children: list[int] = []
    try:
        if processes > 1:
            for _ in range(processes):
                pid = os.fork()
                if pid == 0:  # pragma: no cover - a server process
                    _serve_child(server)
                children.append(pid)
            os.wait()  # until a signal, or a server process ends
        else:
            server.app.executor.prepare()
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        print("govkg: server stopped", file=sys.stderr)


def _serve_child(server: GovkgServer) -> None:
    """A forked server process: its own query workers, serve until SIGTERM, then exit."""
    import signal

    code = 0
    try:
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)  # the terminal's Ctrl-C reaches every process
        server.app.executor.prepare()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    except BaseException:
        code = 70
    finally:
        with contextlib.suppress(BaseException):
            server.app.close()
        os._exit(code)
