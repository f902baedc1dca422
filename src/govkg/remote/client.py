"""The SPARQL 1.1 Protocol client: one endpoint URL, read-only queries, one-line errors.

Every failure a user can meet (an unreachable host, an HTTP error, a time-out, an answer
that is not SPARQL results) becomes a `RemoteError` naming the URL: one line, exit 2.
Requests go only to the URL given; redirects are reported, not followed.
"""

from __future__ import annotations

import os
import re
import ssl
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

import httpcore
import httpx
import pyoxigraph as ox

from govkg import __version__
from govkg.errors import BadInput
from govkg.remote.auth import PASSWORD_ENV, USER_ENV, auth_from_env

DEFAULT_TIMEOUT = 60.0
# the most an answer may hold, in bytes (decoded), unless raised by --max-answer or the env
DEFAULT_MAX_ANSWER = 256 * 1024 * 1024
MAX_ANSWER_ENV = "GOVKG_MAX_ANSWER_BYTES"
_ERROR_BODY = 64 * 1024  # of an error page, only its gist is shown
_IN_MEMORY = 8 * 1024 * 1024  # an answer larger than this waits on disk to be parsed
RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
RESULTS_TSV = "text/tab-separated-values"
# what to ask for, by query form: stores answer the first type they know (Virtuoso sends a
# CONSTRUCT result as JSON bindings when JSON comes first)
_RESULTS_ACCEPT = f"{RESULTS_JSON}, {RESULTS_XML};q=0.9, {RESULTS_TSV};q=0.8"
_ACCEPT = {
    "select": _RESULTS_ACCEPT,
    "ask": _RESULTS_ACCEPT,
    "construct": "application/n-triples, text/turtle;q=0.9",
}
_RESULTS_TYPES = {
    RESULTS_JSON: ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    RESULTS_XML: ox.QueryResultsFormat.XML,
    RESULTS_TSV: ox.QueryResultsFormat.TSV,
}
_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # older stores label N-Triples so
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


class RemoteError(BadInput):
    """The store could not be reached or did not answer as the protocol says: exit 2."""


class HttpStatusError(RemoteError):
    """The store answered with an HTTP error status (kept in `status`)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class DroppedConnection(RemoteError):
    """The connection closed before a whole answer arrived (or before one was sent)."""


def max_answer_bytes(value: int | None = None) -> int:
    """The answer limit: `value` (--max-answer), else $GOVKG_MAX_ANSWER_BYTES, else 256 MiB."""
    if value is not None:
        return value
    raw = os.environ.get(MAX_ANSWER_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_ANSWER
    try:
        return parse_size(raw)
    except ValueError as err:
        raise BadInput(f"${MAX_ANSWER_ENV}={raw!r}: {err}") from None


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str) -> int:
    """A byte count: digits, optionally with K, M, G or T (binary: 1K = 1024 bytes)."""
    found = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if not found or int(found.group(1)) == 0:
        raise ValueError("give a positive number of bytes, e.g. 268435456, 256M or 2G")
    return int(found.group(1)) * _UNITS[found.group(2).upper()]


def size_text(n: int) -> str:
    for unit in ("T", "G", "M", "K"):
        if n >= _UNITS[unit] and n % _UNITS[unit] == 0:
            return f"{n // _UNITS[unit]} {unit}iB"
    return f"{n} bytes"


def check_url(url: str, what: str = "--endpoint") -> str:
    """An http(s) URL with a host and no credentials in it (those belong in the environment)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{what} {url!r}: give an http:// or https:// URL")
    if parts.username or parts.password:
        raise BadInput(
            f"{what}: do not put credentials in the URL; set ${USER_ENV} and ${PASSWORD_ENV}"
        )
    return url


def check_graph(iri: str | None) -> str | None:
    """A named-graph IRI: absolute, no spaces or characters IRIs may not hold."""
    if iri is None:
        return None
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+", iri):
        raise BadInput(f"--graph {iri!r}: give an absolute IRI (e.g. https://example.org/govkg)")
    return iri


def shown(url: str) -> str:
    """A URL as errors show it: without its query string."""
    return url.split("?", 1)[0]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.parts.append(data.strip())


def body_line(text: str, ctype: str = "", limit: int = 200) -> str:
    """The gist of an error body in one line (HTML pages reduced to their text)."""
    if "html" in ctype or text.lstrip().startswith("<"):
        parser = _Text()
        parser.feed(text)
        line = " ".join(" ".join(parser.parts).split())
    else:  # plain text: its first line (Virtuoso follows it with the whole query)
        line = next((row.strip() for row in text.splitlines() if row.strip()), "")
    return line[:limit] + ("…" if len(line) > limit else "")


@dataclass
class Answer:
    """What an endpoint answered: SELECT results (W3C JSON), an ASK boolean, or triples."""

    kind: str
    json_results: bytes = b""
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None


@dataclass
class Reply:
    """A successful answer: its status, headers and the body, read within the limits.

    The body is a spooled temporary file (in memory up to 8 MiB, then on disk), at its start.
    """

    status: int
    headers: httpx.Headers
    body: IO[bytes]

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


