"""Group conversations outside meetings: members, messages, read positions and group calls."""
