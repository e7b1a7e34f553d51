"""scrapy-redis's priority queue made reliable: a popped request stays in Redis until handled.

``pop`` moves the best request, atomically (a Lua script), from the run's queue into the
worker's processing hash ``P:processing:<worker-id>``; :meth:`ReliableQueue.done` removes it
once its response or failure has been handled. A worker that dies leaves its processing hash
behind; :func:`reclaim` puts it back into the queue (also atomically).

Requests are serialised with :func:`crawler.frontier.base.request_dict`, not scrapy-redis's
``request.to_dict(spider=…)``: Scrapy names a callback by reading every attribute of the
spider, and the portal spider's ``hosts`` walks every URL it has seen, so each queued request
cost more as the crawl grew (a worker's event loop stalled for seconds at a time: downloads
timed out in bursts, renderings starved; issue 14).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scrapy_redis.queue import PriorityQueue

from crawler.frontier.base import request_dict
from crawler.frontier.redis_keys import RunKeys

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request, Spider

#: KEYS: queue, processing hash[, held counter, run_pages]; ARGV: the run's --max-pages (0:
#: none). Pops the lowest score into the processing hash and counts it held, unless the run's
#: responses so far plus the requests every worker holds already make its --max-pages.
_POP = """
if #KEYS >= 4 and tonumber(ARGV[1]) > 0 then
  local used = tonumber(redis.call('GET', KEYS[4]) or '0')
  local held = tonumber(redis.call('GET', KEYS[3]) or '0')
  if used + held >= tonumber(ARGV[1]) then return false end
end
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], r[1], r[2])
if #KEYS >= 3 then redis.call('INCR', KEYS[3]) end
return r[1]
"""

#: KEYS: processing hash, held counter; ARGV: requests. They leave the hash (and the count).
_DONE = """
local n = redis.call('HDEL', KEYS[1], unpack(ARGV))
if n > 0 then redis.call('DECRBY', KEYS[2], n) end
return n
"""

#: KEYS: queue, processing hash, workers zset, held counter; ARGV: worker id. Everything
#: held goes back.
_RECLAIM = """
local h = redis.call('HGETALL', KEYS[2])
for i = 1, #h, 2 do redis.call('ZADD', KEYS[1], h[i + 1], h[i]) end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if #h > 0 then redis.call('DECRBY', KEYS[4], #h / 2) end
return #h / 2
"""

#: KEYS: queue, duplicate filter. ARGV: (fingerprint ('' = not filtered), score, request) per
#: request. Queues each request unless its fingerprint was seen: 1 when queued, 0 when a duplicate.
_PUSH_UNSEEN = """
local out = {}
for i = 1, #ARGV, 3 do
  if ARGV[i] ~= '' and redis.call('SADD', KEYS[2], ARGV[i]) == 0 then
    out[#out + 1] = 0
  else
    redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i + 2])
    out[#out + 1] = 1
  end
end
return out
"""


def reclaim(server: Redis, keys: RunKeys, worker: str) -> int:
    """Queue again every request ``worker`` held and forget the worker; return how many."""
    script: Any = server.register_script(_RECLAIM)
    return int(script(keys=[keys.queue, keys.processing(worker), keys.workers, keys.held], args=[worker]))


class ReliableQueue(PriorityQueue):  # type: ignore[misc]
    """A scrapy-redis ``PriorityQueue`` whose pop keeps the request in a processing hash."""

    def __init__(self, server: Redis, spider: Spider, key: str, serializer: Any = None,
                 *, processing_key: str, keys: RunKeys | None = None, page_limit: int = 0) -> None:
        """``keys``: the run's keys, to count the requests all workers hold (``keys.held``) and,
        with ``page_limit`` (the run's ``--max-pages``), pop nothing once the run's responses
        plus those requests make it: requests taken but not yet answered were what a worker
        fetched beyond its --max-pages."""
        super().__init__(server, spider, key, serializer)
        self.processing_key = processing_key
        self._counted = [keys.held, keys.run_pages] if keys is not None else []
        self.page_limit = page_limit
        self._pop: Any = server.register_script(_POP)
        self._done: Any = server.register_script(_DONE)
        self._push_unseen: Any = server.register_script(_PUSH_UNSEEN)

    def _encode_request(self, request: Request) -> bytes:
        """The request serialised as scrapy-redis does, without reading the spider's properties."""
        return bytes(self.serializer.dumps(request_dict(request, self.spider)))

    def pop(self, timeout: int = 0) -> tuple[Request, bytes] | None:  # type: ignore[override]
        """The best request and its serialized form (kept in the processing hash), or None."""
        data = self._pop(keys=[self.key, self.processing_key, *self._counted], args=[self.page_limit])
        if not data:
            return None
        return self._decode_request(data), data

    def push_unseen(self, requests: Sequence[tuple[Request, str | None]], dupefilter_key: str) -> list[bool]:
        """Queue each request unless its fingerprint is in the duplicate filter (which it joins;
        None: queue it unfiltered), all in one round trip (scrapy-redis asks twice per request:
        ``SADD``, then ``ZADD``). True for each request queued."""
        if not requests:
            return []
        args: list[Any] = []
        for request, fingerprint in requests:
            args += [fingerprint or "", -request.priority, self._encode_request(request)]
        answers = self._push_unseen(keys=[self.key, dupefilter_key], args=args)
        return [bool(int(a)) for a in answers]

    def done(self, *data: bytes) -> None:
        """The requests serialized as ``data`` are handled: they leave the processing hash
        (one round trip for all of them)."""
        if data and self._counted:
            self._done(keys=[self.processing_key, self._counted[0]], args=list(data))
        elif data:
            self.server.hdel(self.processing_key, *data)

    def held(self) -> int:
        """Requests this worker holds."""
        return int(self.server.hlen(self.processing_key))
