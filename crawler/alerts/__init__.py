"""Change alerts: an outbox of events written with the change, delivered by channel."""