# ---- the whole-request deadline ---------------------------------------------------------------


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write waits no longer than the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, backend: _DeadlineBackend) -> None:
        self.inner = inner
        self.backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.backend.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.backend.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wrapped = self.inner.start_tls(
            ssl_context, server_hostname, self.backend.clamp(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(wrapped, self.backend)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    """httpcore's sockets, each wait cut to what is left of the current request's deadline.

    httpx's own time-out applies to each read, so an answer trickling a byte a second never
    times out; this makes `--timeout` the deadline of the whole request.
    """

    def __init__(self) -> None:
        self._local = threading.local()  # each thread's request has its own deadline

    @property
    def deadline(self) -> float | None:
        return getattr(self._local, "deadline", None)

    @deadline.setter
    def deadline(self, value: float | None) -> None:
        self._local.deadline = value

    def clamp(self, timeout: float | None, error: type[Exception]) -> float | None:
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = super().connect_tcp(
            host,
            port,
            self.clamp(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,
        )
        return _DeadlineStream(stream, self)


def _transport(backend: _DeadlineBackend) -> httpx.HTTPTransport:
    """httpx's transport on a connection pool whose sockets keep the deadline.

    httpx builds its pool without a way to pass a network backend, so the pool is rebuilt
    with httpx's defaults and ours; tests/test_remote_faults.py proves the deadline holds.
    """
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=httpx.Limits().max_connections,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=backend,
    )
    return transport


class Client:
    """An HTTP session with one store: the environment's credentials, a deadline, a size limit.

    `timeout` is the deadline of each whole request (connecting, sending, every byte of the
    answer); `max_bytes` the most an answer may hold (decoded), checked while it arrives.
    """

    def __init__(
        self, timeout: float | None = DEFAULT_TIMEOUT, max_bytes: int | None = None
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_answer_bytes(max_bytes)
        self._backend = _DeadlineBackend()
        self.http = httpx.Client(
            auth=auth_from_env(),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": f"govkg/{__version__}"},
            transport=_transport(self._backend),
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        err: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.http.close()

    def request(self, method: str, url: str, feature: str | None = None, **kwargs: Any) -> Reply:
        """One request; every failure as a one-line RemoteError.

        `feature` names the protocol the URL should offer: a 404, 405 or 501 then says the
        store does not offer it there.
        """
        if self.timeout is not None:
            self._backend.deadline = time.monotonic() + self.timeout
        try:
            with self.http.stream(method, url, **kwargs) as response:
                self._status(response, url, feature)
                return Reply(response.status_code, response.headers, self._body(response, url))
        except httpx.TimeoutException:
            raise RemoteError(
                f"{shown(url)}: no complete answer within {self.timeout:g} s (--timeout is the "
                "deadline of the whole request)"
            ) from None
        except httpx.ConnectError as err:
            raise RemoteError(f"cannot reach {shown(url)}: {_reason(err)}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as err:
            raise DroppedConnection(
                f"{shown(url)}: the connection was dropped before the store's answer was "
                f"complete ({_reason(err)})"
            ) from None
        except httpx.DecodingError as err:
            raise RemoteError(
                f"{shown(url)}: the answer does not decode as its Content-Encoding says: "
                f"{_reason(err)}"
            ) from None
        except httpx.HTTPError as err:
            raise RemoteError(f"{shown(url)}: {_reason(err)}") from None
        finally:
            self._backend.deadline = None

    def _status(self, response: httpx.Response, url: str, feature: str | None) -> None:
        """Refuse a redirect or an HTTP error status, with one line of the error page."""
        status = response.status_code
        if response.is_redirect:
            where = response.headers.get("location", "?")
            raise HttpStatusError(
                f"{shown(url)}: HTTP {status} redirect to {where}; govkg contacts "
                "only the URL you give, so give that one",
                status,
            )
        if status == 401:
            raise HttpStatusError(
                f"{shown(url)}: HTTP 401 Unauthorized: set ${USER_ENV} and ${PASSWORD_ENV} "
                "(or $GOVKG_ENDPOINT_TOKEN) to credentials the store accepts",
                status,
            )
        if feature and status in (404, 405, 501):
            raise HttpStatusError(
                f"{shown(url)}: HTTP {status} {response.reason_phrase}: the store "
                f"offers no {feature} at this address",
                status,
            )
        if status >= 400:
            head = bytearray()
            for piece in response.iter_bytes():
                head += piece
                if len(head) >= _ERROR_BODY:
                    break
            text = bytes(head[:_ERROR_BODY]).decode(response.encoding or "utf-8", "replace")
            line = body_line(text, response.headers.get("content-type", ""))
            raise HttpStatusError(
                f"{shown(url)}: HTTP {status} {response.reason_phrase}: {line}", status
            )

    def _body(self, response: httpx.Response, url: str) -> IO[bytes]:
        """The answer's body, refused as soon as it is known to pass the limit."""
        limit = self.max_bytes
        advice = (
            f"over the limit of {size_text(limit)} (raise it with --max-answer or "
            f"${MAX_ANSWER_ENV})"
        )
        declared = response.headers.get("content-length", "")
        encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
        if declared.isdigit() and int(declared) > limit and not encoded:
            raise RemoteError(f"{shown(url)}: the answer is {int(declared)} bytes, {advice}")
        body = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 - returned
        received = 0
        try:
            for piece in response.iter_bytes():
                received += len(piece)
                if received > limit:
                    raise RemoteError(
                        f"{shown(url)}: the answer is {advice}; stopped after {limit} bytes"
                    )
                body.write(piece)
        except BaseException:
            body.close()
            raise
        body.seek(0)
        return body

    def query(
        self, endpoint: str, text: str, graph: str | None = None, kind: str | None = None
    ) -> Answer:
        """Run a query by the SPARQL 1.1 Protocol (URL-encoded POST); `graph` as its default.

        `kind` (select, ask, construct) picks the media types asked for; by default it is
        read from pyoxigraph's parse of the text.
        """
        form: dict[str, str] = {"query": text}
        if graph:
            form["default-graph-uri"] = graph
        accept = _ACCEPT[kind or query_kind(text)]
        reply = self.request(
            "POST", endpoint, "SPARQL 1.1 query service", data=form, headers={"Accept": accept}
        )
        with reply.body:
            return parse_answer(reply, endpoint)

    def update(self, endpoint: str, text: str) -> None:
        """Run a SPARQL 1.1 Update by the protocol (URL-encoded POST)."""
        reply = self.request("POST", endpoint, "SPARQL 1.1 Update service", data={"update": text})
        reply.body.close()


def query_kind(text: str, prefixes: dict[str, str] | None = None, source: str = "<query>") -> str:
    """select, ask or construct (DESCRIBE too), as pyoxigraph parses the query.

    Run on an empty in-memory store, so parsing is all it costs; a syntax error surfaces
    here, before anything is sent.
    """
    from govkg.query import _syntax_error

    try:
        answer = ox.Store().query(text, prefixes=prefixes)
    except SyntaxError as err:
        raise _syntax_error(err, source) from None
    if isinstance(answer, ox.QueryBoolean):
        return "ask"
    if isinstance(answer, ox.QueryTriples):
        return "construct"
    return "select"


def _reason(err: Exception) -> str:
    text = str(err) or type(err).__name__
    return " ".join(text.split())


def _well_formed(body: IO[bytes]) -> None:
    """Refuse XML that is not well-formed or declares a DTD (ValueError, with line:column).

    pyoxigraph's XML results reader stops at the end of the input without asking whether
    the document was closed, so a truncated answer would lose its last results silently;
    expat reads it through first (in blocks; a results document needs no DTD, so none, and
    no entity it could declare, is accepted).
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def no_dtd(*_args: object) -> None:
        raise ValueError("it declares a DTD, which SPARQL results never need")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    try:
        while block := body.read(1 << 16):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except expat.ExpatError as err:
        raise ValueError(
            f"not well-formed XML at line {err.lineno} column {err.offset + 1}: "
            f"{expat.errors.messages[err.code]}"
        ) from None
    finally:
        body.seek(0)


def parse_answer(reply: Reply, endpoint: str) -> Answer:
    """The answer as results or triples, by its media type; anything else is refused.

    Results (JSON, XML or TSV) are parsed in full by pyoxigraph and written back as W3C
    JSON, so a truncated or malformed answer is refused here, naming the endpoint, and what
    the rest of govkg reads is pyoxigraph's own output.
    """
    ctype = reply.media_type
    empty = not reply.body.read(1)
    reply.body.seek(0)
    if empty and ctype in _RESULTS_TYPES:  # even no solutions have a head (JSON, XML, TSV)
        raise RemoteError(
            f"{shown(endpoint)}: the store's answer ({ctype}) is malformed or truncated: "
            "it is empty, without even the results' head"
        )
    try:
        if _RESULTS_TYPES.get(ctype) == ox.QueryResultsFormat.XML:
            _well_formed(reply.body)
        if ctype in _RESULTS_TYPES:
            parsed = ox.parse_query_results(reply.body, format=_RESULTS_TYPES[ctype])
            if isinstance(parsed, ox.QueryBoolean):
                return Answer(kind="ask", boolean=bool(parsed))
            out = parsed.serialize(format=ox.QueryResultsFormat.JSON)
            return Answer(kind="select", json_results=out or b"")
        if ctype in _GRAPH_TYPES:
            quads = ox.parse(reply.body, format=_GRAPH_TYPES[ctype])
            return Answer(kind="construct", triples=[q.triple for q in quads])
    except (SyntaxError, ValueError, OSError) as err:
        raise RemoteError(
            f"{shown(endpoint)}: the store's answer ({ctype}) is malformed or truncated: "
            f"{_reason(err)}"
        ) from None
    if ctype == "text/csv":
        raise RemoteError(
            f"{shown(endpoint)}: answered text/csv, which loses the terms' types; govkg asks "
            "for SPARQL results as JSON, XML or TSV"
        )
    raise RemoteError(
        f"{shown(endpoint)}: answered {ctype or 'without a media type'}, not SPARQL results: "
        "is this the store's SPARQL query endpoint?"
    )
