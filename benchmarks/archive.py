"""Archive backends: the same crawl into a folder and into an S3-compatible store, same run.

Run: ``.venv/bin/python benchmarks/archive.py [--scale N] [--out FILE.json]``.
One :class:`~crawler.testbed.sample_portal.SamplePortal` (threads in this process) serves two
crawls, each ``govreports crawl --local`` in a child process with its own database:

1. ``--archive DIR`` (the baseline: the folder backend);
2. ``--archive s3://bucket/prefix`` against moto's S3 server on 127.0.0.1 (a real HTTP S3
   endpoint in this process; its speed is not AWS's or MinIO's: the figure is the overhead of
   our S3 path, requests and uploads, not of a production store).

Printed per crawl: wall seconds (start-up included), pages fetched (from the summary), blobs
and WARC files stored and their bytes; then the s3/folder time ratio, and whether both
archives hold the same report documents (digests; pages differ a little between two crawls of
the sample portal, whose pages carry per-visit details). Two crawls of a shared machine: the
ratio is noisy, run it more than once before reading much into it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.testbed.sample_portal import SamplePortal  # noqa: E402

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
               "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass
class ArchiveFigures:
    """One crawl and what it stored."""

    backend: str
    seconds: float
    pages: int
    blobs: int
    blob_bytes: int
    warc_files: int
    warc_bytes: int


def _crawl(portal: SamplePortal, work: Path, archive: str, env: dict[str, str]) -> tuple[float, int]:
    command = [sys.executable, "-m", "crawler.cli.main", "crawl", *portal.seed_urls,
               "--db", f"sqlite:///{work / 'archive.db'}", "--archive", archive,
               "--local", "--timeout", "10", "--ca-file", str(portal.certificate_path),
               "--today", "2025-06-01", "--max-pages-per-host", "100000",
               *portal.resolve_args()]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT,
                          env={**os.environ, **env})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"crawl into {archive} failed ({done.returncode}):\n{done.stdout}\n"
                         f"{done.stderr[-3000:]}")
    match = re.search(r"pages fetched:\s*(\d+)", done.stdout)
    return seconds, int(match.group(1)) if match else -1


def _folder_objects(root: Path, sub: str) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (root / sub).rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def _bucket_objects(client: object, bucket: str, prefix: str) -> dict[str, int]:
    pages = client.get_paginator("list_objects_v2").paginate(  # type: ignore[attr-defined]
        Bucket=bucket, Prefix=prefix)
    return {item["Key"].rsplit("/", 1)[-1]: int(item["Size"])
            for page in pages for item in page.get("Contents", [])}


def _report_digests(work: Path) -> set[str]:
    connection = sqlite3.connect(work / "archive.db")
    try:
        return {row[0] for row in connection.execute("SELECT sha256 FROM report_documents")}
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2, help="sample portal scale (default 2)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    import boto3
    from moto.server import ThreadedMotoServer

    os.environ.update(CREDENTIALS)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request lines
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint)
    bucket = f"bench-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    figures: list[ArchiveFigures] = []
    try:
        with tempfile.TemporaryDirectory(prefix="govreports-bench-archive-") as tmp, \
                SamplePortal(seed=0, scale=args.scale) as portal:
            folder_work, s3_work = Path(tmp) / "folder", Path(tmp) / "s3"
            folder_work.mkdir()
            s3_work.mkdir()
            seconds, pages = _crawl(portal, folder_work, str(folder_work / "archive"), {})
            blobs = _folder_objects(folder_work / "archive", "blobs")
            warcs = _folder_objects(folder_work / "archive", "warc")
            figures.append(ArchiveFigures("folder", seconds, pages, len(blobs),
                                          sum(blobs.values()), len(warcs), sum(warcs.values())))
            env = {"GOVREPORTS_S3_ENDPOINT_URL": endpoint,
                   "GOVREPORTS_ARCHIVE_WORKDIR": str(s3_work / "work"),
                   "NO_PROXY": "127.0.0.1,localhost"}
            seconds, pages = _crawl(portal, s3_work, f"s3://{bucket}/bench", env)
            s3_blobs = _bucket_objects(client, bucket, "bench/blobs/")
            s3_warcs = _bucket_objects(client, bucket, "bench/warc/")
            figures.append(ArchiveFigures("s3 (moto)", seconds, pages, len(s3_blobs),
                                          sum(s3_blobs.values()), len(s3_warcs),
                                          sum(s3_warcs.values())))
            folder_reports, s3_reports = _report_digests(folder_work), _report_digests(s3_work)
            same = bool(folder_reports) and folder_reports == s3_reports
            reports = len(folder_reports)
    finally:
        server.stop()
    print(f"{'backend':<10} {'seconds':>8} {'pages':>6} {'blobs':>6} {'blob MB':>8} "
          f"{'WARCs':>6} {'WARC MB':>8}")
    for f in figures:
        print(f"{f.backend:<10} {f.seconds:8.1f} {f.pages:6d} {f.blobs:6d} "
              f"{f.blob_bytes / 1e6:8.2f} {f.warc_files:6d} {f.warc_bytes / 1e6:8.2f}")
    ratio = figures[1].seconds / figures[0].seconds
    print(f"s3/folder wall time: {ratio:.2f}x; same {reports} report documents in both: {same}")
    if args.out:
        args.out.write_text(json.dumps({"figures": [asdict(f) for f in figures],
                                        "ratio": ratio, "same_report_documents": same}, indent=2))


if __name__ == "__main__":
    main()
