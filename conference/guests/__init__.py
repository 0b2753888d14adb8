"""People without an account in one room: guest sessions, joining as a guest, the public room preview."""
