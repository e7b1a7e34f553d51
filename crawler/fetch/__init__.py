"""Fetching: content encoding, charsets, TLS, challenge pages, fetch error kinds.

Modules:

* ``challenge``: Recognise anti-bot challenge pages (WAF interstitials), which are never archived as
  content.
* ``content_encoding``: Undo HTTP content-encoding: the archive stores documents as the server meant
  them.
* ``encoding``: Decide the character encoding of fetched bytes: the one home of charset decisions.
* ``errors``: Name the kind of a failed fetch, for the capture record and the crawl summary.
* ``tls``: TLS policy: certificates are verified, except for hosts the operator lists as insecure.
* ``addresses``: Which network addresses a crawl may connect to: public ones, and the seeds' own.
* ``resolve``: Fixed answers for chosen host names, like curl's ``--resolve`` (Scrapy's ``TWISTED_DNS_RESOLVER``).
* ``soft404``: Soft 404s: a 200 page that says the item does not exist.
* ``throttle``: When to talk to a host again: Retry-After, robots.txt Crawl-delay, backing off a failing host.
"""
