"""The worker processes of ``kg serve``: each keeps the store open and answers one request
at a time (with the handler it is given: :func:`kg.web.app.respond`); a request past the time limit, or a worker past its
memory limit, is stopped for real by ending the process, and a new worker takes its place.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Callable

import pyoxigraph as ox

from .site import INDEX_PAGE_SIZE
from .sparql import Answer, Limits, limit_answer

@dataclass
class Request:
    """What a worker needs of an HTTP request (the body already read and within limits)."""

    method: str
    path: str  # percent-encoded, as sent
    query_string: str
    headers: dict[str, str]  # names in lower case
    body: bytes = b""


@dataclass
class Context:
    """What every answer of one server shares."""

    limits: Limits
    base: str
    title: str
    own_url: str  # this server's public root: --public-url, else the address it listens on (never the Host header)
    index_page: int = INDEX_PAGE_SIZE  # instances on one page of a class index




def _work(conn, open_store: Callable[[], ox.Store], ctx: Context, memory: int | None,
          handler: Callable[[Request, ox.Store, Context], Answer]) -> None:
    """A worker process: the store opened once, then one request at a time from ``conn``."""
    import resource
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    devnull = os.open(os.devnull, os.O_WRONLY)  # the raw abort lines of a worker past its memory limit
    os.dup2(devnull, 2)                          # ("memory allocation of 640 bytes failed"): the pool logs one line
    store = open_store()
    bool(store.query("ASK { ?s ?p ?o }"))  # the first query of a process pays a warm-up: not a client's
    if memory:
        used = _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (used + memory, used + memory))
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(handler(req, store, ctx))


def _address_space() -> int:
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Pool:
    """Worker processes that keep the store open and answer requests one at a time each. A
    request that passes the time limit, or a worker that dies (past its memory limit), gets
    a 503 and the worker is replaced: the query is stopped for real, the others go on."""

    def __init__(self, open_store: Callable[[], ox.Store], ctx: Context, size: int, memory: int | None,
                 handler: Callable[[Request, ox.Store, Context], Answer]):
        import multiprocessing

        self._mp = multiprocessing.get_context("fork")  # the workers share an in-memory store
        self.open_store, self.ctx, self.size, self.memory, self.handler = open_store, ctx, size, memory, handler
        self.idle: asyncio.Queue | None = None
        self.workers: list = []

    def _spawn(self):
        parent, child = self._mp.Pipe()
        proc = self._mp.Process(target=_work, args=(child, self.open_store, self.ctx, self.memory, self.handler), daemon=True)
        proc.start()
        child.close()
        self.workers.append(proc)
        return proc, parent

    def start(self) -> None:
        self.idle = asyncio.Queue()
        for _ in range(self.size):
            self.idle.put_nowait(self._spawn())

    def _replace(self, worker) -> None:
        proc, conn = worker
        proc.kill()
        proc.join(5)
        conn.close()
        self.workers.remove(proc)
        self.idle.put_nowait(self._spawn())

    async def run(self, req: Request) -> Answer:
        """The answer within the time limit, the wait for a free worker included."""
        limit = self.ctx.limits.timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        try:
            worker = await asyncio.wait_for(self.idle.get(), limit)
        except asyncio.TimeoutError:
            return self._limit(req, "Busy", f"busy: no worker was free within the endpoint's limit of {limit:g} s; try again")
        proc, conn = worker
        fd = conn.fileno()
        ready = loop.create_future()
        try:
            os.set_blocking(fd, True)  # uvloop leaves a polled descriptor non-blocking: a long message would stop half-way
            conn.send(req)
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            await asyncio.wait_for(ready, max(deadline - loop.time(), 0.001))
            loop.remove_reader(fd)
            os.set_blocking(fd, True)
            answer = conn.recv()
        except asyncio.TimeoutError:
            loop.remove_reader(conn.fileno())
            self._replace(worker)
            return self._limit(req, "Time limit", f"query stopped: it ran longer than the endpoint's limit of "
                                                  f"{self.ctx.limits.timeout:g} s")
        except (EOFError, OSError):
            loop.remove_reader(conn.fileno())
            self._replace(worker)
            return self._limit(req, "Memory limit", "query stopped: it needed more memory than the endpoint allows "
                                                    f"each request ({(self.memory or 0) / 2**20:,.0f} MB)")
        except BaseException:  # the client went away mid-query: the worker may still be busy
            loop.remove_reader(conn.fileno())
            self._replace(worker)
            raise
        loop.remove_reader(conn.fileno())
        self.idle.put_nowait(worker)
        return answer

    def _limit(self, req: Request, heading: str, message: str) -> Answer:
        """The answer to a request that met a limit, and one line in the server's log."""
        import logging

        shown = req.path + (f"?{req.query_string}" if req.query_string else "")
        logging.getLogger("uvicorn.error").warning("%s %s: %s (the worker was replaced)" if heading != "Busy"
                                                   else "%s %s: %s", req.method, shown[:200], message)
        return limit_answer(req.path, req.headers.get("accept"), heading, message, self.ctx.title)

    def close(self) -> None:
        for proc in self.workers:
            proc.kill()


