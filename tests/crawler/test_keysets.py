"""``crawler.frontier.keysets``: the compact per-URL sets and maps answer as a set and a dict
of the same strings would, through many merges of recent keys into the sorted array."""

from __future__ import annotations

import random

import pytest

from crawler.frontier.keysets import KeyMap, KeySet, StatusMap


def _urls(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [f"http://h{rng.randrange(5)}.gov.cn/p/{rng.randrange(3 * n)}.html" for _ in range(n)]


def test_a_key_set_answers_as_a_set_of_its_strings() -> None:
    urls = _urls(20_000)
    keys, reference = KeySet(), set()
    for url in urls:
        keys.add(url)
        reference.add(url)
    assert len(keys) == len(reference)
    assert all(url in keys for url in reference)
    assert not any(url in keys for url in _urls(2_000, seed=1) if url not in reference)
    assert 1 not in keys
    assert keys.nbytes() / len(keys) < 24  # a set of the strings: about 120 bytes per URL


def test_a_key_map_keeps_the_last_value_set() -> None:
    urls = _urls(20_000)
    values, reference = KeyMap(), {}
    for number, url in enumerate(urls):
        values[url] = number - 5
        reference[url] = number - 5
    assert len(values) == len(reference)
    assert all(values.get(url) == value for url, value in reference.items())
    assert values.get("http://elsewhere.gov.cn/") is None
    assert "http://elsewhere.gov.cn/" not in values


def test_a_status_map_gives_back_statuses_words_and_none() -> None:
    statuses = StatusMap()
    statuses["http://a.gov.cn/1"] = 200
    statuses["http://a.gov.cn/2"] = "soft_404"
    statuses["http://a.gov.cn/3"] = None
    statuses["http://a.gov.cn/4"] = "redirect_home"
    statuses["http://a.gov.cn/1"] = 404
    assert statuses["http://a.gov.cn/1"] == 404
    assert statuses.get("http://a.gov.cn/2") == "soft_404"
    assert "http://a.gov.cn/3" in statuses and statuses["http://a.gov.cn/3"] is None
    assert statuses["http://a.gov.cn/4"] == "redirect_home"
    assert statuses.get("http://a.gov.cn/5") is None and "http://a.gov.cn/5" not in statuses
    assert len(statuses) == 4
    with pytest.raises(KeyError):
        statuses["http://a.gov.cn/5"]
