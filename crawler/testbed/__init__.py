"""Test beds: sample portal, report generator, synthetic archive (tests and demo only).

Modules:

* ``reportgen/``: Synthetic 政府信息公开工作年度报告 in both official templates, and their renderers.
* ``sample_portal/``: A local sample portal: simulated government sites (TRS, Hanweb, plain, HTTPS)
  and their reports.
* ``synthetic_archive``: A realistic synthetic archive, fast: for exports, the web app and
  benchmarks.
"""
