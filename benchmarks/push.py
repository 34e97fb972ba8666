"""Benchmark: ``kg push`` of a graph file to a real Oxigraph server, against ``oxigraph load``
of the same file into a store folder, side by side in one run.

* ``kg push FILE --endpoint …/store`` — parts of 32 MiB into a temporary graph, one MOVE,
  the target counted afterwards (a fresh ``oxigraph serve`` on an empty store);
* baseline — ``oxigraph load --location DIR --file FILE`` (the server's own bulk path).

Prints seconds and the ratio; peak memory of the server and of ``kg push``.

    .venv/bin/python benchmarks/push.py GRAPH.nt
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def oxigraph() -> str:
    found = BIN / "oxigraph"
    return str(found) if found.exists() else (shutil.which("oxigraph") or sys.exit("the oxigraph server is not installed"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graph", type=Path, help="an N-Triples file written by kg build")
    args = ap.parse_args()
    size = args.graph.stat().st_size
    print(f"# {args.graph} ({size / 2**20:,.0f} MiB), {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([oxigraph(), "load", "--location", f"{tmp}/load", "--file", str(args.graph)],
                       check=True, capture_output=True)
        baseline = time.perf_counter() - start
        print(f"oxigraph load             {baseline:8.1f} s")

        port = free_port()
        server = subprocess.Popen([oxigraph(), "serve", "--location", f"{tmp}/served", "--bind", f"127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/query?query=ASK%7B%7D").read()
                    break
                except OSError:
                    time.sleep(0.1)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "kg.cli", "push", str(args.graph), "--endpoint", url + "/store"],
                                  cwd=ROOT, capture_output=True, text=True)
            pushed = time.perf_counter() - start
            if done.returncode != 0:
                sys.exit(done.stderr[-2000:])
            server_peak = peak_kib(server.pid)
        finally:
            server.terminate()
            server.wait(30)
        print(f"kg push                   {pushed:8.1f} s   ({pushed / baseline:.1f}x oxigraph load; "
              f"server peak {server_peak / 2**20:.2f} GiB)")
        print("\n".join("  " + line for line in done.stderr.strip().splitlines()[-3:]))


if __name__ == "__main__":
    main()
