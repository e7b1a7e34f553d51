"""``govreports parse FILE [--json]``: register :data:`parse_command` in the main CLI group."""

from __future__ import annotations

import json
import sys

import click

from crawler.parsing.api import parse_file


@click.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Seconds allowed for one document.")
@click.option("--ocr-page-seconds", type=click.FloatRange(min=0), default=None,
              help="Seconds more per page for a scanned PDF read by OCR "
                   "(default $GOVREPORTS_OCR_PAGE_SECONDS or 60).")
def parse_command(file: str, as_json: bool, timeout: float, ocr_page_seconds: float | None) -> None:
    """Parse one annual report (html, pdf, docx, doc, wps, txt) into the standard tables."""
    from crawler.parsing.summary import format_summary

    outcome = parse_file(file, timeout=timeout, ocr_page_seconds=ocr_page_seconds)
    if as_json:
        payload = outcome.record if outcome.record is not None else {
            "status": outcome.status, "message": outcome.message}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(format_summary(outcome))
    if outcome.status != "ok":
        sys.exit(1)
