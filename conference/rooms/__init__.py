"""Rooms: codes, members and roles, media tokens, moderation."""
