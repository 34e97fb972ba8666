"""Benchmark: ``kg serve`` against ``oxigraph serve-read-only`` on the same store folder and
the same query, under concurrent clients, side by side in one run.

Each server gets the same load: ``--clients`` threads, each with its own keep-alive
connection, sending the query for ``--seconds``. Prints requests per second, the slowest
answer, errors, and the ratio kg / Oxigraph (issue 19 asks for at least 0.3x, and no answer
slower than the time limit).

    .venv/bin/python benchmarks/serve.py [STORE_FOLDER] [--clients 50] [--seconds 10]

Without a store folder the bundled examples are built into one first.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUERY = ("PREFIX kg: <https://kg.jp-spending.example/def/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
         "SELECT ?p ?name WHERE { ?p a kg:Project ; rdfs:label ?name } LIMIT 10")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{url} did not answer")


def load(port: int, path: str, clients: int, seconds: float) -> tuple[int, int, float]:
    """(answers, errors, slowest seconds) of ``clients`` threads asking for ``seconds``."""
    target = f"{path}?{urllib.parse.urlencode({'query': QUERY})}"
    done, errors, slowest = [0], [0], [0.0]
    lock = threading.Lock()
    end = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = e = 0
        worst = 0.0
        while time.perf_counter() < end:
            t = time.perf_counter()
            try:
                conn.request("GET", target, headers={"Accept": "application/sparql-results+json"})
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    n += 1
                else:
                    e += 1
            except (OSError, http.client.HTTPException):
                e += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            worst = max(worst, time.perf_counter() - t)
        with lock:
            done[0] += n
            errors[0] += e
            slowest[0] = max(slowest[0], worst)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return done[0], errors[0], slowest[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", nargs="?", type=Path)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--timeout", type=float, default=30, help="kg serve's time limit")
    args = ap.parse_args()
    oxigraph = str(BIN / "oxigraph") if (BIN / "oxigraph").exists() else shutil.which("oxigraph")
    if not oxigraph:
        sys.exit("the oxigraph server is not installed (pip install oxigraph)")
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "seeds.oxigraph"
            subprocess.run([sys.executable, "-m", "kg.cli", "build", "--store", str(store), "-q"], cwd=ROOT, check=True)
        print(f"# {store}, {args.clients} clients for {args.seconds:g} s each, {os.cpu_count()} cores")
        results = {}
        for name, cmd, path in [
            ("oxigraph serve-read-only", [oxigraph, "serve-read-only", "--location", str(store)], "/query"),
            ("kg serve", [sys.executable, "-m", "kg.cli", "serve", str(store), "-q", "--timeout", str(args.timeout)],
             "/sparql"),
        ]:
            port = free_port()
            bind = ["--bind", f"127.0.0.1:{port}"] if name.startswith("oxigraph") else ["--port", str(port)]
            proc = subprocess.Popen(cmd + bind, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait(f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode({'query': 'ASK {}'})}")
                answers, errors, slowest = load(port, path, args.clients, args.seconds)
            finally:
                proc.terminate()
                proc.wait(30)
            rate = answers / args.seconds
            results[name] = rate
            print(f"{name:26} {rate:8,.0f} requests/s   {errors:5,} errors   slowest {slowest:6.2f} s")
        print(f"ratio kg serve / oxigraph: {results['kg serve'] / results['oxigraph serve-read-only']:.2f}x "
              "(goal at least 0.3x)")


if __name__ == "__main__":
    main()
