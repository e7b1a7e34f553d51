"""Fetching: content encoding, charsets, TLS, challenge pages, fetch error kinds.

Modules:

* ``challenge``: Recognise anti-bot challenge pages (WAF interstitials), which are never archived as
  content.
* ``content_encoding``: Undo HTTP content-encoding: the archive stores documents as the server meant
  them.
* ``encoding``: Decide the character encoding of fetched bytes: the one home of charset decisions.
* ``errors``: Name the kind of a failed fetch, for the capture record and the crawl summary.
* ``tls``: TLS policy: certificates are verified, except for hosts the operator lists as insecure.
"""
