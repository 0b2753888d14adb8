"""Realtime: the event log, the fan-out hub, presence and the /ws handler."""
