"""A bounded cache of whole responses: the graph is read-only while it is served, so the
same request always gets the same answer, and a repeated canned query or page costs no
query at all (what keeps p99 low under load on a small machine).

Keyed on everything a response depends on (method, path, query string, Accept,
Accept-Language, body, the base URL the client used); only 200s are kept; least recently
used entries go first once `max_bytes` is reached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

from govkg.web.messages import Request, Response

MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY = 1024 * 1024
"""Larger answers (dumps, the YASGUI build) are not worth a cache slot."""

Key = tuple[str, ...]


def key_of(request: Request) -> Key:
    method = "GET" if request.method == "HEAD" else request.method
    return (
        method,
        request.path,
        request.query_string,
        request.header("accept") or "",
        request.header("accept-language") or "",
        request.header("content-type") or "",
        request.body.decode("latin-1"),
        request.base_url,
    )


class ResponseCache:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self._entries: OrderedDict[Key, Response] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Response | None:
        with self._lock:
            response = self._entries.get(key)
            if response is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return replace(response, headers=dict(response.headers))

    def put(self, key: Key, response: Response) -> None:
        cost = len(response.body) + sum(len(k) for k in key)
        if response.status != 200 or cost > min(MAX_ENTRY, self.max_bytes):
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = replace(response, headers=dict(response.headers))
            self.size += cost
            while self.size > self.max_bytes and self._entries:
                old_key, old = self._entries.popitem(last=False)
                self.size -= len(old.body) + sum(len(k) for k in old_key)
