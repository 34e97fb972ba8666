from pathlib import Path

import pytest

from kg.pipeline import EXAMPLES_DIR, build


@pytest.fixture(scope="session")
def seeds() -> Path:
    return EXAMPLES_DIR


@pytest.fixture(scope="session")
def seed_build(seeds):
    result = build([seeds])
    assert result.documents == 5, [str(d) for d in result.diagnostics]
    return result


@pytest.fixture(scope="session")
def graph(seed_build):
    return seed_build.graph


RS_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rs"


@pytest.fixture(scope="session")
def rs_build():
    """The hand-written RS CSV fixtures (zipped as shipped) built with the legacy seeds."""
    result = build([EXAMPLES_DIR, RS_FIXTURES])
    assert result.documents == 5 + 19, [str(d) for d in result.diagnostics]
    return result


@pytest.fixture(scope="session")
def rs_graph(rs_build):
    return rs_build.graph


def seed_file(name_prefix: str) -> Path:
    return next(EXAMPLES_DIR.glob(f"{name_prefix}_*.txt"))


# ----------------------------------------------------------------------------- servers


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc, seconds: float = 30.0) -> None:
    """Until ``url`` answers (any HTTP status); fails with the server's output if it died."""
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {out}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="session")
def seed_nt(tmp_path_factory, seed_build) -> Path:
    from kg.pipeline import write

    path = tmp_path_factory.mktemp("seed") / "graph.nt"
    with path.open("wb") as f:
        write(seed_build, "nt", f)
    return path


def start_kg_server(graph: Path, *options: str):
    """``kg serve`` in its own process on a free port: (process, root URL)."""
    import subprocess
    import sys

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", str(graph), "--port", str(port), "-q", *options],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    wait_http(url, proc)
    return proc, url


@pytest.fixture(scope="session")
def kg_server(seed_nt):
    proc, url = start_kg_server(seed_nt, "--timeout", "20")
    yield url
    proc.terminate()
    proc.wait(10)


def oxigraph_binary() -> str:
    """The Oxigraph server installed by the test extra (PyPI package ``oxigraph``)."""
    import os
    import shutil
    import sys

    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.exists() else shutil.which("oxigraph")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("the oxigraph server is not installed (pip install -e '.[test]' installs it)")
        pytest.skip("the oxigraph server is not installed (pip install -e '.[test]')")
    return found


@pytest.fixture()
def oxigraph_server(tmp_path):
    """A real Oxigraph server with an on-disk store of its own: its root URL."""
    import subprocess

    port = free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path / "store"),
                             "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/query?query=ASK%7B%7D", proc)
    yield url
    proc.terminate()
    proc.wait(10)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the build as it is now (then read git diff)")


VIRTUOSO_INI = Path(__file__).resolve().parent.parent / "docs" / "using" / "virtuoso.ini"


