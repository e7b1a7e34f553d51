"""A crawl's start-up does not import what only other commands use (issue 9: peak memory).

Checked in a fresh interpreter, which imports what ``govreports crawl`` imports before its
reactor starts: the CLI, the run, the spider, and every extension, middleware and pipeline
Scrapy would load from the project settings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Packages a crawl never needs: exports (frictionless), a terminal bar (rich), the disabled
#: remote-control endpoint (aiohttp), migrations (alembic: imported when one runs, not before).
NOT_FOR_A_CRAWL = ("frictionless", "pydantic", "rich", "aiohttp", "alembic", "pandas", "pyarrow", "openpyxl")

_PROBE = """
import json, sys
import crawler.cli.main
from crawler.run.runner import run_crawl
from scrapy.utils.misc import load_object
from scrapy.utils.conf import build_component_list
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
for name in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES"):
    for path in build_component_list(settings.get_component_priority_dict_with_base(name)):
        load_object(path)
load_object(settings["SCHEDULER"])
from spiders.portal import PortalSpider
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_crawl_start_up_imports_no_export_terminal_or_migration_packages() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    loaded = set(json.loads(out.strip().splitlines()[-1]))
    assert {"scrapy", "sqlalchemy", "crawler"} <= loaded  # the probe did load the crawl
    assert sorted(loaded & set(NOT_FOR_A_CRAWL)) == []
