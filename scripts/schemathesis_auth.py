"""Schemathesis hooks for scripts/schemathesis.sh: the key every authenticated operation sends.

Each key belongs to a user of its own, made through the API itself: registered, activated from
the link `authtoken serve --outbox` writes, and logged in. Operations under test change and
delete their caller (a new password, a deleted account, a logout), so whenever one answers 401
schemathesis asks for a key again (its default `retry_on`), and gets a new user's.
"""

import json
import os
import pathlib
import re
import secrets
import time
import urllib.error
import urllib.request

import schemathesis

BASE = os.environ["AUTHTOKEN_URL"]
OUTBOX = pathlib.Path(os.environ["AUTHTOKEN_OUTBOX"])
PASSWORD = "a long and rare password"


def post(path: str, body: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(
        BASE + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def activation_link(address: str) -> tuple[str, str]:
    """The uid and token of the activation link emailed to `address`, within 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for email in OUTBOX.glob("*.eml"):
            text = email.read_text(errors="replace")
            if f"To: {address}" in text:
                found = re.search(r"/activate/([^/\s]+)/([^\s<\"]+)", text)
                if found:
                    return found.group(1), found.group(2)
        time.sleep(0.05)
    raise RuntimeError(f"no activation link for {address} in {OUTBOX}")


@schemathesis.auth()
class FreshUser:
    """A new user's key."""

    def get(self, case, ctx):
        name = "st" + secrets.token_hex(6)
        address = f"{name}@example.com"
        status, body = post("/auth/users/", {"username": name, "password": PASSWORD, "email": address})
        if status != 201:
            raise RuntimeError(f"registration answered {status}: {body!r}")
        uid, token = activation_link(address)
        status, body = post("/auth/users/activation/", {"uid": uid, "token": token})
        if status != 204:
            raise RuntimeError(f"activation answered {status}: {body!r}")
        status, body = post("/api-token-auth/", {"username": name, "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"login answered {status}: {body!r}")
        return json.loads(body)["token"]

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Token {data}"