class Virtuoso:
    """A real Virtuoso 7 server (Debian's virtuoso-opensource) started on free ports with the
    settings of docs/using/virtuoso.ini (smaller buffers); the fresh database's user is dba/dba."""

    user, password = "dba", "dba"

    def __init__(self, folder: Path):
        import re
        import subprocess

        self.folder = folder
        self.port, http_port = free_port(), free_port()
        ini = VIRTUOSO_INI.read_text(encoding="utf-8").replace("@DIR@", str(folder))
        ini = ini.replace("@PORT@", str(self.port)).replace("@HTTP_PORT@", str(http_port))
        ini = re.sub(r"(?m)^NumberOfBuffers .*$", "NumberOfBuffers = 20000", ini)
        ini = re.sub(r"(?m)^MaxDirtyBuffers .*$", "MaxDirtyBuffers = 15000", ini)
        (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
        self.log = (folder / "server.log").open("w")  # a file: a pipe nobody reads would fill and stop the server
        self.proc = subprocess.Popen([virtuoso_binary(), "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                     cwd=folder, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        self.url = f"http://127.0.0.1:{http_port}"
        self.sparql = self.url + "/sparql"  # read-only, for anyone
        self.sparql_auth = self.url + "/sparql-auth"  # queries and updates, HTTP Digest
        self.crud_auth = self.url + "/sparql-graph-crud-auth"  # Graph Store Protocol, HTTP Digest
        try:
            wait_http(self.sparql + "?query=ASK%7B%7D", self.proc, 60)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{(folder / 'server.log').read_text(errors='replace')[-2000:]}") from None

    def isql(self, *statements: str) -> str:
        """SQL through isql-vt (as dba): the bulk loader, checkpoints."""
        import shutil
        import subprocess

        isql = shutil.which("isql-vt") or shutil.which("isql")
        out = subprocess.run([isql, str(self.port), self.user, self.password, "exec=" + " ".join(statements)],
                             capture_output=True, text=True, timeout=600)
        if out.returncode != 0 or "*** Error" in out.stdout + out.stderr:
            raise RuntimeError(f"isql: {out.stdout}{out.stderr}")
        return out.stdout

    def bulk_load(self, path: Path, graph: str) -> None:
        """Virtuoso's own bulk loader (ld_dir + rdf_loader_run) into ``graph``."""
        import shutil

        folder = self.folder / f"load-{abs(hash(graph))}"
        folder.mkdir()
        shutil.copy(path, folder / path.name)
        self.isql(f"ld_dir('{folder}', '{path.name}', '{graph}');", "rdf_loader_run();", "checkpoint;")

    def stop(self) -> None:
        import subprocess

        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


def virtuoso_binary() -> str:
    """virtuoso-t (Debian's virtuoso-opensource, which .ci/run installs)."""
    import os
    import shutil

    found = shutil.which("virtuoso-t")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t is not installed (.ci/run installs Debian's virtuoso-opensource)")
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    return found


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """One Virtuoso server for a test module (each test uses graphs of its own)."""
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


# ----------------------------------------------------------------------------- queries


def param_values(store, query) -> dict[str, str]:
    """Values for a query's parameters that the graph holds (a real excerpt lacks the seeds' defaults)."""
    import kg

    names = {p.name for p in query.params}
    out = {}
    if "project" in names:
        out["project"] = kg.query(store, sparql="PREFIX kg: <https://kg.jp-spending.example/def/> "
                                  "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?id WHERE { "
                                  "?e a kg:Expenditure ; kg:project/dcterms:identifier ?id } ORDER BY ?id LIMIT 1")[0]["id"]
    if "corporateNumber" in names and query.name == "contested-number-rows":
        found = kg.query(store, sparql="PREFIX kg: <https://kg.jp-spending.example/def/> SELECT ?n WHERE { "
                         "?r kg:contestedNumber ?c . ?c kg:corporateNumber ?n } ORDER BY ?n LIMIT 1")
        if found:  # a number written for more than one organisation
            out["corporateNumber"] = found[0]["n"]
    elif "corporateNumber" in names:
        found = kg.query(store, sparql="PREFIX kg: <https://kg.jp-spending.example/def/> SELECT ?n WHERE { "
                         "?c kg:corporateNumber ?n ; kg:registerRecord ?r ; ^kg:recipient ?e } ORDER BY ?n LIMIT 1")
        if found:  # a paid corporation with register records (the seeds have none: their default)
            out["corporateNumber"] = found[0]["n"]
    if "topic" in names:
        out["topic"] = "*"  # every project (the excerpt has few on one topic)
    if "law" in names:
        out["law"] = kg.query(store, sparql="PREFIX kg: <https://kg.jp-spending.example/def/> PREFIX rdfs: "
                              "<http://www.w3.org/2000/01/rdf-schema#> SELECT ?name WHERE { ?p kg:legalBasis/kg:law "
                              "?l . ?l rdfs:label ?name } ORDER BY ?name LIMIT 1")[0]["name"]
    return out
