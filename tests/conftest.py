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
