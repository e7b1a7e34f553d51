"""Scrapy spiders of govreports (``scrapy crawl portal -a seeds=URL[,URL…]``).

Modules:

* ``lists``: List discovery for the portal spider: paging, data lists, rendering, site search.
* ``portal``: The portal spider: walk government portals and find their annual reports.
"""
