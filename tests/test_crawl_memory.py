"""The crawler's memory does not grow with the portal's size (issue 9): the queued requests it
holds in memory are bounded by ``GOVREPORTS_FRONTIER_MEMORY``, not by how many URLs a sitemap
lists.

Each crawl runs in a child process that records, after every request the scheduler takes, how
many queued ``Request`` objects the frontier holds, and counts live ``scrapy.Request`` objects
(created minus garbage-collected). Before the frontier spilled to its table, the sample
portal's sitemap put nearly every URL of the portal in the queue at once: at scale 1 and 4
(711 and 1,971 pages) the frontier held 277 and 910 requests at most (live requests: 373 and
1,039); with a bound of 100 it holds at most 109 (live requests 263–519: requests in flight,
responses waiting for their callbacks, one page's links; these depend on timing, so only the
frontier's own count is asserted).

What the crawl remembers per URL does not grow its memory by much either: after the crawl the
child measures (``sys.getsizeof``, followed through containers and objects) the per-URL
structures of the spider (``budgeted``, ``listed``), the scheduler (``seen``) and the archive
session (``_wire_refs``). Kept as sets and dicts of URL strings they held 118–135 bytes per
URL each (about 500 in all); as 64-bit keys in sorted arrays (``crawler.frontier.keysets``)
about 9–17.

The queue itself: when the most URLs were queued (scale 4: 900-1,300), its own entries (heap,
index, spilled entries; the held requests aside) took 301.9 bytes per queued URL as a heap tuple
and a dict entry of a hex fingerprint each, and 46.5 with spilled entries in arrays.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler.testbed.sample_portal import SamplePortal

pytestmark = pytest.mark.slow

#: Queued requests the frontier keeps in memory in these crawls.
BOUND = 100

_CHILD = r"""
import json, sys, weakref
from pathlib import Path
import scrapy

live = peak = created = 0
counted = set()
original_init = scrapy.Request.__init__

def _gone(key):
    global live
    counted.discard(key)
    live -= 1

def counting_init(self, *args, **kwargs):
    global live, peak, created
    original_init(self, *args, **kwargs)
    if id(self) not in counted:  # once per object (a FormRequest runs Request.__init__ too)
        counted.add(id(self))
        live += 1
        created += 1
        peak = max(peak, live)
        weakref.finalize(self, _gone, id(self))

scrapy.Request.__init__ = counting_init

# queued requests the frontier holds in memory as Request objects, at most, after each enqueue
from crawler.frontier.scheduler import DatabaseScheduler
held_peak = 0
per_url = {}

def deep_size(obj, seen):
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        size += sum(deep_size(v, seen) for v in obj)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        size += deep_size(vars(obj), seen)
    elif hasattr(type(obj), "__slots__") and not isinstance(obj, type):
        size += sum(deep_size(getattr(obj, name), seen) for name in type(obj).__slots__ if hasattr(obj, name))
    return size

original_close = DatabaseScheduler.close

def measuring_close(self, reason):
    original_close(self, reason)
    from crawler.extensions.run_owner import RunOwner
    session = self.crawler.get_extension(RunOwner).session
    state = self.spider.state
    for name, structure in (("spider.budgeted", state["budgeted"]), ("spider.listed", state["listed"]),
                            ("scheduler.seen", self.seen), ("session.wire_refs", session._wire_refs)):
        per_url[name] = [len(structure), deep_size(structure, set())]

DatabaseScheduler.close = measuring_close
original_enqueue = DatabaseScheduler.enqueue_request

queue_peak = [0, 0]  # queued URLs at the most, and the bytes the queue's entries took then

def queue_bytes(self):
    # the queue's own structures, not counting the Request objects held (bounded above)
    seen = {id(entry[-1]) for entry in self._queued.values()}  # (…, request)
    structures = (self._heap, self._queued, getattr(self, "_spilled", None))  # as before spilling to arrays too
    return sum(deep_size(structure, seen) for structure in structures)

def counting_enqueue(self, request):
    global held_peak
    taken = original_enqueue(self, request)
    held_peak = max(held_peak, sum(1 for entry in self._queued.values() if entry[-1] is not None))
    if len(self) > queue_peak[0]:
        queue_peak[0] = len(self)
        if len(self) % 50 == 0:
            queue_peak[1] = queue_bytes(self) / len(self)
    return taken

