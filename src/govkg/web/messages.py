"""The request and response the web layer passes around: plain data, no sockets."""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs

MAX_FIELDS = 100
"""A form or query string with more fields is refused (400)."""

YASGUI_STYLE_HASHES = (
    "sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
    "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=",
)
"""The two fixed <style> texts the vendored YASGUI's column resizer inserts (its table
layout rules and the drag cursor): allowed by hash, so no other inline style is.
tests/test_web.py recomputes them from static/yasgui/yasgui.min.js."""
CSP_DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'none'"),
    ("script-src", "'self'"),
    ("style-src", " ".join(["'self'", *(f"'{h}'" for h in YASGUI_STYLE_HASHES)])),
    ("img-src", "'self'"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
    ("base-uri", "'none'"),
    ("object-src", "'none'"),
    ("frame-ancestors", "'none'"),
)
"""The Content-Security-Policy of every answer and static page: scripts, styles, fonts
and images from the site itself only; no inline script, no eval, no plug-ins, no framing."""
CONTENT_SECURITY_POLICY = "; ".join(f"{d} {v}" for d, v in CSP_DIRECTIVES)
META_CSP = "; ".join(f"{d} {v}" for d, v in CSP_DIRECTIVES if d != "frame-ancestors")
"""The same policy as a page's <meta http-equiv> (which cannot carry frame-ancestors)."""
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
}


class HttpError(Exception):
    """A response other than 200: status, a one-line reason, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = int(status)
        self.message = " ".join(message.split())  # one line, whatever the cause said
        self.headers = headers or {}


@dataclass
class Request:
    """One HTTP request as the adapters hand it over (header names lower-case)."""

    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = "http://127.0.0.1:7878"
    """scheme://host[:port] the client used: the endpoint names itself with it."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def media_type(self) -> str:
        """The body's media type without parameters, lower-case ('' when none)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, list[str]]:
        """The URL's query-string fields."""
        return parse_form(self.query_string)


@dataclass
class Response:
    status: int
    body: bytes = b""
    media: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)


def parse_form(text: str) -> dict[str, list[str]]:
    """Fields of a query string or urlencoded body; malformed input is a 400."""
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except ValueError as err:  # bad percent-encoding, not UTF-8, too many fields
        raise HttpError(HTTPStatus.BAD_REQUEST, f"malformed form or query string: {err}") from None


def one(form: dict[str, list[str]], name: str) -> str | None:
    """The single value of a field (None when absent); twice is a 400."""
    values = form.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"{name} given more than once")
    return values[0]


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A one-line answer; with the security headers, also where the server adapters refuse a
    request before the app sees it (413, 411, 503)."""
    return Response(
        status,
        (message + "\n").encode("utf-8"),
        "text/plain",
        {**SECURITY_HEADERS, **(headers or {})},
    )


def redirect(location: str, status: int = HTTPStatus.SEE_OTHER) -> Response:
    return text_response(status, f"see {location}", {"Location": location})
