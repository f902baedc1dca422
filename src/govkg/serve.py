"""`govkg serve`: a read-only SPARQL 1.1 Protocol endpoint on the standard library.

Queries from the network are untrusted text, so each one goes through `govkg.query`'s own
path (check_safe, bound parameters, timeout): no UPDATE, no SERVICE, no FROM, ever. Query
text is never resolved as a canned-query name or a `.rq` file path, so a client cannot make
the server read local files. Only pyoxigraph is used, so start-up and queries stay fast.
"""

from __future__ import annotations

import html
import re
import socket
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pyoxigraph as ox

from govkg import __version__, resources
from govkg.catalogue import catalogue
from govkg.errors import BadInput, InputSyntaxError
from govkg.load import KnowledgeGraph, parse_file
from govkg.namespaces import PREFIXES
from govkg.query import (
    Query,
    QueryCrashed,
    QueryRefused,
    QueryResult,
    QueryTimeout,
    QueryTooComplex,
    run_query,
)
from govkg.results import render

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
MAX_BODY = 1024 * 1024
"""Larger request bodies are refused (413) before they are read."""
MAX_RUNNING = 8
"""Query threads alive at once (timed-out ones keep running until they finish): more → 503."""
SOCKET_TIMEOUT = 30.0
"""A client that stalls mid-request is dropped, so it cannot hold a thread for ever."""

# (media type offered, results.render format), server preference first
SELECT_TYPES: tuple[tuple[str, str], ...] = (
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
)
GRAPH_TYPES: tuple[tuple[str, str], ...] = (
    ("text/turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/x-turtle", "ttl"),
)
_TEXTUAL = ("text/", "application/n-triples")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class HttpError(Exception):
    """A response other than 200: status, a one-line reason, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = " ".join(message.split())  # one line, whatever the cause said
        self.headers = headers or {}


# ---------------------------------------------------------------- content negotiation


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    """(type, subtype, q) of an Accept header; malformed parts are skipped."""
    out = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        mtype, sep, sub = fields[0].lower().partition("/")
        if not sep or not mtype or not sub:
            continue
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((mtype, sub, q))
    return out


def negotiate(accept: str | None, offers: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """The offer the client likes best (ties: server order); None when none is acceptable.

    No Accept header, or an empty one, means anything: the first offer.
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    best: tuple[float, int] | None = None
    chosen = None
    for index, (media, fmt) in enumerate(offers):
        mtype, _, sub = media.partition("/")
        quality, specificity = 0.0, -1
        for rtype, rsub, q in ranges:
            if rtype == mtype and rsub == sub:
                spec = 2
            elif rtype == mtype and rsub == "*":
                spec = 1
            elif rtype == "*" and rsub == "*":
                spec = 0
            else:
                continue
            if spec > specificity:
                quality, specificity = q, spec
        if quality > 0 and (best is None or quality > best[0]):
            best, chosen = (quality, index), (media, fmt)
    return chosen


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith(_TEXTUAL) else media


# ---------------------------------------------------------------- the server


@dataclass
class Response:
    status: int
    body: bytes
    media: str
    headers: dict[str, str]


