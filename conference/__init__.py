"""conference: self-hostable video conferencing around the LiveKit SFU."""
