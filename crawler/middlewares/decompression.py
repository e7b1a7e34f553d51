"""Content decoding bounded by ``DOWNLOAD_MAXSIZE``, streamed, for stacked encodings too.

Replaces Scrapy's ``HttpCompressionMiddleware`` (same order, same ``Accept-Encoding``): a
response still encoded when it gets here (the wire archive middleware normally decodes it
already) is decoded by :func:`crawler.fetch.content_encoding.decode_content` with the size
limit applied to the decoded size of every layer; over it the request is dropped as
``too_large``. Settings: ``DOWNLOAD_MAXSIZE`` (per request: ``download_maxsize`` meta).
"""

from __future__ import annotations

from scrapy import Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.fetch.content_encoding import DecodedTooLarge, decode_content


class BoundedHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's middleware with our streamed, cumulatively bounded decoder."""

    def _handle_encoding(self, body: bytes, content_encoding: list[bytes], max_size: int
                         ) -> tuple[bytes, list[bytes]]:
        header = ", ".join(c.decode("latin-1") for c in content_encoding)
        return decode_content(body, header, max_size), []

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except DecodedTooLarge as exc:
            raise IgnoreRequest(f"too large: {exc}") from exc
