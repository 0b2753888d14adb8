"""The receiver written in docs/webhooks.md verifies what the service signs, and refuses what it did not."""

from __future__ import annotations

import re
import time
from pathlib import Path

from aiohttp import web

from conference.integrations.signing import new_secret, signed_headers

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_receiver(secret: str, monkeypatch) -> dict:
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    monkeypatch.setattr(web, "run_app", lambda *args, **kwargs: None)  # the example starts a server at the end
    namespace: dict = {}
    exec(compile(code.replace('SECRET = "whsec_…"', f"SECRET = {secret!r}"), str(DOCS), "exec"), namespace)
    return namespace


def test_the_documented_check_accepts_the_services_signatures_and_nothing_else(monkeypatch):
    secret, old = new_secret(), new_secret()
    verified = documented_receiver(secret, monkeypatch)["verified"]
    body = b'{"type":"chat.message","timestamp":"2026-11-23T10:00:00Z","data":{}}'
    now = int(time.time())
    assert verified(signed_headers([secret], "msg_1", now, body), body)
    assert verified(signed_headers([old, secret], "msg_1", now, body), body)  # during a rotation
    assert not verified(signed_headers([old], "msg_1", now, body), body)
    assert not verified(signed_headers([secret], "msg_1", now, body), body + b" ")
    assert not verified(signed_headers([secret], "msg_1", now - 600, body), body)  # a replay from long ago
    tampered = {**signed_headers([secret], "msg_1", now, body), "webhook-id": "msg_2"}
    assert not verified(tampered, body)
