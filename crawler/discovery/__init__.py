"""Discovery: canonical URLs, pages, list adapters, link scores.

Modules:

* ``lists``: Adapters for list pages whose items are not plain links.
* ``pages``: Read what a government web page says about itself: title, date, agency, links, text.
* ``scope``: The crawl's scope: which URLs a crawl may fetch.
* ``urls``: URL rules: canonical form, crawl scope, attachments and crawler traps.
"""
