"""The web application: one function from Request to Response, with every route.

/                 the query page (YASGUI, canned queries with forms, search, provinces)
/sparql           the SPARQL 1.1 Protocol query operation; without a query, sd:Service
/queries/NAME     a canned query with ?param=… (HTML table for browsers, W3C formats else)
/search?q=…       find entities by label (zh or en); one exact hit redirects to it
/id/…, /def       the dataset's IRIs, dereferenced: HTML or RDF by Accept or ?format=
/.well-known/void the VoID/DCAT description, with endpoint, dumps and distributions
/dumps/govkg.EXT  the whole graph, byte for byte what `govkg export` writes
/static/…         CSS, JS and the vendored YASGUI
"""

from __future__ import annotations

import mimetypes
import sys
import threading
from functools import cached_property
from http import HTTPStatus
from importlib import resources as importlib_resources
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from govkg.catalogue import catalogue
from govkg.namespaces import GKR, ONTOLOGY_IRI, PREFIXES
from govkg.web import pages
from govkg.web.cache import ResponseCache, key_of
from govkg.web.links import Linker, iri_of
from govkg.web.messages import (
    SECURITY_HEADERS,
    HttpError,
    Request,
    Response,
    one,
    redirect,
    text_response,
)
from govkg.web.negotiation import PAGE_TYPES, choose
from govkg.web.orgchart import org_chart
from govkg.web.protocol import (
    ALLOW,
    Executor,
    Limits,
    graph_bytes,
    graph_response,
    read_only,
    result_response,
    service_description,
    sparql,
)
from govkg.web.views import Labels, Term, entity_view, ontology_view, page_query, search

