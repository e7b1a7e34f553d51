"""The frontier's request serialisation: same dict as Scrapy's, without evaluating the spider."""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.utils.request import request_from_dict

from crawler.frontier.base import request_dict


class CountingSpider(scrapy.Spider):
    """A spider whose property counts how often it is read (Scrapy's getmembers reads it)."""

    name = "counting"
    reads = 0

    @property
    def expensive(self) -> int:
        CountingSpider.reads += 1
        return 1

    def parse_page(self, response: Any) -> None:
        return None

    def on_error(self, failure: Any) -> None:
        return None


def test_a_spider_method_is_named_without_reading_the_spiders_properties() -> None:
    spider = CountingSpider()
    request = scrapy.Request("http://a.gov.cn/x", callback=spider.parse_page,
                             errback=spider.on_error, priority=7, meta={"k": "v"})
    CountingSpider.reads = 0
    data = request_dict(request, spider)
    assert CountingSpider.reads == 0
    assert data == request.to_dict(spider=spider)  # Scrapy's own form, property reads and all
    assert CountingSpider.reads > 0
    back = request_from_dict(data, spider=spider)
    assert back.callback == spider.parse_page and back.errback == spider.on_error
    assert (back.url, back.priority, back.meta) == (request.url, 7, {"k": "v"})


def test_requests_without_a_spider_method_go_through_scrapy() -> None:
    spider = CountingSpider()
    plain = scrapy.Request("http://a.gov.cn/y")
    assert request_dict(plain, spider) == plain.to_dict(spider=spider)
    form = scrapy.FormRequest("http://a.gov.cn/s", formdata={"q": "年报"}, callback=spider.parse_page)
    data = request_dict(form, spider)
    assert data == form.to_dict(spider=spider)
    assert type(request_from_dict(data, spider=spider)) is scrapy.FormRequest
