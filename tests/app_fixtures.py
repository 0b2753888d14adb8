"""Fixtures that run the conference app against the servers from conftest.py."""
