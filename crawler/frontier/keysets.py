"""Per-URL facts kept in a few bytes per URL, so a crawl's memory stays flat as it grows.

A crawl remembers, for every URL it meets, a fact or two: counted against its budget, queued
before, what it answered, which capture holds a payload. As Python ``set``/``dict`` of URL
strings that is 120–210 bytes per URL and structure (issue 9: about 0.7 KB per URL in all).
Here each string becomes a 64-bit key (the first 8 bytes of its BLAKE2b digest; two of a
crawl's URLs share one with odds of about n²/2⁶⁵, 3·10⁻¹⁰ at 100,000 URLs), kept in a sorted
``array`` (8 bytes) beside a small ``set``/``dict`` of recent keys, merged into the array
when it reaches an eighth of it: about 8–20 bytes per URL, membership by ``bisect`` in C.

:class:`KeySet` (a set of strings) and :class:`KeyMap` (strings to small ints) take and test
strings; they cannot list them back: what needs the strings reads them from the database.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping

#: Recent keys are merged into the sorted array when they reach ``len(array) >> _MERGE_SHIFT``
#: (and at least ``_MERGE_MIN``).
_MERGE_SHIFT = 3
_MERGE_MIN = 256


def key_of(text: str) -> int:
    """The 64-bit key of ``text``: the first 8 bytes of its BLAKE2b digest."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "big")


def _find(keys: array, key: int) -> int:
    """Index of ``key`` in the sorted ``keys``, or -1."""
    at = bisect_left(keys, key)
    return at if at < len(keys) and keys[at] == key else -1


class KeySet:
    """A set of strings stored as 64-bit keys (see the module docstring)."""

    def __init__(self, items: Iterable[str] = ()) -> None:
        self._keys = array("Q")
        self._recent: set[int] = set()
        for item in items:
            self.add(item)

    def add(self, item: str) -> None:
        key = key_of(item)
        if key in self._recent or _find(self._keys, key) >= 0:
            return
        self._recent.add(key)
        if len(self._recent) >= max(_MERGE_MIN, len(self._keys) >> _MERGE_SHIFT):
            self._merge()

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, str):
            return False
        key = key_of(item)
        return key in self._recent or _find(self._keys, key) >= 0

    def __len__(self) -> int:
        return len(self._keys) + len(self._recent)

    def nbytes(self) -> int:
        """Bytes held (array buffer and the recent set's table, not counting shared ints)."""
        return sys.getsizeof(self._keys) + sys.getsizeof(self._recent)

    def _merge(self) -> None:
        merged = _merged(self._keys, sorted(self._recent))
        self._keys, self._recent = merged, set()


class KeyMap:
    """A map from strings (stored as 64-bit keys) to ints that fit 64 bits signed."""

    def __init__(self) -> None:
        self._keys = array("Q")
        self._values = array("q")
        self._recent: dict[int, int] = {}

    def __setitem__(self, item: str, value: int) -> None:
        key = key_of(item)
        at = _find(self._keys, key)
        if at >= 0:
            self._values[at] = value
            return
        self._recent[key] = value
        if len(self._recent) >= max(_MERGE_MIN, len(self._keys) >> _MERGE_SHIFT):
            self._merge()

    def get(self, item: str, default: int | None = None) -> int | None:
        key = key_of(item)
        value = self._recent.get(key)
        if value is not None:
            return value
        at = _find(self._keys, key)
        return self._values[at] if at >= 0 else default

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and self.get(item) is not None

    def __len__(self) -> int:
        return len(self._keys) + len(self._recent)

    def nbytes(self) -> int:
        """Bytes held (arrays and the recent dict's table, not counting shared ints)."""
        return sys.getsizeof(self._keys) + sys.getsizeof(self._values) + sys.getsizeof(self._recent)

    def _merge(self) -> None:
        keys, values = array("Q"), array("q")
        old_keys, old_values, recent = self._keys, self._values, self._recent
        i = 0
        for key in sorted(recent):  # disjoint from the array: set in place when found there
            at = bisect_left(old_keys, key, i)
            keys.extend(old_keys[i:at])
            values.extend(old_values[i:at])
            keys.append(key)
            values.append(recent[key])
            i = at
        keys.extend(old_keys[i:])
        values.extend(old_values[i:])
        self._keys, self._values, self._recent = keys, values, {}


def _merged(old: array, new: list[int]) -> array:
    """The sorted ``old`` and the sorted ``new`` (disjoint), merged."""
    merged, i = array("Q"), 0
    for key in new:
        at = bisect_left(old, key, i)
        merged.extend(old[i:at])
        merged.append(key)
        i = at
    merged.extend(old[i:])
    return merged


class StatusMap(Mapping[str, "int | str | None"]):
    """What each URL answered (an HTTP status, a word such as ``soft_404``, or None when the
    fetch failed), by URL, in a :class:`KeyMap`: look-ups only, the URLs are not kept, so it
    cannot be iterated."""

    def __init__(self) -> None:
        self._codes = KeyMap()
        self._words: list[str] = []

    def __setitem__(self, url: str, status: int | str | None) -> None:
        if status is None:
            code = -1
        elif isinstance(status, str):
            if status not in self._words:
                self._words.append(status)
            code = -2 - self._words.index(status)
        else:
            code = int(status)
        self._codes[url] = code

    def __getitem__(self, url: str) -> int | str | None:
        code = self._codes.get(url)
        if code is None:
            raise KeyError(url)
        if code >= 0:
            return code
        return None if code == -1 else self._words[-2 - code]

    def __contains__(self, url: object) -> bool:
        return url in self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a StatusMap keeps no URLs to list (look them up one by one)")

    def nbytes(self) -> int:
        """Bytes held by its key map."""
        return self._codes.nbytes()
