"""Calls: call history from LiveKit webhooks, and direct calls between two people."""
