"""`govkg site -o DIR` stays in DIR: IRIs that could leave it or alias a file are refused by
name before anything is written, every write is confined to the staging folder (symbolic
links included), and a failed build leaves DIR exactly as it was.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkg.cli.main import cli
from govkg.errors import BadInput
from govkg.namespaces import GKR, ONTOLOGY_IRI
from govkg.web import publish
from govkg.web.links import MAX_SEGMENT_BYTES, alias_key, site_path, site_paths

PREFIX = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"


def tree(root: Path) -> dict[str, bytes | str]:
    """Every file, folder and link under `root` (hidden ones too), with file contents."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = "link -> " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = path.read_bytes()
    return out


def site(tmp_path: Path, ttl: str, *extra: str) -> tuple[int, str, Path]:
    data = tmp_path / "data.ttl"
    data.write_text(PREFIX + ttl, encoding="utf-8")
    out = tmp_path / "a" / "b" / "site"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(cli, ["site", str(data), "--alone", "-o", str(out), *extra])
    return result.exit_code, result.output, out


# Each a subject (a page the site would write); `\u` escapes where Turtle needs them
REFUSED = {
    "dot-dot": ("id/../../evil", "dot segment"),
    "dot-dot-deep": ("id/" + "../" * 12 + "tmp/evil", "dot segment"),
    "dot": ("id/./x", "dot segment"),
    "encoded-dot-dot": ("id/%2e%2e/%2e%2e/evil", "dot segment"),
    "encoded-mixed-case": ("id/%2E%2e/evil", "dot segment"),
    "encoded-slash": ("id/a%2f..%2F..%2fevil", "encoded slash"),
    "encoded-backslash": ("id/a%5C..%5cevil", "encoded slash"),
    "absolute": ("id//etc/passwd", "empty path segment"),
    "trailing-slash": ("id/org/", "empty path segment"),
    "percent": ("id/%41bc", "percent escape"),
    "long": ("id/" + "x" * (MAX_SEGMENT_BYTES + 1), "bytes"),
    "long-utf8": ("id/" + "甘" * 90, "bytes"),
    "trailing-dot": ("id/evil.", "ending with '.'"),
    "hidden": ("id/.htaccess", "beginning"),
    "device": ("id/CON", "device name"),
    "device-ext": ("id/nul.txt", "device name"),
    "site-ending": ("id/org/x.ttl", "ending like"),
    "colon": ("id/c:evil", "':'"),
    "bidi": ("id/a\\u202Eb", "U+202E"),
    "nbsp": ("id/a\\u00A0b", "U+00A0"),
    "query": ("id/x?y=1", "query or fragment"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_site_refuses_an_unsafe_iri_by_name_and_writes_nothing(tmp_path: Path, case: str) -> None:
    rel, reason = REFUSED[case]
    before = tree(tmp_path)
    code, output, _ = site(
        tmp_path,
        f'<https://w3id.org/govkg/id/org/ok> rdfs:label "ok" .\n'
        f'<https://w3id.org/govkg/{rel}> rdfs:label "x" .\n',
    )
    before["data.ttl"] = (tmp_path / "data.ttl").read_bytes()
    before.setdefault("a", "dir")
    before.setdefault("a/b", "dir")
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in output, output
    assert reason in lines[0], lines[0]
    assert rel[:50] in lines[0], lines[0]  # named (controls escaped, as written in Turtle)
    assert tree(tmp_path) == before  # nothing beside DIR, no staging folder, no DIR


@pytest.mark.parametrize(
    "rel",
    ["id/a\\u0000b", "id/a\\u005Cb", "id/a\\u0009b", "id/a b"],
    ids=["nul", "backslash", "tab", "space"],
)
def test_iris_turtle_cannot_hold_are_refused_by_the_parser(tmp_path: Path, rel: str) -> None:
    """NUL, `\\`, controls and spaces cannot be in an IRI: the load refuses them, by line."""
    before = tree(tmp_path)
    code, output, _ = site(tmp_path, f'<https://w3id.org/govkg/{rel}> rdfs:label "x" .\n')
    assert code == 2 and "data.ttl:2:" in output and "Traceback" not in output, output
    after = tree(tmp_path)
    after.pop("data.ttl")
    assert after == {**before, "a": "dir", "a/b": "dir"}


def test_names_one_file_system_would_merge_are_refused(tmp_path: Path) -> None:
    code, output, out = site(
        tmp_path,
        '<https://w3id.org/govkg/id/org/Bureau> rdfs:label "x" .\n'
        '<https://w3id.org/govkg/id/org/bureau> rdfs:label "y" .\n'
        '<https://w3id.org/govkg/id/org/e\\u0301> rdfs:label "NFD" .\n'
        '<https://w3id.org/govkg/id/org/\\u00E9> rdfs:label "NFC" .\n',
    )
    assert code == 2 and "would be the same file" in output and "1 more" in output, output
    assert not out.exists() and not list(out.parent.iterdir())


def test_iris_without_a_page_are_confined_and_the_rest_is_written(tmp_path: Path) -> None:
    """Subjects that are not dataset IRIs get no file; the site holds only its own files."""
    before = tree(tmp_path)
    code, output, out = site(
        tmp_path,
        '<https://w3id.org/govkg/id/org/ok> rdfs:label "ok"@en ;\n'
        "  rdfs:seeAlso <https://w3id.org/govkg/id/../../evil>, <file:///tmp/evil>,\n"
        "    <https://w3id.org/govkg/id/%2e%2e/evil>, <javascript:alert(4)> .\n"
        '<file:///tmp/evil> rdfs:label "file" .\n'
        '<https://w3id.org/evil/../../x> rdfs:label "not under id/" .\n'
        '<javascript:alert(4)> rdfs:label "js" .\n'
        '</etc/passwd> rdfs:label "relative, resolved against the file" .\n',
    )
    assert code == 0, output
    assert "wrote 3 pages" in output  # index, def (the ontology's page) and ok
    written = tree(out)
    assert {k for k in written if k.startswith("id")} == {
        "id",
        "id/org",
        *(f"id/org/ok.{e}" for e in ("html", "ttl", "nt", "jsonld", "rdf")),
    }
    assert not any(isinstance(v, str) and v.startswith("link") for v in written.values())
    after = {k: v for k, v in tree(tmp_path).items() if not k.startswith("a/b/site")}
    after.pop("data.ttl")
    assert after == {**before, "a": "dir", "a/b": "dir"}
    page = (out / "id/org/ok.html").read_text(encoding="utf-8")
    assert "javascript:alert(4)" in page and 'href="javascript' not in page
    assert 'href="https://w3id.org/govkg/id/../../evil"' in page  # outside: a web link only
    assert "Content-Security-Policy" in page


def test_progress_lines_off_a_terminal(tmp_path: Path) -> None:
    ttl = "".join(f'<https://w3id.org/govkg/id/n/{i}> rdfs:label "n{i}" .\n' for i in range(3))
    code, output, out = site(tmp_path, ttl)
    assert code == 0, output
    assert output.splitlines()[0] == "govkg: site: 5/5 pages"  # 3 + def + index
    assert (out / "id/n/2.html").is_file()


def test_alone_without_files_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["site", "--alone", "-o", str(tmp_path / "s")])
    assert result.exit_code == 2 and "--alone needs at least one FILE" in result.output
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the writer


def test_write_refuses_symlinks_inside_the_staging_folder(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "id").symlink_to(outside)
    with pytest.raises(OSError):
        publish._write(root, "id/x.html", b"x")
    (root / "f.html").symlink_to(outside / "f.html")
    with pytest.raises(OSError):
        publish._write(root, "f.html", b"x")
    (root / "inner").mkdir()
    (root / "def").symlink_to(root / "inner")  # a link that stays inside: still refused
    (root / "g.html").symlink_to(root / "inner" / "g.html")
    with pytest.raises(OSError):
        publish._write(root, "def/x.html", b"x")
    with pytest.raises(OSError):
        publish._write(root, "g.html", b"x")
    assert list((root / "inner").iterdir()) == []
    for rel in ("../x", "/etc/x", "a/./b", "a//b", "a/../../x"):
        with pytest.raises(BadInput):
            publish._write(root, rel, b"x")
    publish._write(root, "d/e/x.html", b"one")
    with pytest.raises(FileExistsError):  # never written twice
        publish._write(root, "d/e/x.html", b"two")
    assert list(outside.iterdir()) == [] and (root / "d/e/x.html").read_bytes() == b"one"


def test_write_checks_the_opened_file_is_inside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last check, on the path the kernel holds for the opened file: were it elsewhere
    (a race the O_NOFOLLOW walk should already prevent), nothing is written and it goes."""
    root = tmp_path / "root"
    root.mkdir()
    fd = os.open(root, os.O_RDONLY)
    try:
        assert publish._opened_path(fd) == str(root.resolve())
    finally:
        os.close(fd)
    monkeypatch.setattr(publish, "_opened_path", lambda fd: str(tmp_path / "elsewhere" / "x"))
    with pytest.raises(BadInput, match="resolves outside"):
        publish._write(root, "d/x.html", b"x")
    assert not (root / "d/x.html").exists()


def _fake_app_run(monkeypatch: pytest.MonkeyPatch, fail_at: int | None) -> None:
    """Pages without rendering (the writer is under test, not the pages), failing at N."""
    calls = {"n": 0}

    def get(app: object, path: str, accept: str = "text/html") -> bytes:
        calls["n"] += 1
        if fail_at is not None and calls["n"] >= fail_at:
            raise BadInput(f"site: {path} gave 500")
        return b"<html>" + path.encode() + b"</html>"

    monkeypatch.setattr(publish, "_get", get)


def test_a_failed_build_leaves_the_folder_exactly_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_small: object
) -> None:
    out = tmp_path / "site"
    iris = [GKR + "org/a", GKR + "org/b", ONTOLOGY_IRI]
    _fake_app_run(monkeypatch, None)
    publish.write_site(app_small, out, iris=iris)  # type: ignore[arg-type]
    before = tree(tmp_path)
    assert "site/id/org/b.html" in before and "site/.govkg-site" in before
    _fake_app_run(monkeypatch, 3)  # fails after two pages
    with pytest.raises(BadInput, match="gave 500"):
        publish.write_site(app_small, out, iris=iris)  # type: ignore[arg-type]
    assert tree(tmp_path) == before


def test_a_failed_swap_puts_the_old_site_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_small: object
) -> None:
    out = tmp_path / "site"
    _fake_app_run(monkeypatch, None)
    publish.write_site(app_small, out, iris=[GKR + "org/a"])  # type: ignore[arg-type]
    before = tree(tmp_path)
    real = os.replace

    def replace(src: object, dst: object) -> None:
        if Path(str(dst)) == out and ".old." not in str(src):  # the new site into place
            raise OSError(28, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(publish.os, "replace", replace)
    with pytest.raises(BadInput, match="No space left"):
        publish.write_site(app_small, out, iris=[GKR + "org/a", GKR + "org/b"])  # type: ignore[arg-type]
    assert tree(tmp_path) == before


def test_an_unsafe_iri_is_refused_before_the_staging_folder(
    tmp_path: Path, app_small: object
) -> None:
    with pytest.raises(BadInput, match="dot segment"):
        publish.write_site(app_small, tmp_path / "s", iris=[GKR + "a/../../x"])  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def app_small(tmp_path_factory: pytest.TempPathFactory) -> object:
    from govkg.load import load_graph
    from govkg.web.app import App

    data = tmp_path_factory.mktemp("small") / "d.ttl"
    data.write_text(PREFIX + '<https://w3id.org/govkg/id/org/a> rdfs:label "a" .\n')
    return App(load_graph([data], ontology=False, data=False))


# ---------------------------------------------------------------- the mapping, fuzzed

_PIECES = st.sampled_from(
    [
        ".",
        "..",
        "%2e",
        "%2E",
        "%2f",
        "%2F",
        "%5c",
        "%",
        "%41",
        "\\",
        "/",
        "//",
        "\x00",
        "\x1f",
        "\u202e",
        "\u00a0",
        " ",
        ":",
        "a",
        "Z",
        "z",
        "甘",
        "e\u0301",
        "\u00e9",
        "-",
        "_",
        "~",
        ".html",
        ".ttl",
        "con",
        "CON",
        "x" * 120,
        "?",
        "#",
        "'",
        "(",
        "!",
    ]
)
_SEGMENT = st.lists(_PIECES, min_size=0, max_size=4).map("".join) | st.text(max_size=12)
_IRI = st.lists(_SEGMENT, min_size=1, max_size=5).map(lambda parts: GKR + "/".join(parts))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_IRI, min_size=1, max_size=6))
def test_accepted_iris_map_to_plain_paths_inside_the_folder(iris: list[str]) -> None:
    accepted: dict[str, str] = {}
    for iri in iris:
        try:
            accepted[iri] = site_path(iri)
        except BadInput as err:
            assert "\n" not in str(err) and str(err).startswith("site: <")
    root = "/srv/site"
    for iri, path in accepted.items():
        assert not path.startswith("/") and posixpath.normpath(path) == path
        parts = path.split("/")
        assert parts[0] == "id" and all(p not in ("", ".", "..") for p in parts)
        assert not any(c in path for c in "\\%:\x00")
        assert all(len(p.encode()) + len(".jsonld") <= 255 for p in parts)
        full = posixpath.normpath(posixpath.join(root, path + ".jsonld"))
        assert full.startswith(root + "/id/")
        assert GKR + path[len("id/") :] == iri  # the path is the IRI's own text
    assert len(set(accepted.values())) == len(accepted)  # distinct IRIs, distinct paths
    try:
        merged = site_paths(iris)
    except BadInput:
        return
    keys = [alias_key(p) for p in merged.values()]
    assert len(set(keys)) == len(keys)  # not even a case-insensitive file system merges two


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_IRI, min_size=1, max_size=4))
def test_accepted_paths_written_on_disk_stay_inside(tmp_path: Path, iris: list[str]) -> None:
    """Differential: the checker's answer against the file system's: each accepted IRI's
    files land under the folder, one new file each, nothing elsewhere."""
    import tempfile

    with tempfile.TemporaryDirectory(dir=tmp_path) as base:
        root = Path(base) / "root"
        root.mkdir()
        try:
            paths = site_paths(dict.fromkeys(iris))
        except BadInput:
            return
        for path in paths.values():
            publish._write(root, path + ".html", b"x")
        files = [p for p in Path(base).rglob("*") if p.is_file()]
        assert len(files) == len(paths)
        assert all(p.resolve().is_relative_to(root.resolve()) for p in files)


def test_a_progress_line_every_hundred_pages(capsys: pytest.CaptureFixture[str]) -> None:
    from govkg.cli.site import page_progress

    with page_progress(250) as advance:
        for _ in range(250):
            advance(1)
    assert capsys.readouterr().err.splitlines() == [
        "govkg: site: 100/250 pages",
        "govkg: site: 200/250 pages",
        "govkg: site: 250/250 pages",
    ]


def test_a_failed_swap_and_restore_keeps_the_previous_site_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_small: object
) -> None:
    out = tmp_path / "site"
    _fake_app_run(monkeypatch, None)
    publish.write_site(app_small, out, iris=[GKR + "org/a"])  # type: ignore[arg-type]
    page = (out / "id/org/a.html").read_bytes()
    real = os.replace

    def replace(src: object, dst: object) -> None:
        if Path(str(dst)) == out:  # neither the new site nor the old one back into place
            raise OSError(5, "Input/output error")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(publish.os, "replace", replace)
    with pytest.raises(BadInput, match="previous site is kept in") as err:
        publish.write_site(app_small, out, iris=[GKR + "org/a"])  # type: ignore[arg-type]
    kept = Path(str(err.value).rsplit(" kept in ", 1)[1])
    assert (kept / "id/org/a.html").read_bytes() == page  # not lost


def test_a_symlinked_folder_is_refused(tmp_path: Path, app_small: object) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(BadInput, match="symbolic link"):
        publish.write_site(app_small, tmp_path / "link", iris=[GKR + "org/a"])  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
