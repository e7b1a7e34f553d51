"""Make the committed .doc fixtures: ``python -m crawler.testbed.reportgen.make_doc_fixtures [OUTDIR]``.

Each fixture ``NAME.doc`` comes with ``NAME.json``: the generator arguments that rebuild
the report (so tests can check the fixture is still in step with the generator) and its
``expected_record``. Needs LibreOffice (``soffice``).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

from crawler.testbed.reportgen.doc import render_doc
from crawler.testbed.reportgen.generate import random_report

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "reportgen"

#: name -> (rng seed, keyword arguments of random_report)
FIXTURES: dict[str, tuple[int, dict[str, Any]]] = {
    "report_2019_consistent": (101, {"template": "2019"}),
    "report_2019_blanks": (102, {"template": "2019", "blank_probability": 0.25}),
    "report_2021_consistent": (103, {"template": "2021"}),
    "report_2021_blanks": (104, {"template": "2021", "blank_probability": 0.25}),
    "report_2021_inconsistent": (105, {"template": "2021", "consistent": False}),
}


def make_fixtures(out_dir: Path = DEFAULT_DIR) -> list[Path]:
    """Write every fixture's .doc and .json into ``out_dir``; returns the .doc paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (seed, kwargs) in FIXTURES.items():
        report = random_report(random.Random(seed), **kwargs)
        doc_path = out_dir / f"{name}.doc"
        doc_path.write_bytes(render_doc(report))
        meta = {"seed": seed, "kwargs": kwargs, "expected_record": report.expected_record()}
        (out_dir / f"{name}.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        written.append(doc_path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else DEFAULT_DIR
    for path in make_fixtures(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
