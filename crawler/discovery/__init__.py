"""Discovery: how the crawler finds the pages that lead to reports (URLs and scope, pages, list
paging, lists built by JavaScript, rendering, site search, link scores).

Modules:

* ``datalists``: Lists built by JavaScript: the data request found in a list page's scripts, its answer read.
* ``lists``: Adapters for list pages whose items are not plain links (the Hanweb jpage data proxy).
* ``pages``: Read what a government web page says about itself: title, date, agency, links, text.
* ``paging``: List paging, whatever its spelling: which URLs hold the other pages of a list page.
* ``rendering``: Pages whose list only a browser can see, rendered in headless Chromium.
* ``scope``: The crawl's scope: which URLs a crawl may fetch.
* ``scripts``: Read the simple facts list pages keep in their inline scripts.
* ``search``: Site search: a portal's own GET search, asked for reports no column lists.
* ``urls``: URL rules: canonical form, crawl scope, attachments and crawler traps.
* ``analysis``: Everything the spider asks of one HTML page, in one call it can run off the reactor.
"""
