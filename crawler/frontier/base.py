"""What the run owner needs from a frontier, whatever keeps it (database, Redis)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Frontier(Protocol):
    """A durable frontier of one run."""

    def size(self) -> int:
        """Requests not finished yet (queued, in flight or answered)."""

    def drained(self) -> bool:
        """True when every request of the run is finished (durably)."""

    def requeue_in_flight(self) -> int:
        """Queue again the requests a dead process had handed out; return how many."""
