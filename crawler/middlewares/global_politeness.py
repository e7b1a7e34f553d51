"""Politeness across every worker of a distributed run: a host's slots and pace kept in Redis.

Each worker's own Scrapy slots and ``HostPolitenessMiddleware`` only see that worker's
requests; two workers would double a host's rate. :class:`GlobalPolitenessMiddleware` makes a
request wait for one of the host's ``CONCURRENT_REQUESTS_PER_DOMAIN`` slots in Redis (a
sorted set of tokens with a lease, so a killed worker's slots free themselves) and for the
host's next allowed time (``DOWNLOAD_DELAY``, robots.txt ``Crawl-delay``, ``Retry-After``),
taken and booked in one Lua script. The slot is given back when the response or failure
comes back through this middleware. Active only in distributed mode (``GOVREPORTS_REDIS_URL``).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from protego import Protego
from redis import Redis
from scrapy.exceptions import NotConfigured

from crawler.discovery.urls import host_of
from crawler.fetch.throttle import RETRY_AFTER_STATUSES, retry_after_seconds
from crawler.frontier.redis_keys import RunKeys

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

#: Request meta: (host, token) of the slot a request holds.
META_SLOT = "govreports_global_slot"

#: KEYS: slots, clock. ARGV: token, limit, lease, delay. Returns "0" (taken) or seconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local next_at = tonumber(redis.call('HGET', KEYS[2], 'next_at') or '0')
if now < next_at then return tostring(next_at - now) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return '0.05' end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
local delay = math.max(tonumber(redis.call('HGET', KEYS[2], 'delay') or '0'), tonumber(ARGV[4]))
if delay > 0 then redis.call('HSET', KEYS[2], 'next_at', tostring(now + delay)) end
return '0'
"""

#: KEYS: clock. ARGV: seconds. No request to the host before now + seconds.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local next_at = tonumber(redis.call('HGET', KEYS[1], 'next_at') or '0')
redis.call('HSET', KEYS[1], 'next_at', tostring(math.max(next_at, now + tonumber(ARGV[1]))))
return 1
"""


class GlobalPolitenessMiddleware:
    """Per-host concurrency and pacing shared by all workers (see module docstring).

    Settings: ``CONCURRENT_REQUESTS_PER_DOMAIN`` (slots per host, all workers together),
    ``DOWNLOAD_DELAY``, ``DOWNLOAD_TIMEOUT`` (+30 s: a slot's lease), ``GOVREPORTS_MAX_WAIT``
    (longest pause honoured), ``ROBOTSTXT_OBEY``, ``USER_AGENT``.
    """

    def __init__(self, server: Redis, keys: RunKeys, *, limit: int, delay: float, lease: float,
                 max_wait: float, user_agent: str, obey_robots: bool) -> None:
        self.server = server
        self.keys = keys
        self.limit = max(1, limit)
        self.delay = delay
        self.lease = lease
        self.max_wait = max_wait
        self.user_agent = user_agent
        self.obey_robots = obey_robots
        self._acquire: Any = server.register_script(_ACQUIRE)
        self._pause: Any = server.register_script(_PAUSE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GlobalPolitenessMiddleware:
        s = crawler.settings
        if not s.get("GOVREPORTS_REDIS_URL"):
            raise NotConfigured("one process: HostPolitenessMiddleware is enough")
        return cls(Redis.from_url(s.get("GOVREPORTS_REDIS_URL")), RunKeys(s.get("GOVREPORTS_RUN_KEY")),
                   limit=s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), delay=s.getfloat("DOWNLOAD_DELAY"),
                   lease=s.getfloat("DOWNLOAD_TIMEOUT") + 30.0,
                   max_wait=s.getfloat("GOVREPORTS_MAX_WAIT", 120.0),
                   user_agent=s.get("USER_AGENT", ""), obey_robots=s.getbool("ROBOTSTXT_OBEY"))

    async def process_request(self, request: Request) -> None:
        """Wait for a slot of the request's host and for the host's next allowed time."""
        host = host_of(request.url)
        token = uuid.uuid4().hex
        keys = [self.keys.host_slots(host), self.keys.host_clock(host)]
        while True:
            wait = float(self._acquire(keys=keys, args=[token, self.limit, self.lease, self.delay]))
            if wait <= 0:
                request.meta[META_SLOT] = (host, token)
                return None
            await asyncio.sleep(min(wait, 1.0))

    def process_response(self, request: Request, response: Response) -> Response:
        """Give the slot back; learn Crawl-delay and Retry-After for every worker."""
        host = self._release(request)
        if host is not None:
            if response.status in RETRY_AFTER_STATUSES:
                seconds = retry_after_seconds(response.headers.get("Retry-After"))
                if seconds:
                    self._pause(keys=[self.keys.host_clock(host)], args=[min(seconds, self.max_wait)])
            if self.obey_robots and urlsplit(request.url).path == "/robots.txt" and response.status == 200:
                self._crawl_delay(host, response)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A failed or dropped request gives its slot back."""
        self._release(request)
        return None

    def _release(self, request: Request) -> str | None:
        slot = request.meta.pop(META_SLOT, None)
        if slot is None:
            return None
        host, token = slot
        self.server.zrem(self.keys.host_slots(host), token)
        return str(host)

    def _crawl_delay(self, host: str, response: Response) -> None:
        try:
            delay = Protego.parse(response.body.decode("utf-8", errors="replace")).crawl_delay(self.user_agent)
        except Exception:  # noqa: BLE001 - an unreadable robots.txt sets no delay
            return
        if delay:
            self.server.hset(self.keys.host_clock(host), "delay", min(float(delay), self.max_wait))
