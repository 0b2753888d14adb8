"""Chat: room messages and direct messages."""
