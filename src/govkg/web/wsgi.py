"""The web application as a WSGI app, for deployment behind a real server.

    gunicorn --workers 2 'govkg.web.wsgi:create()'
    waitress-serve --call govkg.web.wsgi:create

The app is the same function `govkg serve` runs; the WSGI server owns connections,
keep-alive and slow clients (body size is still checked here before reading).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from govkg.web.app import App
from govkg.web.messages import Request, Response, text_response
from govkg.web.negotiation import content_type
from govkg.web.protocol import Limits

StartResponse = Callable[..., Any]


def wsgi_app(app: App) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """A WSGI callable answering with `app`."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = -1
        if size < 0:
            response = text_response(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
        elif size > app.limits.max_body:
            response = text_response(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"request body of {size} bytes is over the {app.limits.max_body} limit",
            )
        elif environ.get("REQUEST_METHOD") == "POST" and not environ.get("CONTENT_LENGTH"):
            response = text_response(HTTPStatus.LENGTH_REQUIRED, "a POST needs a Content-Length")
        else:
            response = app.handle(to_request(environ, size))
        return send(response, start_response)

    return application


def to_request(environ: dict[str, Any], size: int) -> Request:
    """The Request a WSGI environ describes (its body of `size` bytes read)."""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    body = environ["wsgi.input"].read(size) if size > 0 else b""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return Request(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=path.encode("latin-1").decode("utf-8", "replace") or "/",
        query_string=environ.get("QUERY_STRING", ""),
        headers=headers,
        body=body,
        base_url=f"{scheme}://{host}",
    )


def send(response: Response, start_response: StartResponse) -> Iterable[bytes]:
    status = HTTPStatus(response.status)
    headers = [("Content-Type", content_type(response.media))]
    if "Content-Length" not in response.headers:
        headers.append(("Content-Length", str(len(response.body))))
    headers += list(response.headers.items())
    start_response(f"{status.value} {status.phrase}", headers)
    return [response.body]


def create(limits: Limits | None = None) -> Callable[..., Iterable[bytes]]:
    """Load the bundled graph and return the WSGI app (the entry point for WSGI servers)."""
    from govkg.load import load_graph

    return wsgi_app(App(load_graph(), limits))
