"""Issue 30: credentials for kg push and kg query --endpoint. HTTP Digest against Virtuoso's own
protected endpoints, HTTP Basic against a server that requires it (an Oxigraph server behind a
front that asks for Basic), from ~/.netrc or --user with the password from the environment;
a password never printed, and never sent over plain http to another machine unless asked."""

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.auth import Credentials, from_netrc, redact, resolve
from kg.cli import main
from kg.errors import UsageError
from kg.remote import count_remote

from .test_remote import answer, relay

SECRET = "s3cr3t-Pa55-word"  # a password no message may carry
NAMED = "https://kg.jp-spending.example/test/auth"


class BasicFront:
    """An HTTP front that asks for Basic (realm "kg") and forwards what carries the right
    credentials to ``upstream``; ``seen`` keeps each request's Authorization scheme."""

    def __init__(self, upstream: str, user: str, password: str):
        self.upstream, self.seen = upstream, []
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                given = self.headers.get("Authorization")
                front.seen.append((self.command, given.split()[0] if given else None))
                if given != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="kg"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer(self, *relay(front.upstream, self, body))

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_basic_from_the_environment_for_push_and_query(oxigraph_server, seed_nt, capsys, monkeypatch):
    front = BasicFront(oxigraph_server, "editor", SECRET)
    try:
        # no credentials: the server's 401, and what to do
        assert main(["push", str(seed_nt), "--endpoint", front.url + "/store", "--graph", NAMED, "-q"]) == 1
        err = capsys.readouterr().err
        assert "HTTP 401" in err and "give --user NAME, or an entry for its host in ~/.netrc" in err
        assert "the graph on the server was not changed" in err
        # --user with the password in $KG_PASSWORD
        monkeypatch.setenv("KG_PASSWORD", SECRET)
        assert main(["push", str(seed_nt), "--endpoint", front.url + "/store", "--graph", NAMED, "--user", "editor"]) == 0
        out = capsys.readouterr()
        assert "pushed 4,333 triples" in out.err and SECRET not in out.out + out.err
        assert count_remote(oxigraph_server + "/query", NAMED) == 4333
        # after the first challenge every request carries Basic at once
        schemes = [s for _, s in front.seen[1:]]
        assert schemes[0] is None and set(schemes[2:]) == {"Basic"}
        # the same for a canned query (SPARQLWrapper, told the scheme the server asks for)
        assert main(["query", "firms-in-several-projects", "--endpoint", front.url + "/query", "--graph", NAMED,
                     "--user", "editor", "-f", "csv", "-q"]) == 0
        rows = capsys.readouterr().out.splitlines()
        assert [r.split(",")[0] for r in rows[1:]] == ["7010601022674", "7010601022674", "6010001030403", "6010001030403"]
        # a wrong password: the server's refusal, naming the user and not the password
        monkeypatch.setenv("KG_PASSWORD", "not-" + SECRET)
        assert main(["query", "top-recipients", "--endpoint", front.url + "/query", "--user", "editor", "-q"]) == 2
        err = capsys.readouterr().err
        assert "Unauthorized" in err and "the server refused the password of user 'editor'" in err and SECRET not in err
        # the password from another variable (--password-env)
        monkeypatch.delenv("KG_PASSWORD")
        monkeypatch.setenv("EDITOR_PASSWORD", SECRET)
        assert main(["query", "top-recipients", "--endpoint", front.url + "/query", "--graph", NAMED, "--user", "editor",
                     "--password-env", "EDITOR_PASSWORD", "-f", "csv", "--limit", "1", "-q"]) == 0
        assert capsys.readouterr().out.splitlines()[1].startswith("7012405000492,")
    finally:
        front.close()


def test_netrc_as_curl_and_requests_read_it(oxigraph_server, seed_nt, tmp_path, capsys, monkeypatch):
    front = BasicFront(oxigraph_server, "editor", SECRET)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1\n  login editor\n  password {SECRET}\n", encoding="utf-8")
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.delenv("KG_PASSWORD", raising=False)
    try:
        assert main(["push", str(seed_nt), "--endpoint", front.url + "/store", "--graph", NAMED, "-q"]) == 0
        assert count_remote(oxigraph_server + "/query", NAMED) == 4333
    finally:
        front.close()
    creds = from_netrc("https://spending.example.org/sparql", netrc)
    assert creds is None  # no entry for that host, and no default entry
    netrc.write_text(f"machine 127.0.0.1\n  login editor\n  passwrd {SECRET}\n", encoding="utf-8")  # a typo
    with pytest.raises(UsageError, match=rf"{netrc}:3: cannot read the netrc file: bad follower token 'passwrd'") as caught:
        from_netrc("http://127.0.0.1:1/x", netrc)
    assert SECRET not in str(caught.value)


