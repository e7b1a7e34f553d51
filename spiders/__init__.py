"""Scrapy spiders of govreports (``scrapy crawl portal -a seeds=URL[,URL…]``).

Modules:

* ``portal``: The portal spider: walk government portals and find their annual reports.
"""
