"""The Redis keys of one distributed run, all under one prefix (``govreports:<run-key>:``).

Several runs (and the tests) share one Redis without touching each other's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The prefix of every key of a run: ``govreports:<run-key>:``.
PREFIX = "govreports:{run_key}:"


@dataclass(frozen=True)
class RunKeys:
    """Key names of one run (see each property)."""

    run_key: str

    @property
    def prefix(self) -> str:
        return PREFIX.format(run_key=self.run_key)

    @property
    def meta(self) -> str:
        """Hash: the run's id, seeds and shared options (written by ``govreports crawl``)."""
        return self.prefix + "meta"

    @property
    def queue(self) -> str:
        """Sorted set: serialized requests by priority (scrapy-redis ``PriorityQueue``)."""
        return self.prefix + "queue"

    @property
    def dupefilter(self) -> str:
        """Set: fingerprints of every request ever queued (scrapy-redis ``RFPDupeFilter``)."""
        return self.prefix + "dupefilter"

    @property
    def workers(self) -> str:
        """Sorted set: worker id → time of its last heartbeat (Redis server clock)."""
        return self.prefix + "workers"

    def processing(self, worker: str) -> str:
        """Hash: the requests a worker holds (serialized request → queue score)."""
        return self.prefix + "processing:" + worker

    @property
    def processing_pattern(self) -> str:
        return self.prefix + "processing:*"

    @property
    def held(self) -> str:
        """String: requests held by all workers together (the processing hashes' sizes summed)."""
        return self.prefix + "held"

    @property
    def phase(self) -> str:
        """String: ``discovery`` → ``search`` → ``revalidate`` → ``done``."""
        return self.prefix + "phase"

    @property
    def phase_lock(self) -> str:
        """String with a lease: the worker moving the run to its next phase."""
        return self.prefix + "phase_lock"

    @property
    def finished(self) -> str:
        """String (``SET NX``): the one worker that finishes the run."""
        return self.prefix + "finished"

    @property
    def search_forms(self) -> str:
        """Hash: host → pickled site-search form noted by any worker."""
        return self.prefix + "search_forms"

    @property
    def revalidating(self) -> str:
        """Set: known report URLs fetched directly in the revalidation phase."""
        return self.prefix + "revalidating"

    @property
    def unfinished_hosts(self) -> str:
        """Set: hosts some worker did not finish (budget exhausted or backed off)."""
        return self.prefix + "unfinished_hosts"

    @property
    def pages(self) -> str:
        """Hash: host → responses handled (per-host progress for ``govreports status``)."""
        return self.prefix + "pages"

    @property
    def budgeted(self) -> str:
        """Set: 16-byte digests of the URLs counted against a budget (``shared_budget``)."""
        return self.prefix + "budgeted"

    @property
    def pages_per_host(self) -> str:
        """Hash: host → URLs counted against its page budget by every worker."""
        return self.prefix + "budget:host"

    @property
    def pages_per_trap_key(self) -> str:
        """Hash: trap key → URLs counted against its cap by every worker."""
        return self.prefix + "budget:trap"

    @property
    def search_pages_per_host(self) -> str:
        """Hash: host → site-search URLs counted against its search budget by every worker."""
        return self.prefix + "budget:search"

    @property
    def run_pages(self) -> str:
        """String: responses counted against the run's ``--max-pages`` by every worker."""
        return self.prefix + "run_pages"

    @property
    def stopped(self) -> str:
        """String (``SET NX``): the worker that recorded the run as stopped at its ``--max-pages``."""
        return self.prefix + "stopped"

    def host_slots(self, host: str) -> str:
        """Sorted set: tokens of requests now at ``host`` → lease expiry (global politeness)."""
        return self.prefix + "host:" + host + ":slots"

    def host_clock(self, host: str) -> str:
        """Hash: ``next_at`` (earliest next request) and ``delay`` of ``host``."""
        return self.prefix + "host:" + host + ":clock"