def test_a_password_is_refused_over_plain_http_to_another_machine(monkeypatch):
    monkeypatch.setenv("KG_PASSWORD", SECRET)
    with pytest.raises(UsageError) as caught:
        resolve("http://spending.example.org/sparql", "editor")
    assert "refusing to send the password of user 'editor'" in str(caught.value) and SECRET not in str(caught.value)
    assert resolve("http://spending.example.org/sparql", "editor", insecure=True).user == "editor"
    assert resolve("https://spending.example.org/sparql", "editor").password == SECRET
    for local in ("http://localhost:8890/sparql", "http://127.0.0.1:8890/sparql", "http://[::1]:8890/sparql"):
        assert resolve(local, "editor") is not None
    # the CLI says so with exit 2 before anything is sent
    assert main(["query", "top-recipients", "--endpoint", "http://spending.example.org/sparql", "--user", "editor"]) == 2


def test_a_password_is_never_in_a_message_or_a_repr(monkeypatch, capsys):
    creds = Credentials("editor", SECRET, "test")
    assert SECRET not in repr(creds) and SECRET not in str(creds)
    with pytest.raises(UsageError) as caught:
        resolve(f"https://editor:{SECRET}@spending.example.org/sparql")
    assert SECRET not in str(caught.value) and "https://spending.example.org/sparql" in str(caught.value)
    assert redact(f"https://editor:{SECRET}@spending.example.org:8443/sparql") == "https://spending.example.org:8443/sparql"
    # no password to be had: a clear message, not a hang
    monkeypatch.delenv("KG_PASSWORD", raising=False)
    with pytest.raises(UsageError, match=r"no password: set \$KG_PASSWORD"):
        resolve("https://spending.example.org/sparql", "editor", interactive=False)
    asked = []
    got = resolve("https://spending.example.org/sparql", "editor", interactive=True,
                  prompt=lambda text: asked.append(text) or SECRET)
    assert got.password == SECRET and asked == ["password for editor at spending.example.org: "]
    assert main(["query", "top-recipients", "--user", "editor"]) == 2  # credentials without --endpoint
    assert "--endpoint" in capsys.readouterr().err


def test_digest_on_virtuosos_protected_endpoints(virtuoso, seed_nt, capsys, monkeypatch):
    """Virtuoso takes updates only with credentials, by HTTP Digest (/sparql-auth,
    /sparql-graph-crud-auth): without them the push fails and the graph is not changed."""
    graph = NAMED + "/virtuoso"
    push = ["push", str(seed_nt), "--endpoint", virtuoso.crud_auth, "--update", virtuoso.sparql_auth, "--graph", graph]
    assert main([*push, "-q"]) == 1
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "the graph on the server was not changed" in err
    assert count_remote(virtuoso.sparql, graph) == 0
    monkeypatch.setenv("KG_PASSWORD", "wrong")
    assert main([*push, "--user", virtuoso.user, "-q"]) == 1
    assert "refused the password of user 'dba'" in capsys.readouterr().err
    monkeypatch.setenv("KG_PASSWORD", virtuoso.password)
    assert main([*push, "--user", virtuoso.user]) == 0
    err = capsys.readouterr().err
    assert f"pushed 4,333 triples to <{graph}>" in err and "one update (MOVE)" in err
    assert count_remote(virtuoso.sparql, graph) == 4333
    # a second push replaces, and the temporary graph is gone
    assert main([*push, "--user", virtuoso.user, "-q"]) == 0
    assert count_remote(virtuoso.sparql, graph) == 4333
    assert main(["push", "--cleanup", "--endpoint", virtuoso.crud_auth, "--update", virtuoso.sparql_auth,
                 "--user", virtuoso.user]) == 0
    assert "0 temporary graphs and parts dropped" in capsys.readouterr().err
    # a query through the protected endpoint, Digest
    assert main(["query", "top-recipients", "--endpoint", virtuoso.sparql_auth, "--graph", graph, "--user",
                 virtuoso.user, "-f", "csv", "--limit", "1", "-q"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("7012405000492,")
