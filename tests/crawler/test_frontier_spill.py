"""``SpillQueue``: spilled frontier entries come back in the scheduler's order (highest
priority first, then the order they were queued in) and take a few bytes each."""

from __future__ import annotations

import hashlib
import heapq
import random

from crawler.frontier.spill import SpillQueue


def _fingerprint(n: int) -> str:
    return hashlib.sha1(str(n).encode()).hexdigest()


def test_entries_come_back_in_heap_order_across_spills_and_takes() -> None:
    rng = random.Random(7)
    spilled = SpillQueue()
    reference: list[tuple[int, int, str]] = []
    seq = 0
    taken: list[tuple[int, int, str]] = []
    for _ in range(40):
        batch = []
        for _ in range(rng.randint(0, 300)):
            seq += 1
            batch.append((rng.choice([0, 10, 20, 40, 120, -5]), seq, _fingerprint(seq)))
        # a spill may hold entries queued before ones spilled earlier (kept, then spilled)
        rng.shuffle(batch)
        spilled.add(batch)
        for priority, entry_seq, fingerprint in batch:
            heapq.heappush(reference, (-priority, entry_seq, fingerprint))
        assert len(spilled) == len(reference)
        first = spilled.first()
        assert first == (reference[0][:2] if reference else None)
        count = rng.randint(0, 200)
        got = spilled.take(count)
        want = [heapq.heappop(reference) for _ in range(min(count, len(reference)))]
        assert [(-p, s, f) for p, s, f in got] == want
        taken.extend(got)
    rest = spilled.take(10**6)
    assert [(-p, s, f) for p, s, f in rest] == [heapq.heappop(reference) for _ in range(len(reference))]
    assert not len(spilled) and spilled.first() is None
    assert len({f for _, _, f in taken + rest}) == seq  # every entry came back once


def test_an_entry_spilled_behind_later_ones_of_its_priority_keeps_its_place() -> None:
    spilled = SpillQueue()
    spilled.add([(10, 5, _fingerprint(5)), (10, 9, _fingerprint(9))])
    spilled.add([(10, 2, _fingerprint(2)), (20, 7, _fingerprint(7))])
    assert [seq for _, seq, _ in spilled.take(4)] == [7, 2, 5, 9]


def test_discard_removes_one_entry_only_at_an_entry_boundary() -> None:
    spilled = SpillQueue()
    entries = [(0, n, _fingerprint(n)) for n in range(1, 50)]
    spilled.add(entries)
    assert spilled.discard(_fingerprint(17))
    assert not spilled.discard(_fingerprint(17))
    assert not spilled.discard(_fingerprint(1000))
    # a digest's bytes straddling two entries are not an entry
    straddling = (bytes.fromhex(_fingerprint(3))[10:] + bytes.fromhex(_fingerprint(4))[:10]).hex()
    assert not spilled.discard(straddling)
    assert [seq for _, seq, _ in spilled.take(100)] == [n for n in range(1, 50) if n != 17]


def test_a_spilled_entry_takes_28_bytes() -> None:
    spilled = SpillQueue()
    spilled.add((priority, n, _fingerprint(n)) for n in range(1, 20_001)
                for priority in [n % 7 * 10])
    # as a heap tuple and a dict entry of a hex string: about 300 bytes
    assert spilled.nbytes() / len(spilled) < 32
