"""The frontier's spilled requests: queued, written to the table, not held in memory.

A portal's sitemap queues most of the portal at once. The scheduler keeps at most
``GOVREPORTS_FRONTIER_MEMORY`` of them as ``Request`` objects; for each of the others it only
needs its place in the queue (priority, then the order it was queued in) and its fingerprint,
to read it back from the ``frontier`` table when its turn comes. As a heap tuple and a dict
entry of a hex string that is about 300 bytes per queued URL; here it is 28: per priority, a
sorted ``array`` of sequence numbers and the fingerprints' bytes side by side in a
``bytearray``, consumed from the front.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable


class _Lane:
    """Spilled entries of one priority, in sequence order, consumed from ``head``."""

    __slots__ = ("digests", "head", "seqs")

    def __init__(self) -> None:
        self.seqs = array("Q")
        self.digests = bytearray()
        self.head = 0

    def __len__(self) -> int:
        return len(self.seqs) - self.head

    def merge(self, entries: list[tuple[int, bytes]], width: int) -> None:
        """Add ``entries`` (sequence number, digest), sorted by sequence number and new here."""
        old_seqs, old_digests = self.seqs[self.head:], self.digests[self.head * width:]
        seqs, digests, i = array("Q"), bytearray(), 0
        for seq, digest in entries:
            at = bisect_left(old_seqs, seq, i)
            seqs.extend(old_seqs[i:at])
            digests += old_digests[i * width:at * width]
            seqs.append(seq)
            digests += digest
            i = at
        seqs.extend(old_seqs[i:])
        digests += old_digests[i * width:]
        self.seqs, self.digests, self.head = seqs, digests, 0


class SpillQueue:
    """Spilled queue entries: (priority, sequence number, fingerprint), taken in the
    scheduler's order (highest priority first, then lowest sequence number).

    Fingerprints are hex strings of one length (Scrapy's: 40 digits), kept as their bytes.
    """

    def __init__(self) -> None:
        self._lanes: dict[int, _Lane] = {}
        self._width = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def nbytes(self) -> int:
        """Bytes held by the lanes' buffers (not counting the few lane objects)."""
        return sum(lane.seqs.buffer_info()[1] * lane.seqs.itemsize + len(lane.digests)
                   for lane in self._lanes.values())

    def add(self, entries: Iterable[tuple[int, int, str]]) -> None:
        """Spill ``entries`` (priority, sequence number, fingerprint), none of them here yet."""
        by_priority: dict[int, list[tuple[int, bytes]]] = {}
        for priority, seq, fingerprint in entries:
            digest = bytes.fromhex(fingerprint)
            if not self._width:
                self._width = len(digest)
            if len(digest) != self._width:
                raise ValueError(f"fingerprint of {len(digest)} bytes among ones of {self._width}")
            by_priority.setdefault(priority, []).append((seq, digest))
        for priority, lane_entries in by_priority.items():
            lane_entries.sort()
            self._lanes.setdefault(priority, _Lane()).merge(lane_entries, self._width)
            self._size += len(lane_entries)

    def first(self) -> tuple[int, int] | None:
        """(-priority, sequence number) of the entry due first (the scheduler's heap order),
        or None when empty."""
        best: tuple[int, int] | None = None
        for priority, lane in self._lanes.items():
            if len(lane):
                key = (-priority, lane.seqs[lane.head])
                if best is None or key < best:
                    best = key
        return best

    def take(self, count: int) -> list[tuple[int, int, str]]:
        """Remove and return the ``count`` entries due first, in order."""
        taken: list[tuple[int, int, str]] = []
        while len(taken) < count:
            first = self.first()
            if first is None:
                break
            priority = -first[0]
            lane = self._lanes[priority]
            width = self._width
            # this lane's entries ahead of every other lane's first one
            others = [(-p, other.seqs[other.head]) for p, other in self._lanes.items()
                      if p != priority and len(other)]
            limit = min(others) if others else None
            while len(lane) and len(taken) < count:
                seq = lane.seqs[lane.head]
                if limit is not None and (-priority, seq) > limit:
                    break
                start = lane.head * width
                taken.append((priority, seq, lane.digests[start:start + width].hex()))
                lane.head += 1
            if not len(lane):
                del self._lanes[priority]
            elif lane.head > 4096 and lane.head * 2 > len(lane.seqs):
                lane.merge([], width)  # drop the consumed front
        self._size -= len(taken)
        return taken

    def discard(self, fingerprint: str) -> bool:
        """Remove ``fingerprint``'s entry, if spilled (a scan: for the rare request queued
        again while its earlier entry is spilled); True when one was removed."""
        if not self._width or len(fingerprint) != 2 * self._width:
            return False
        digest = bytes.fromhex(fingerprint)
        width = self._width
        for priority, lane in self._lanes.items():
            at = lane.digests.find(digest, lane.head * width)
            while at >= 0 and at % width:
                at = lane.digests.find(digest, at + 1)
            if at >= 0:
                index = at // width
                del lane.seqs[index]
                del lane.digests[at:at + width]
                self._size -= 1
                if not len(lane):
                    del self._lanes[priority]
                return True
        return False
