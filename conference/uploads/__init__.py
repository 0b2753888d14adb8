"""Attachments: files people upload, then attach to a room chat or direct message."""
