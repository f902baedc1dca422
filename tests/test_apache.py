"""The static site on a real Apache (Debian's apache2, on loopback): its `.htaccess` sends
the Content-Security-Policy and nosniff, serves the files as they are, and answers an IRI's
path with a 303 to the representation asked for, at the root and under a sub-path.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import needs
from govkg.load import KnowledgeGraph
from govkg.namespaces import GKR, ONTOLOGY_IRI
from govkg.web.app import App
from govkg.web.messages import CONTENT_SECURITY_POLICY
from govkg.web.publish import write_site

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
BUREAU = "id/org/cn-gs-big-data-bureau"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, accept: str = "*/*") -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with _OPENER.open(request, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}


@pytest.fixture(scope="module")
def apache(kg: KnowledgeGraph) -> Iterator[str]:
    needs.require("apache")
    # not under pytest's 0700 tmp folders: Apache's worker user must read the site
    root = Path(tempfile.mkdtemp(prefix="govkg-apache-"))
    try:
        os.chmod(root, 0o755)
        site = root / "site"
        write_site(App(kg), site, iris=[GKR + "org/cn-gs-big-data-bureau", ONTOLOGY_IRI])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        modules = ("mpm_event", "authz_core", "mime", "dir", "rewrite", "headers", "alias")
        user = "User nobody\nGroup nogroup\n" if os.geteuid() == 0 else ""
        (root / "httpd.conf").write_text(
            f'ServerRoot "{root}"\nListen 127.0.0.1:{port}\nServerName 127.0.0.1\n'
            + "".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so\n" for m in modules)
            + f"{user}PidFile {root}/httpd.pid\nErrorLog {root}/error.log\n"
            f"TypesConfig /etc/mime.types\nDocumentRoot {site}\nAlias /sub/ {site}/\n"
            f'<Directory "{site}">\n  AllowOverride All\n  Require all granted\n</Directory>\n'
            "DirectoryIndex index.html\n"
        )
        proc = subprocess.Popen(
            [str(APACHE), "-f", str(root / "httpd.conf"), "-DFOREGROUND"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    fetch(base + "/index.html")
                    break
                except OSError:
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            proc.wait(10)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_files_are_served_with_the_policy_and_nosniff(apache: str) -> None:
    for path, media in ((f"/{BUREAU}.html", "text/html"), (f"/{BUREAU}.ttl", "text/turtle")):
        status, headers = fetch(apache + path)
        assert status == 200 and headers["content-type"].startswith(media), (path, status)
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("prefix", ["", "/sub"])
def test_iri_paths_answer_303_to_the_representation(apache: str, prefix: str) -> None:
    base = apache + prefix
    for accept, ext in (("text/html", "html"), ("text/turtle", "ttl"), ("*/*", "html")):
        status, headers = fetch(f"{base}/{BUREAU}", accept)
        assert status == 303 and headers["location"] == f"{base}/{BUREAU}.{ext}", (accept, headers)
    status, headers = fetch(f"{base}/def?format=nt")
    assert status == 303 and headers["location"] == f"{base}/def.nt"
    status, headers = fetch(f"{base}/.well-known/void")
    assert status == 303 and headers["location"] == f"{base}/void.ttl"
    assert fetch(f"{base}/{BUREAU}.html")[0] == 200  # the file itself: no redirect loop
