"""What integrators get besides tokens: signed outgoing webhooks (an outbox delivered by every replica) and
their API key's own settings (allowed_origins for /embed/<id>)."""