DatabaseScheduler.enqueue_request = counting_enqueue

from crawler.cli.main import LOCAL_SETTINGS
from crawler.run.runner import CrawlOptions, run_crawl

args = json.loads(sys.argv[1])
work = Path(args["work"])
summary = run_crawl(CrawlOptions(
    seeds=args["seeds"], db_url=f"sqlite:///{work / 'archive.db'}", archive_dir=work / "archive",
    ca_file=args["ca_file"], parse=False, progress=False,
    settings=dict(LOCAL_SETTINGS) | {"GOVREPORTS_FRONTIER_MEMORY": args["bound"], "GOVREPORTS_RENDER": False,
                                     "GOVREPORTS_MAX_PAGES_PER_HOST": 1_000_000,
                                     # the writer thread: the session's _wire_refs is measured in
                                     # this process (a writer process holds the same KeyMap)
                                     "GOVREPORTS_ARCHIVE_PROCESS": False}))
print(json.dumps({"status": summary.status, "pages": summary.pages, "reports": summary.reports_found,
                  "created": created, "peak_live": peak, "held_peak": held_peak, "per_url": per_url,
                  "queue_peak": queue_peak}))
"""


def _crawl(scale: int, work: Path) -> dict[str, Any]:
    work.mkdir()
    with SamplePortal(seed=0, scale=scale) as portal:
        seeds = [url for url in portal.seed_urls if "//127.0.0.1:" in url]
        args = {"work": str(work), "seeds": seeds, "ca_file": str(portal.certificate_path),
                "bound": BOUND}
        done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(args)], capture_output=True,
                              text=True, timeout=600, check=False,
                              cwd=str(Path(__file__).resolve().parents[1]))
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sample portal crawled at scale 1 and 4 (711 and about 2,000 pages)."""
    work = tmp_path_factory.mktemp("memory")
    return _crawl(1, work / "small"), _crawl(4, work / "large")


def test_requests_held_at_once_do_not_grow_with_the_portal(
        crawls: tuple[dict[str, Any], dict[str, Any]]) -> None:
    small, large = crawls
    assert small["status"] == large["status"] == "completed", (small, large)
    assert int(large["pages"]) > 2.5 * int(small["pages"])  # the portal did grow (noise pages)
    # spilled requests were read back and answered: the same reports at both sizes
    assert small["reports"] == large["reports"] and int(large["reports"]) > 0, (small, large)
    # the frontier's queued requests held in memory: bounded, whatever the portal's size
    assert int(large["held_peak"]) < 2 * BOUND, (small, large)
    assert int(large["held_peak"]) <= int(small["held_peak"]) + BOUND // 4, (small, large)


def test_a_queued_url_not_held_in_memory_takes_a_few_bytes(
        crawls: tuple[dict[str, Any], dict[str, Any]]) -> None:
    """The queue's own entries (heap, index, spilled entries; the held requests aside), per
    queued URL, when the most URLs were queued: a hex fingerprint, a heap tuple and a dict
    entry per URL took about 300 bytes (measured 250-300 here); spilled entries as arrays
    (``crawler.frontier.spill``) take 28 bytes, and at most about ``2 * BOUND`` are held."""
    small, large = crawls
    queued, per_queued = large["queue_peak"]
    print(f"queue peak: {queued} URLs queued, {per_queued:.1f} B per queued URL")
    assert queued > 5 * BOUND, large  # the sitemap queued much of the portal at once
    assert per_queued < 100, large


def test_what_the_crawl_remembers_per_url_takes_a_few_bytes(
        crawls: tuple[dict[str, Any], dict[str, Any]]) -> None:
    small, large = crawls
    assert small["status"] == large["status"] == "completed", (small, large)
    for name, (count, size) in large["per_url"].items():
        small_count, small_size = small["per_url"][name]
        assert count > 2.5 * small_count, (name, small, large)  # grew with the portal
        print(f"{name}: {small_count} URLs {small_size} B, {count} URLs {size} B, "
              f"{size / count:.1f} B/URL, {(size - small_size) / (count - small_count):.1f} B/URL added")
        # bytes per URL, and per URL added from the small crawl to the large one (as sets and
        # dicts of strings: 118-135 and more)
        assert size / count < 48, (name, count, size)
        assert (size - small_size) / (count - small_count) < 32, (name, small["per_url"], large["per_url"])
