"""The error a delivery channel raises when an alert could not be delivered."""

from __future__ import annotations

from crawler.errors import GovreportsError


class DeliveryError(GovreportsError):
    """Delivery failed; ``reason`` says why in a line, ``transient`` whether a quick retry may help."""

    def __init__(self, reason: str, *, transient: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
