"""The read-only web app and JSON API over the archive (``govreports serve``).

Modules:

* ``apidocs``: The API docs page (``/api``): the OpenAPI document as a plain HTML page, no script.
* ``api``: The JSON API under ``/api/v1``: everything the pages show, paginated, also as CSV.
* ``app``: The FastAPI application: pages, the JSON API, the Atom feed and the originals, read-only.
* ``cells``: Table cells in the official template's order, with printed labels and units.
* ``context``: What every request handler needs: the read-only database, the queries, the archive.
* ``csvout``: CSV downloads of lists: UTF-8 with a byte-order mark (Excel reads Chinese), streamed.
* ``documents``: Serving an archived original: its bytes, its type, and headers that keep it
  harmless.
* ``etag``: ETags on the JSON API: a digest of the body, and ``304 Not Modified`` on
  ``If-None-Match``.
* ``filters``: Filters of the report list, read from a query string the same way by pages and the
  API.
* ``layout``: A parsed record laid out like the official template: sections 二, 三 and 四 as grids.
* ``links``: Absolute links in JSON answers: our paths prefixed with the request's base URL.
* ``original_cells``: A value's place in its original: the table of an HTML or DOCX document that holds it, with
  the value's cell marked.
* ``pages``: The HTML pages: server-rendered, no JavaScript, everything crawled escaped by Jinja.
* ``params``: Unknown query parameters are an error on the API: 400 naming them and the allowed
  ones.
* ``queries``: The read queries behind every page and API call; lists are filtered and paginated in
  SQL.
* ``schemas``: Response models of the JSON API (they make the OpenAPI document precise).
* ``head``: ``HEAD`` on every route: answer as ``GET`` would, headers only (RFC 9110, section 9.3.2).
"""

from __future__ import annotations
