"""Request bodies and answers of the accounts endpoints (users, sign-ins, contacts)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from conference.routing import Answer, Body, Timestamp

LOGIN_RE = re.compile(r"^[a-z0-9._-]{3,32}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def check_login(value: str) -> str:
    value = value.strip().lower()
    if not LOGIN_RE.match(value):
        raise ValueError("3-32 characters of a-z, 0-9, '.', '_' and '-'")
    return value


def check_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if len(value) > 254 or not EMAIL_RE.match(value):
        raise ValueError("not a valid email address")
    return value


def check_password(value: str) -> str:
    size = len(value.encode())
    if not 8 <= size <= 72:
        raise ValueError("must be 8 to 72 bytes long")
    return value


def check_password_given(value: str) -> str:
    """A password to compare with the stored one: the same 72-byte ceiling as a new one (bcrypt's)."""
    if not 1 <= len(value.encode()) <= 72:
        raise ValueError("must be 1 to 72 bytes long")
    return value


def check_display_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not 1 <= len(value) <= 64:
        raise ValueError("must be 1 to 64 characters")
    return value


class Register(Body):
    login: str = Field(max_length=64)
    password: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=300)
    display_name: str | None = Field(default=None, max_length=200)

    _login = field_validator("login")(check_login)
    _password = field_validator("password")(check_password)
    _email = field_validator("email")(check_email)
    _display_name = field_validator("display_name")(check_display_name)


class Login(Body):
    login: str = Field(min_length=1, max_length=300)
    password: str = Field(min_length=1, max_length=200)

    _password = field_validator("password")(check_password_given)


class RefreshBody(Body):
    refresh_token: str = Field(min_length=1, max_length=200)


class UpdateMe(Body):
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=300)
    password: str | None = Field(default=None, max_length=200)
    current_password: str | None = Field(default=None, max_length=200)

    _email = field_validator("email")(check_email)
    _display_name = field_validator("display_name")(check_display_name)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str | None) -> str | None:
        return None if value is None else check_password(value)

    @field_validator("current_password")
    @classmethod
    def _current_password(cls, value: str | None) -> str | None:
        return None if value is None else check_password_given(value)


class DeleteMe(Body):
    """Deleting the account asks for its password again, so a stolen access token cannot do it."""

    password: str = Field(max_length=200)

    _password = field_validator("password")(check_password_given)


class ContactRequest(Body):
    user_id: str = Field(min_length=1, max_length=32)


# --- answers ---------------------------------------------------------------------------------
def _absent_unless_true(value: bool) -> bool:
    return not value


class Person(Answer):
    """Anyone another user sees: in chat, lobbies, calls, contacts and search."""

    id: str
    login: str
    display_name: str
    guest: bool = Field(
        default=False,
        exclude_if=_absent_unless_true,
        description="true for a guest without an account (only then present); guests live in one room",
    )


class Account(Person):
    """The signed-in user, as only they see themselves."""

    email: str | None
    created_at: Timestamp


class SignedIn(Answer):
    """A new sign-in or a refreshed one: who, and the token pair."""

    user: Account
    access_token: str
    refresh_token: str
    expires_in: int = Field(description="seconds the access token is valid")


class PersonOnline(Person):
    """A person found by search, with whether they have an open connection."""

    online: bool


class PeopleFound(Answer):
    items: list[PersonOnline]


class Profile(PersonOnline):
    """One user's public profile and presence."""

    last_seen_at: Timestamp | None


ContactStatus = Literal["accepted", "incoming", "outgoing", "declined"]


class Contact(Answer):
    """Someone in my contacts, or a request between us (`declined` only in the decline answer)."""

    user: Person
    status: ContactStatus
    online: bool
    last_seen_at: Timestamp | None


class ContactList(Answer):
    items: list[Contact]


# Accounts record no realtime events; presence is the realtime domain's.
EVENTS: dict[str, type[BaseModel]] = {}
