"""Scrapy spiders of govreports (``scrapy crawl portal -a seeds=URL[,URL…]``)."""