DUMP_FORMATS = {
    "ttl": ("ttl", "text/turtle"),
    "nt": ("nt", "application/n-triples"),
    "jsonld": ("jsonld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
"""Dump file ending -> (`govkg export` format, media type)."""
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": ALLOW,
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
}
PROVINCE_TYPES = ("Province", "AutonomousRegion", "Municipality", "ProvincialDivision")
DCAT, VOID, DCT, RDF = PREFIXES["dcat"], PREFIXES["void"], PREFIXES["dct"], PREFIXES["rdf"]
DATASET = GKR + "dataset/govkg"


def page_lang(request: Request) -> str:
    """?lang= if given, else the browser's first choice of zh or en, else en."""
    asked = one(request.form(), "lang")
    if asked in ("zh", "en"):
        return asked
    for part in (request.header("accept-language") or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


class App:
    """The graph, its limits and the few things worth computing once (dumps)."""

    def __init__(self, kg: Any, limits: Limits | None = None, *, static: bool = False) -> None:
        self.kg = kg
        self.limits = limits or Limits()
        self.executor = Executor(kg, self.limits)
        self.static = static
        """True when rendering a static site: links to `.html` files, no query features."""
        self._lock = threading.Lock()
        self._dumps: dict[str, bytes] = {}
        self._ontology: tuple[list[Term], Labels] | None = None
        self.cache = ResponseCache(self.limits.cache_bytes) if self.limits.cache_bytes else None

    def prepare(self, *, workers: bool = True) -> None:
        """What a server does once before its first request: index the hash-IRI parts,
        gather the ontology page's terms (usage counts read the graph) and, with `workers`,
        start the query workers (a process that forks servers starts them in each)."""
        self.executor.prepare(workers=workers)
        self.ontology()

    def close(self) -> None:
        """Stop the query workers (the app still answers: new ones start when needed)."""
        self.executor.close()

    # ------------------------------------------------------------ entry point

    def handle(self, request: Request) -> Response:
        """Answer one request; never raises (errors are one-line text responses)."""
        key = key_of(request) if self.cache is not None else None
        cached = self.cache.get(key) if self.cache is not None and key is not None else None
        try:
            response = cached or self._route(request)
        except HttpError as err:
            response = text_response(err.status, err.message, err.headers)
        except Exception as err:  # never a traceback to the client; one line in the log
            print(f"govkg: internal error: {type(err).__name__}: {err}", file=sys.stderr)
            response = text_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error")
        for name, value in CORS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Vary", "Accept, Accept-Language")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if self.cache is not None and key is not None and cached is None:
            self.cache.put(key, response)
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(response.body))
            response.body = b""
        return response

    def _route(self, request: Request) -> Response:
        method, path = request.method, request.path
        if method == "OPTIONS":
            return Response(HTTPStatus.NO_CONTENT, b"", "text/plain", {"Allow": ALLOW})
        if method in ("PUT", "DELETE", "PATCH"):
            raise read_only()
        if method not in ("GET", "HEAD", "POST"):
            raise HttpError(
                HTTPStatus.NOT_IMPLEMENTED, f"method {method} is not supported", {"Allow": ALLOW}
            )
        if path == "/sparql":
            return sparql(
                request,
                self.executor,
                self.links_for(request),
                lambda text, r: pages.sparql_results_page(
                    text, r, page_lang(request), self.links_for(request)
                ),
                self._service_description,
            )
        if method == "POST":
            raise HttpError(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"POST only to /sparql, not {path}",
                {"Allow": "GET, HEAD, OPTIONS"},
            )
        if path in ("/", "/index.html"):
            return self._index(request)
        if path.startswith("/queries/"):
            return self._canned(request, path[len("/queries/") :])
        if path == "/search":
            return self._search(request)
        if path == "/.well-known/void":
            return graph_response(
                request,
                self.void_triples(request.base_url),
                html=lambda t: self._graph_page(t, request, "VoID"),
            )
        if path.startswith("/dumps/"):
            return self._dump(path[len("/dumps/") :])
        if path.startswith("/static/"):
            return self._static(path[len("/static/") :])
        iri = iri_of(path)
        if iri is not None:
            return self._entity(request, iri)
        raise HttpError(HTTPStatus.NOT_FOUND, f"no such resource: {path}; see /")

    # ------------------------------------------------------------ pages

    def links_for(self, request: Request) -> Linker:
        return Linker(self.static, request.path)

    def provinces(self) -> list[tuple[str, dict[str, str]]]:
        """Provincial divisions with something to chart, with their labels."""
        text = page_query("provinces")
        result = self.executor.page_runner(text, {})
        out: dict[str, dict[str, str]] = {}
        for place, label in result.terms:
            if isinstance(label, ox.Literal) and label.language in ("zh", "en"):
                out.setdefault(place.value, {}).setdefault(label.language, label.value)
        return sorted(out.items(), key=lambda kv: kv[0])

    def _index(self, request: Request) -> Response:
        body = pages.index_page(
            catalogue(), self.provinces(), page_lang(request), self.links_for(request)
        )
        return Response(200, body, "text/html")

    def _canned(self, request: Request, name: str) -> Response:
        """A canned query with parameters bound as terms, like `govkg query NAME --param`."""
        by_name = {q.name: q for q in catalogue()}
        if name not in by_name:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no canned query named {name!r}; see /")
        form = request.form()
        values = {k: one(form, k) or "" for k in form if k != "format"}
        params = dict(values)
        lang = params.pop("lang", "en") or "en"
        result, truncated = self.executor.run(name, params, lang)
        query_string = urlencode([(k, v) for k, v in values.items()])
        return result_response(
            request,
            result,
            truncated,
            form,
            lambda r: pages.canned_page(
                by_name[name], values, r, page_lang(request), self.links_for(request), query_string
            ),
        )

    def _search(self, request: Request) -> Response:
        text = (one(request.form(), "q") or "").strip()
        if not text:
            raise HttpError(HTTPStatus.BAD_REQUEST, "search needs q=TEXT (a label, zh or en)")
        if len(text) > 200:
            raise HttpError(HTTPStatus.BAD_REQUEST, "search text is over 200 characters")
        hits = search(self.executor.page_runner, text)
        exact = [iri for iri, _, is_exact in hits if is_exact]
        target = self.links_for(request).href(exact[0]) if len(set(exact)) == 1 else None
        if target is not None and one(request.form(), "list") is None:
            return redirect(target)
        body = pages.search_page(text, hits, page_lang(request), self.links_for(request))
        return Response(200, body, "text/html")

    def _entity(self, request: Request, iri: str) -> Response:
        """A dataset IRI: its page for people, its description in RDF for machines."""
        media, fmt = choose(request.header("accept"), one(request.form(), "format"), PAGE_TYPES)
        run = self.executor.page_runner
        if fmt != "html":
            name = "ontology-graph" if iri == ONTOLOGY_IRI else "describe"
            triples = run(page_query(name), {} if iri == ONTOLOGY_IRI else {"entity": iri}).triples
            if not triples:
                raise HttpError(HTTPStatus.NOT_FOUND, f"nothing is known about <{iri}>")
            return Response(200, graph_bytes(triples, fmt), media)
        lang = page_lang(request)
        view = entity_view(run, iri)
        if iri == ONTOLOGY_IRI:
            terms, labels = self.ontology()
            return Response(
                200, pages.ontology_page(terms, labels, view, self.links_for(request), lang), media
            )
        if not view.exists:
            raise HttpError(HTTPStatus.NOT_FOUND, f"nothing is known about <{iri}>")
        chart = org_chart(run, iri) if view.is_a(*PROVINCE_TYPES) else None
        return Response(200, pages.entity_page(view, self.links_for(request), lang, chart), media)

    def ontology(self) -> tuple[list[Term], Labels]:
        """The ontology page's terms (their usage counts read the whole graph): made once,
        as the graph a server answers for does not change."""
        with self._lock:
            if self._ontology is None:
                self._ontology = ontology_view(self.executor.page_runner)
            return self._ontology

    def _graph_page(self, triples: list[ox.Triple], request: Request, title: str) -> bytes:
        text = graph_bytes(triples, "ttl").decode("utf-8")
        body = f'<h1>{pages.esc(title)}</h1><pre class="sparql">{pages.esc(text)}</pre>'
        return pages.layout(title, body, self.links_for(request), lang=page_lang(request))

    def _service_description(self, request: Request) -> Response:
        endpoint = request.base_url + "/sparql"
        triples = service_description(
            endpoint, request.base_url + "/.well-known/void", len(self.kg)
        )
        return graph_response(
            request, triples, html=lambda t: self._graph_page(t, request, "SPARQL endpoint")
        )

    # ------------------------------------------------------------ data files

    def dump(self, ext: str) -> bytes:
        """The whole graph in one format: what `govkg export` writes (made once)."""
        with self._lock:
            if ext not in self._dumps:
                from govkg.export import serialize

                self._dumps[ext] = serialize(self.kg.rdflib(), DUMP_FORMATS[ext][0])
            return self._dumps[ext]

    def _dump(self, name: str) -> Response:
        stem, _, ext = name.partition(".")
        if stem != "govkg" or ext not in DUMP_FORMATS:
            raise HttpError(
                HTTPStatus.NOT_FOUND, f"no dump {name!r}; govkg.ttl, .nt, .jsonld, .rdf"
            )
        return Response(
            200,
            self.dump(ext),
            DUMP_FORMATS[ext][1],
            {"Content-Disposition": f'attachment; filename="{quote(name)}"'},
        )

    @cached_property
    def _dataset_triples(self) -> list[ox.Triple]:
        from govkg import resources
        from govkg.load import parse_file

        return [q.triple for q in parse_file(resources.data_dir() / "dataset.ttl")]

    def void_triples(self, base_url: str | None, endpoint: bool = True) -> list[ox.Triple]:
        """data/dataset.ttl plus where the data can be had: endpoint, dumps, distributions."""
        base = base_url or "https://w3id.org/govkg"
        ds = ox.NamedNode(DATASET)
        triples = list(self._dataset_triples)
        if endpoint:
            triples.append(
                ox.Triple(ds, ox.NamedNode(VOID + "sparqlEndpoint"), ox.NamedNode(base + "/sparql"))
            )
            service = ox.NamedNode(base + "/sparql")
            triples += [
                ox.Triple(service, ox.NamedNode(RDF + "type"), ox.NamedNode(DCAT + "DataService")),
                ox.Triple(service, ox.NamedNode(DCAT + "endpointURL"), service),
                ox.Triple(service, ox.NamedNode(DCAT + "servesDataset"), ds),
                ox.Triple(ds, ox.NamedNode(DCAT + "accessService"), service),
            ]
        triples.append(
            ox.Triple(ds, ox.NamedNode(VOID + "rootResource"), ox.NamedNode(ONTOLOGY_IRI))
        )
        for ext, (_fmt, media) in DUMP_FORMATS.items():
            url = ox.NamedNode(f"{base}/dumps/govkg.{ext}")
            dist = ox.NamedNode(f"{GKR}dataset/govkg/distribution/{ext}")
            triples += [
                ox.Triple(ds, ox.NamedNode(VOID + "dataDump"), url),
                ox.Triple(ds, ox.NamedNode(DCAT + "distribution"), dist),
                ox.Triple(dist, ox.NamedNode(RDF + "type"), ox.NamedNode(DCAT + "Distribution")),
                ox.Triple(dist, ox.NamedNode(DCAT + "downloadURL"), url),
                ox.Triple(dist, ox.NamedNode(DCAT + "accessURL"), url),
                ox.Triple(
                    dist,
                    ox.NamedNode(DCAT + "mediaType"),
                    ox.NamedNode("https://www.iana.org/assignments/media-types/" + media),
                ),
                ox.Triple(dist, ox.NamedNode(DCT + "format"), ox.Literal(media)),
            ]
        return triples

    def _static(self, name: str) -> Response:
        parts = name.split("/")
        if not name or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise HttpError(HTTPStatus.NOT_FOUND, f"no static file {name!r}")
        node = importlib_resources.files("govkg.web") / "static"
        for p in parts:
            node = node / p
        if not node.is_file():
            raise HttpError(HTTPStatus.NOT_FOUND, f"no static file {name!r}")
        media = mimetypes.guess_type(parts[-1])[0] or "application/octet-stream"
        return Response(200, node.read_bytes(), media, {"Cache-Control": "public, max-age=86400"})
