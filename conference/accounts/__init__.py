"""Accounts: users, login sessions, API keys, contacts."""
