"""Room codes people can read aloud: ten lowercase letters shown as xxx-xxxx-xxx."""

from __future__ import annotations

import re
import secrets
import string

_LETTERS = string.ascii_lowercase
_SEPARATORS = re.compile(r"[\s\-]")


def new_room_code() -> str:
    letters = "".join(secrets.choice(_LETTERS) for _ in range(10))
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:]}"


def normalize_room_code(raw: str) -> str | None:
    """`KQZ MVTD WPA`, `kqzmvtdwpa` and `kqz-mvtd-wpa` are the same room; anything else is None."""
    if not isinstance(raw, str) or len(raw) > 32:
        return None
    letters = _SEPARATORS.sub("", raw).lower()
    if len(letters) != 10 or not all(ch in _LETTERS for ch in letters):
        return None
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:]}"
