"""Item pipelines of govreports.

Modules:

* ``archive``: Link every report found to the documents that carry it, and parse them.
"""
