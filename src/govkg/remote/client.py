"""The SPARQL 1.1 Protocol client: one endpoint URL, read-only queries, one-line errors.

Every failure a user can meet (an unreachable host, an HTTP error, a time-out, an answer
that is not SPARQL results) becomes a `RemoteError` naming the URL: one line, exit 2.
Requests go only to the URL given; redirects are reported, not followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

from govkg import __version__
from govkg.errors import BadInput
from govkg.remote.auth import PASSWORD_ENV, USER_ENV, auth_from_env

DEFAULT_TIMEOUT = 60.0
RESULTS_JSON = "application/sparql-results+json"
# what to ask for, by query form: stores answer the first type they know (Virtuoso sends a
# CONSTRUCT result as JSON bindings when JSON comes first)
_ACCEPT = {
    "select": RESULTS_JSON,
    "ask": RESULTS_JSON,
    "construct": "application/n-triples, text/turtle;q=0.9",
}
_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # older stores label N-Triples so
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
}


class RemoteError(BadInput):
    """The store could not be reached or did not answer as the protocol says: exit 2."""


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


def body_line(response: httpx.Response, limit: int = 200) -> str:
    """The gist of an error body in one line (HTML pages reduced to their text)."""
    text = response.text or ""
    if "html" in response.headers.get("content-type", "") or text.lstrip().startswith("<"):
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


class Client:
    """An HTTP session with one store: the credentials of the environment, a time-out."""

    def __init__(self, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self.http = httpx.Client(
            auth=auth_from_env(),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": f"govkg/{__version__}"},
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

    def request(
        self, method: str, url: str, feature: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One request; every failure as a one-line RemoteError.

        `feature` names the protocol the URL should offer: a 404, 405 or 501 then says the
        store does not offer it there.
        """
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise RemoteError(
                f"{shown(url)}: no answer within {self.timeout:g} s (see --timeout)"
            ) from None
        except httpx.ConnectError as err:
            raise RemoteError(f"cannot reach {shown(url)}: {_reason(err)}") from None
        except httpx.HTTPError as err:
            raise RemoteError(f"{shown(url)}: {_reason(err)}") from None
        if response.is_redirect:
            where = response.headers.get("location", "?")
            raise RemoteError(
                f"{shown(url)}: HTTP {response.status_code} redirect to {where}; govkg contacts "
                "only the URL you give, so give that one"
            )
        if response.status_code == 401:
            raise RemoteError(
                f"{shown(url)}: HTTP 401 Unauthorized: set ${USER_ENV} and ${PASSWORD_ENV} "
                "(or $GOVKG_ENDPOINT_TOKEN) to credentials the store accepts"
            )
        if feature and response.status_code in (404, 405, 501):
            raise RemoteError(
                f"{shown(url)}: HTTP {response.status_code} {response.reason_phrase}: the store "
                f"offers no {feature} at this address"
            )
        if response.status_code >= 400:
            raise RemoteError(
                f"{shown(url)}: HTTP {response.status_code} {response.reason_phrase}: "
                f"{body_line(response)}"
            )
        return response

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
        response = self.request(
            "POST", endpoint, "SPARQL 1.1 query service", data=form, headers={"Accept": accept}
        )
        return parse_answer(response, endpoint)


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


def parse_answer(response: httpx.Response, endpoint: str) -> Answer:
    """The answer as results or triples, by its media type; anything else is refused."""
    ctype = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = response.content
    try:
        if ctype == RESULTS_JSON or ctype == "application/json":
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            if isinstance(parsed, ox.QueryBoolean):
                return Answer(kind="ask", boolean=bool(parsed))
            return Answer(kind="select", json_results=body)
        if ctype in _GRAPH_TYPES:
            quads = ox.parse(body, format=_GRAPH_TYPES[ctype])
            return Answer(kind="construct", triples=[q.triple for q in quads])
    except (SyntaxError, ValueError, OSError) as err:
        raise RemoteError(f"{shown(endpoint)}: the store's answer does not parse: {err}") from None
    raise RemoteError(
        f"{shown(endpoint)}: answered {ctype or 'without a media type'}, not SPARQL results: "
        "is this the store's SPARQL query endpoint?"
    )
