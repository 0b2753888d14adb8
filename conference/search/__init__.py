"""Full-text search over the messages a person can read (room chat, direct messages, groups)."""
