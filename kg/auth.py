"""Credentials for remote servers (``kg push``, ``kg query --endpoint``): HTTP Basic or Digest,
whichever the server asks for, with the name and password from ``~/.netrc`` (or the file
``$NETRC`` names, as curl and requests read it) or from ``--user NAME`` with the password in an
environment variable (``$KG_PASSWORD`` unless ``--password-env`` names another) or typed at a
prompt.

A password never leaves this module but in an ``Authorization`` header: it is kept out of
``repr``, logs, reports and error messages, and it is not sent over plain http to a host that is
not this machine unless the user asks for it (``--insecure-auth``).
"""

from __future__ import annotations

import getpass
import ipaddress
import netrc
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from .errors import UsageError

#: the environment variable the password is read from with --user (unless --password-env names another)
PASSWORD_ENV = "KG_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    """A name and password, and where they came from (for messages: never the password)."""

    user: str
    password: str = field(repr=False)
    source: str = ""

    def __str__(self) -> str:
        return f"user {self.user!r} ({self.source})" if self.source else f"user {self.user!r}"


def redact(url: str) -> str:
    """``url`` without a user name or password in it, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def is_local(host: str | None) -> bool:
    """Whether ``host`` is this machine (localhost or a loopback address)."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def netrc_path() -> Path:
    """The netrc file curl and requests read: ``$NETRC``, else ``~/.netrc``."""
    return Path(os.environ["NETRC"]).expanduser() if os.environ.get("NETRC") else Path.home() / ".netrc"


def from_netrc(url: str, path: Path | None = None) -> Credentials | None:
    """The entry of the netrc file for ``url``'s host (or its ``default`` entry); None when
    there is no file or no entry. A file that cannot be read is a UsageError naming it and its line."""
    path = netrc_path() if path is None else path
    host = urlsplit(url).hostname
    if not host or not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:
        line = f":{exc.lineno}" if exc.lineno else ""
        raise UsageError(f"{exc.filename or path}{line}: cannot read the netrc file: {exc.msg}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the netrc file: {exc.strerror or exc}") from None
    if entry is None:
        return None
    login, _account, password = entry
    if not login:
        return None
    return Credentials(login, password or "", f"{path}, machine {host}")


def resolve(url: str, user: str | None = None, password_env: str | None = None, *, insecure: bool = False,
            netrc_file: Path | None = None, prompt: Callable[[str], str] | None = None,
            interactive: bool | None = None) -> Credentials | None:
    """The credentials to send to ``url``: ``user`` with the password from the environment
    variable ``password_env`` (default ``KG_PASSWORD``) or a prompt; without ``user``, the
    netrc entry of the host; None when there are none. UsageError when the URL carries a
    password, when a password is needed and none can be had, or when it would travel over
    plain http to another machine (``insecure`` allows that)."""
    parts = urlsplit(url)
    if parts.password is not None or parts.username is not None:
        raise UsageError(f"{redact(url)}: the address carries a user name or password; put them in {netrc_path()} "
                         "or give --user NAME (the password from $" + (password_env or PASSWORD_ENV) + " or a prompt)")
    if password_env is not None and user is None:
        raise UsageError("--password-env names where the password of --user is; give --user NAME too")
    if user is not None:
        if not user or any(c in user for c in "\r\n:"):
            raise UsageError(f"--user {user!r}: a user name cannot be empty or hold ':' or a line break")
        var = password_env or PASSWORD_ENV
        password = os.environ.get(var)
        if password is not None:
            creds = Credentials(user, password, f"--user and ${var}")
        else:
            interactive = sys.stdin.isatty() if interactive is None else interactive
            if not interactive:
                raise UsageError(f"--user {user}: no password: set ${var} (or name another variable with "
                                 "--password-env), or run the command at a terminal to be asked for it")
            ask = prompt or getpass.getpass
            creds = Credentials(user, ask(f"password for {user} at {parts.hostname}: "), "--user and the prompt")
    else:
        creds = from_netrc(url, netrc_file)
    check_sendable(url, creds, insecure)
    return creds


def check_sendable(url: str, creds: Credentials | None, insecure: bool = False) -> None:
    """UsageError when ``creds`` would travel over plain http to a host that is not this
    machine (``insecure`` allows it)."""
    parts = urlsplit(url)
    if creds is not None and parts.scheme == "http" and not is_local(parts.hostname) and not insecure:
        raise UsageError(f"{redact(url)}: refusing to send the password of {creds} over plain http to "
                         f"{parts.hostname}, where anyone on the way can read it; use https, or --insecure-auth "
                         "if the network is yours")


def session(creds: Credentials | None, agent: str = "jp-spending-kg", probe: str | None = None):
    """A requests session (connections kept open between requests) that answers the server's
    challenge with Basic or Digest, whichever it asks for. With credentials and a ``probe``
    URL, the challenge is met once on a small request there first: a server that refuses a
    large upload before reading it (Virtuoso) may cut its answer short."""
    s = requests.Session()
    s.headers["User-Agent"] = agent
    s.trust_env = False  # credentials are ours to choose: requests would read ~/.netrc on its own
    if creds is not None:
        s.auth = ChallengeAuth(creds)
        if probe is not None:
            try:
                s.get(probe, params={"graph": "urn:jp-spending-kg:probe"}, timeout=60).close()
            except requests.RequestException:
                pass  # the real request says what is wrong
    return s


class ChallengeAuth(AuthBase):
    """Basic or Digest, as the server's first ``WWW-Authenticate`` asks; then sent with every
    request without waiting for a challenge (Digest reuses the server's nonce)."""

    def __init__(self, creds: Credentials):
        self.creds = creds
        self.scheme: str | None = None
        self._basic = HTTPBasicAuth(creds.user, creds.password)
        self._digest = HTTPDigestAuth(creds.user, creds.password)

    def __repr__(self) -> str:
        return f"ChallengeAuth({self.creds!r}, scheme={self.scheme!r})"

    def __call__(self, request):
        if self.scheme == "basic":
            return self._basic(request)
        if self.scheme == "digest":
            return self._digest(request)
        request.register_hook("response", self._on_response)
        return request

    def _on_response(self, response, **kwargs):
        if response.status_code != 401 or self.scheme is not None:
            return response
        self.scheme = scheme_of(response.headers.get("WWW-Authenticate", ""))
        if self.scheme is None:
            return response
        if self.scheme == "digest":  # requests' own Digest answers this challenge and keeps its nonce
            self._digest.init_per_thread_state()
            self._digest._thread_local.pos = None
            self._digest._thread_local.num_401_calls = 1
            return self._digest.handle_401(response, **kwargs)
        _ = response.content  # read, so that the connection can be reused
        response.close()
        again = self._basic(response.request.copy())
        second = response.connection.send(again, **kwargs)
        second.history.append(response)
        second.request = again
        return second


def scheme_of(challenge: str) -> str | None:
    """``basic`` or ``digest`` from a ``WWW-Authenticate`` header, else None."""
    low = challenge.lower()
    if "digest" in low:
        return "digest"
    if "basic" in low:
        return "basic"
    return None
