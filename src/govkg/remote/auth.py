"""Credentials for a remote store: from environment variables only, never the command line.

GOVKG_ENDPOINT_TOKEN sends `Authorization: Bearer …`; GOVKG_ENDPOINT_USER and
GOVKG_ENDPOINT_PASSWORD answer the server's challenge with HTTP Digest (Virtuoso's
`/sparql-auth`, `/sparql-graph-crud-auth`) or Basic, whichever the server asks for.
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import Generator, Mapping
from typing import Any

import httpx

from govkg.errors import BadInput

USER_ENV = "GOVKG_ENDPOINT_USER"
PASSWORD_ENV = "GOVKG_ENDPOINT_PASSWORD"
TOKEN_ENV = "GOVKG_ENDPOINT_TOKEN"


class ChallengeAuth(httpx.Auth):
    """Send the request bare; on a 401, answer the scheme the server names (Digest or Basic)."""

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self.password = password

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code != 401:
            return
        _read_bounded(response)
        scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
        if scheme == "digest":
            digest = httpx.DigestAuth(self.user, self.password).auth_flow(request)
            next(digest)  # the bare request, already sent
            try:
                retry = digest.send(response)
            except StopIteration:
                return
            final = yield retry
            with contextlib.suppress(StopIteration):
                digest.send(final)
        elif scheme == "basic":
            pair = f"{self.user}:{self.password}".encode()
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
            yield request


CHALLENGE_BODY = 64 * 1024


def _read_bounded(response: httpx.Response) -> None:
    """Read a 401 challenge's body, at most 64 KiB, before httpx reads it (in full) to retry.

    httpx reads the body of a response it retries after; a store could make that endless.
    What was read is kept as the response's content, which is all httpx's read() returns.
    """
    body = bytearray()
    for piece in response.iter_bytes():
        body += piece
        if len(body) > CHALLENGE_BODY:
            response.close()
            raise BadInput(
                f"{str(response.request.url).split('?', 1)[0]}: the HTTP 401 challenge has a "
                f"body over {CHALLENGE_BODY // 1024} KiB: not an answer govkg will read"
            )
    response._content = bytes(body)  # what Response.read() returns once the stream is read


class BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def auth_from_env(environ: Mapping[str, str] | None = None) -> Any:
    """The httpx auth the environment asks for, or None for an open endpoint."""
    env = os.environ if environ is None else environ
    token = env.get(TOKEN_ENV, "")
    user, password = env.get(USER_ENV, ""), env.get(PASSWORD_ENV, "")
    if token and user:
        raise BadInput(f"set either ${TOKEN_ENV} or ${USER_ENV}/${PASSWORD_ENV}, not both")
    if token:
        return BearerAuth(token)
    if user:
        return ChallengeAuth(user, password)
    if password:
        raise BadInput(f"${PASSWORD_ENV} is set but ${USER_ENV} is not")
    return None