class SparqlServer(ThreadingHTTPServer):
    """A threading HTTP server holding the graph and the query limits."""

    daemon_threads = True
    allow_reuse_address = False  # a port in use must be reported, not shared

    def __init__(
        self,
        kg: KnowledgeGraph,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        quiet: bool = False,
        max_body: int = MAX_BODY,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.kg = kg
        self.query_timeout = timeout
        self.quiet = quiet
        self.max_body = max_body
        self._void: list[ox.Triple] | None = None
        super().__init__((host, port), SparqlHandler)

    @property
    def url(self) -> str:
        """The endpoint's URL (with the real port when 0 was asked for)."""
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/sparql"

    def void_triples(self) -> list[ox.Triple]:
        """data/dataset.ttl: the DCAT/VoID description of the data set (parsed once)."""
        if self._void is None:
            self._void = [q.triple for q in parse_file(resources.data_dir() / "dataset.ttl")]
        return self._void


def make_server(
    kg: KnowledgeGraph,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    quiet: bool = False,
    max_body: int = MAX_BODY,
) -> SparqlServer:
    """A bound, not yet serving, endpoint; a port in use is BadInput (exit 2)."""
    try:
        return SparqlServer(kg, host, port, timeout=timeout, quiet=quiet, max_body=max_body)
    except OSError as err:
        raise BadInput(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


class SparqlHandler(BaseHTTPRequestHandler):
    """SPARQL 1.1 Protocol, query operation only; every answer carries a one-line reason."""

    server: SparqlServer
    server_version = f"govkg/{__version__}"
    timeout = SOCKET_TIMEOUT

    # ------------------------------------------------------------ HTTP methods

    def do_GET(self) -> None:
        self._respond(self._get)

    def do_POST(self) -> None:
        self._respond(self._post)

    def do_OPTIONS(self) -> None:
        self._send(Response(HTTPStatus.NO_CONTENT, b"", "text/plain", self._allow()))

    def do_PUT(self) -> None:
        self._respond(self._read_only)

    do_DELETE = do_PATCH = do_PUT

    # ------------------------------------------------------------ routing

    def _get(self) -> Response:
        parts = urlsplit(self.path)
        form = self._fields(parts.query)
        if parts.path == "/sparql":
            return self._sparql(form)
        if parts.path in ("/", "/index.html"):
            return Response(200, self._index().encode("utf-8"), "text/html", {})
        if parts.path.startswith("/queries/"):
            return self._canned(parts.path[len("/queries/") :], form)
        if parts.path == "/.well-known/void":
            return self._graph(self.server.void_triples())
        raise HttpError(HTTPStatus.NOT_FOUND, f"no such resource: {parts.path}; see /")

    def _post(self) -> Response:
        path = urlsplit(self.path).path
        if path != "/sparql":
            raise HttpError(HTTPStatus.NOT_FOUND, f"POST only to /sparql, not {path}")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            self._read_only()
        if media not in ("application/sparql-query", "application/x-www-form-urlencoded"):
            raise HttpError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "POST application/sparql-query or application/x-www-form-urlencoded",
            )
        body = self._body()
        if media == "application/sparql-query":
            form = self._fields(urlsplit(self.path).query)
            if "query" in form:
                raise HttpError(HTTPStatus.BAD_REQUEST, "the query goes in the body, not the URL")
            form["query"] = [body]
            return self._sparql(form)
        return self._sparql(self._fields(body))

    def _read_only(self) -> Response:
        raise HttpError(
            HTTPStatus.METHOD_NOT_ALLOWED,
            "this endpoint is read-only: SPARQL updates are not accepted",
            {"Allow": "GET, POST, OPTIONS"},
        )

    # ------------------------------------------------------------ operations

    def _sparql(self, form: dict[str, list[str]]) -> Response:
        """The protocol's query operation, with the dataset fixed to the loaded graph."""
        if "update" in form:
            self._read_only()
        for field in ("default-graph-uri", "named-graph-uri"):
            if field in form:
                raise HttpError(
                    HTTPStatus.BAD_REQUEST,
                    f"{field} is not supported: queries run over the loaded graph only",
                )
        text = self._one(form, "query")
        if text is None or not text.strip():
            raise HttpError(HTTPStatus.BAD_REQUEST, "no query: give query=... (see /)")
        return self._run(Query.from_text(text, "query"), {})

    def _canned(self, name: str, form: dict[str, list[str]]) -> Response:
        """A canned query with parameters bound as terms, like `govkg query NAME --param`."""
        if not _NAME.fullmatch(name) or name not in {q.name for q in catalogue()}:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no canned query named {name!r}; see /")
        params = {}
        for key in form:
            value = self._one(form, key)
            params[key] = value if value is not None else ""
        lang = params.pop("lang", "en")
        return self._run(Query.canned(name), params, lang)

    def _run(self, query: Query, params: dict[str, str], lang: str = "en") -> Response:
        running = sum(1 for t in threading.enumerate() if t.name == "govkg-query")
        if running >= MAX_RUNNING:
            raise HttpError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                "too many queries running; try again later",
                {"Retry-After": "10"},
            )
        try:
            result = run_query(
                self.server.kg, query, params, lang=lang, timeout=self.server.query_timeout
            )
        except QueryTimeout:
            raise HttpError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"query ran longer than {self.server.query_timeout:g} s and was stopped",
            ) from None
        except QueryRefused as err:
            raise HttpError(HTTPStatus.FORBIDDEN, f"query refused: {err}") from None
        except QueryCrashed as err:
            raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, str(err)) from None
        except InputSyntaxError as err:
            where = ":".join(str(n) for n in (err.line, err.column) if n is not None) or "?"
            raise HttpError(HTTPStatus.BAD_REQUEST, f"query:{where}: {err.detail}") from None
        except (QueryTooComplex, BadInput) as err:
            raise HttpError(HTTPStatus.BAD_REQUEST, str(err)) from None
        return self._result(result)

    def _result(self, result: QueryResult) -> Response:
        if result.kind == "construct":
            return self._graph(result.triples)
        chosen = negotiate(self.headers.get("Accept"), SELECT_TYPES)
        if chosen is None:
            self._not_acceptable(SELECT_TYPES)
        media, fmt = chosen
        return Response(200, render(result, fmt), media, {})

    def _graph(self, triples: list[ox.Triple]) -> Response:
        chosen = negotiate(self.headers.get("Accept"), GRAPH_TYPES)
        if chosen is None:
            self._not_acceptable(GRAPH_TYPES)
        media, fmt = chosen
        body = render(QueryResult(kind="construct", triples=triples), fmt)
        return Response(200, body, media, {})

    def _not_acceptable(self, offers: tuple[tuple[str, str], ...]) -> None:
        raise HttpError(
            HTTPStatus.NOT_ACCEPTABLE,
            "no acceptable format; this result comes as " + ", ".join(m for m, _ in offers[:4]),
        )

    def _index(self) -> str:
        """A small page: how to query, and every canned query with a runnable link."""
        esc = html.escape
        items = []
        for q in catalogue():
            params = [p for p in q.params if p.name != "lang"]
            args = "&".join(f"{quote(p.name)}=" + quote(p.default or "") for p in params)
            href = f"/queries/{quote(q.name)}" + (f"?{args}" if args else "")
            names = " ".join(
                f"{p.name}=" + (p.default if p.default is not None else "…") for p in params
            )
            items.append(
                f'<li><a href="{esc(href)}"><code>{esc(q.name)}</code></a> {esc(q.title_en)}'
                f" / {esc(q.title_zh)}" + (f" <code>[{esc(names)}]</code>" if names else "")
            )
        return (
            '<!doctype html><meta charset="utf-8"><title>govkg SPARQL endpoint</title>\n'
            f"<h1>govkg {esc(__version__)}: read-only SPARQL endpoint</h1>\n"
            "<p><code>GET /sparql?query=…</code> or <code>POST /sparql</code> "
            "(<code>application/sparql-query</code> or a <code>query=</code> form); "
            "results by <code>Accept</code>. Prefixes known: "
            f"<code>{esc(' '.join(sorted(PREFIXES)))}</code>. No updates, SERVICE or FROM.</p>\n"
            "<p>Canned queries: <code>GET /queries/NAME?param=…&amp;lang=en|zh</code>. "
            'Data set description: <a href="/.well-known/void">/.well-known/void</a>.</p>\n'
            "<ul>\n" + "\n".join(items) + "\n</ul>\n"
        )

    # ------------------------------------------------------------ request plumbing

    def _body(self) -> str:
        length = self.headers.get("Content-Length")
        if length is None:
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length")
        try:
            size = int(length)
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "Content-Length is not a number") from None
        if size < 0:
            raise HttpError(HTTPStatus.BAD_REQUEST, "Content-Length is negative")
        if size > self.server.max_body:
            raise HttpError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body of {size} bytes is over the {self.server.max_body} limit",
            )
        data = self.rfile.read(size)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "request body is not UTF-8") from None

    @staticmethod
    def _fields(text: str) -> dict[str, list[str]]:
        try:
            return parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=100)
        except ValueError as err:  # bad percent-encoding, not UTF-8, too many fields
            raise HttpError(
                HTTPStatus.BAD_REQUEST, f"malformed form or query string: {err}"
            ) from None

    @staticmethod
    def _one(form: dict[str, list[str]], name: str) -> str | None:
        values = form.get(name)
        if not values:
            return None
        if len(values) > 1:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"{name} given more than once")
        return values[0]

    def _allow(self) -> dict[str, str]:
        return {
            "Allow": "GET, POST, OPTIONS",
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Accept, Content-Type",
        }

    def _respond(self, route: Any) -> None:
        try:
            response = route()
        except HttpError as err:
            response = Response(
                err.status, (err.message + "\n").encode(), "text/plain", err.headers
            )
            if err.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
                self.close_connection = True  # the unread body must not be taken as a request
        except Exception as err:  # never a traceback to the client; one line in the log
            self.log_message("internal error: %s: %s", type(err).__name__, err)
            response = Response(500, b"internal error\n", "text/plain", {})
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", content_type(response.media))
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Vary", "Accept")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(response.body)

    # ------------------------------------------------------------ logging

    def log_message(self, format: str, *args: Any) -> None:
        """One line per request on stderr, control characters escaped; nothing when quiet."""
        if not self.server.quiet:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: Any) -> None:
        """http.server logs errors and then the request: keep only the request line."""


def serve_until_stopped(server: SparqlServer) -> None:
    """Serve until Ctrl-C (or SIGTERM): then close the socket and return."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        print("govkg: server stopped", file=sys.stderr)
