"""Optional access control for a shared deployment: HTTP Basic against a users file.

Off by default (the dashboard binds 127.0.0.1: only the local user reaches it). For a
server shared by a team, point ``--users`` (or ``TWIN_DASHBOARD_USERS``) at a file of
``user:hash`` lines, hashes made by ``twin dashboard --hash-password`` (werkzeug's salted
scrypt/pbkdf2). Every request, assets and callbacks included, then needs a valid user.
Basic credentials travel in clear text: put the server behind a TLS reverse proxy (see
``docs/howto-dashboard.md``).
"""

from __future__ import annotations

import hmac
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import check_password_hash

from twin.errors import DataError

REALM = "Jumeau numerique sante"


def load_users(path: Path) -> dict[str, str]:
    """``{user: hash}``; :class:`DataError` naming the line on a malformed entry."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError.single(path, "a readable users file", exc.strerror or str(exc)) from None
    users: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, hashed = line.partition(":")
        if not sep or not user or not hashed.startswith(("scrypt:", "pbkdf2:")):
            raise DataError.single(path, "user:hash with a werkzeug hash (scrypt: or pbkdf2:)",
                                   repr(line[:40]), line=n)
        users[user] = hashed
    if not users:
        raise DataError.single(path, "at least one user:hash line", "no user")
    return users


def protect(server: Flask, users: dict[str, str]) -> None:
    """Require HTTP Basic credentials from ``users`` on every request."""

    @server.before_request
    def _check() -> Response | None:
        auth = request.authorization
        if auth is not None and auth.type == "basic" and auth.username in users:
            if check_password_hash(users[auth.username], auth.password or ""):
                return None
        elif auth is not None and auth.password:
            # Same work for unknown users, so timing does not reveal who exists.
            hmac.compare_digest(auth.password, auth.password)
        return Response("Authentification requise.", 401,
                        {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})
