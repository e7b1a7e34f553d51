"""Web app latency on a large generated archive: p50/p95 of the main pages and API calls.

Run: ``.venv/bin/python benchmarks/serve.py [--reports N | --quick] [--requests N] [--out FILE.json]``.

1. :func:`crawler.testbed.synthetic_archive.build_synthetic_archive` writes ``--reports`` reports
   (default 5,000) into a temporary SQLite archive (``--keep`` keeps it, ``--root`` reuses one).
2. ``govreports serve`` runs in a child process on 127.0.0.1; each URL is fetched once to warm
   up (the first filtered list loads the parse-summary cache: its time is printed), then
   ``--requests`` times in a row over one keep-alive connection.
3. Baselines measured in the same run: ``/healthz`` over the same connection (HTTP, framework
   and client overhead, no database) and the raw SQL behind the first page of the list run
   in this process with :mod:`sqlite3` (count, page of ids, their rows). Ratios are to both.
4. Throughput: 4 client threads on ``/reports`` for a few seconds; the server's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.testbed.synthetic_archive import build_synthetic_archive  # noqa: E402

DEFAULT_REPORTS = 5000
QUICK_REPORTS = 1000


@dataclass
class Timing:
    """Latencies of one URL, in milliseconds."""

    name: str
    url: str
    n: int
    p50: float
    p95: float
    max: float
    bytes: int
    ratio_healthz: float = 0.0
    ratio_sql: float = 0.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _time(client: httpx.Client, name: str, url: str, n: int) -> Timing:
    samples, size = [], 0
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
        size = len(response.content)
    return Timing(name, url, n, statistics.median(samples), _percentile(samples, 0.95),
                  max(samples), size)


def _raw_sql(db_file: Path, n: int) -> Timing:
    """The SQL behind the first page of /reports, without the app: count, ids, rows."""
    connection = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        connection.execute("SELECT count(*) FROM reports").fetchone()
        ids = [r[0] for r in connection.execute(
            "SELECT id FROM reports ORDER BY year DESC, agency, id LIMIT 50")]
        connection.execute(
            "SELECT r.id, r.agency, r.year, r.title, r.published_on, r.status, r.first_seen_at,"
            " r.last_seen_at, r.removed_at, v.number, p.id FROM reports r"
            " LEFT JOIN report_versions v ON v.id = r.current_version_id"
            " LEFT JOIN parse_results p ON p.sha256 = v.sha256 AND p.parser_version = v.parser_version"
            f" WHERE r.id IN ({','.join('?' * len(ids))})", ids).fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return Timing("raw SQL of the list page", "sqlite3", n, statistics.median(samples),
                  _percentile(samples, 0.95), max(samples), 0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db_url: str, archive: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli.main", "serve", "--db", db_url, "--archive",
             str(archive), "--port", str(port), "--log-level", "warning"],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"govreports serve did not start:\n{log.read_text()}")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _throughput(base: str, url: str, threads: int = 4, seconds: float = 4.0) -> float:
    count = [0] * threads
    stop = time.monotonic() + seconds

    def work(i: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop:
                client.get(url).raise_for_status()
                count[i] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(count) / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=DEFAULT_REPORTS)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_REPORTS} reports, 15 requests")
    parser.add_argument("--requests", type=int, default=40, help="requests per URL")
    parser.add_argument("--root", type=Path, help="reuse (or create) the archive in this folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary archive")
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    args = parser.parse_args()
    reports = QUICK_REPORTS if args.quick else args.reports
    n = 15 if args.quick else args.requests
    root = args.root or Path(tempfile.mkdtemp(prefix="govreports-serve-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    db_file, archive = root / "archive.db", root / "archive"
    db_url = f"sqlite:///{db_file}"
    try:
        if db_file.exists():
            print(f"reusing the archive in {root}")
            built_seconds = 0.0
        else:
            started = time.perf_counter()
            build_synthetic_archive(db_url, archive, reports=reports, seed=0)
            built_seconds = time.perf_counter() - started
            print(f"generated {reports} reports in {built_seconds:.1f} s into {root}")
        with sqlite3.connect(db_file) as connection:
            total = connection.execute("SELECT count(*) FROM reports").fetchone()[0]
            agency, year = connection.execute(
                "SELECT agency, year FROM reports GROUP BY agency ORDER BY count(*) DESC LIMIT 1"
            ).fetchone()
            rid = connection.execute(
                "SELECT report_id FROM report_versions GROUP BY report_id HAVING count(*) > 1"
                " LIMIT 1").fetchone()[0]
        process, base = _serve(db_url, archive, root / "serve.log")
        try:
            figures = _measure(base, db_file, total, agency, year, rid, n)
            figures["generate_seconds"] = built_seconds
            figures["server_peak_rss_mb"] = _peak_rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)
        _print(figures)
        if args.out:
            args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    finally:
        if not args.keep and not args.root:
            shutil.rmtree(root, ignore_errors=True)


def _measure(base: str, db_file: Path, total: int, agency: str, year: int, rid: int,
             n: int) -> dict[str, object]:
    a = quote(agency, safe="")
    last_page = max(0, (total - 1) // 50 * 50)
    urls = [
        ("page: reports list", "/reports"),
        ("page: failed checks only", "/reports?failed=true"),
        ("page: agency + year filter", f"/reports?agency={quote(agency[-3:])}&year={year}"),
        ("page: region filter", f"/reports?region={quote('固原市')}"),
        ("page: last page of the list", f"/reports?offset={last_page}"),
        ("page: report", f"/reports/{rid}"),
        ("page: version diff", f"/reports/{rid}/diff/1/2"),
        ("page: agency", f"/agencies/{a}"),
        ("page: coverage", "/coverage"),
        ("page: alerts", "/alerts"),
        ("api: reports list", "/api/v1/reports"),
        ("api: filtered list", "/api/v1/reports?failed=true&template=2021&limit=100"),
        ("api: report detail", f"/api/v1/reports/{rid}"),
        ("api: captures", f"/api/v1/reports/{rid}/captures"),
        ("api: agency", f"/api/v1/agencies/{a}"),
        ("api: coverage", "/api/v1/coverage?limit=100"),
        ("atom feed", "/alerts.atom"),
    ]
    with httpx.Client(base_url=base, timeout=60) as client:
        started = time.perf_counter()
        client.get("/api/v1/reports?failed=true&limit=1").raise_for_status()
        cold_cache_ms = (time.perf_counter() - started) * 1000
        for _, url in urls:
            client.get(url).raise_for_status()
        healthz = _time(client, "baseline: /healthz", "/healthz", n)
        sql = _raw_sql(db_file, n)
        timings = [_time(client, name, url, n) for name, url in urls]
        csv_all = _time(client, f"api: CSV of all {total} reports", "/api/v1/reports?format=csv",
                        max(3, n // 8))
    for t in [*timings, csv_all]:
        t.ratio_healthz = t.p50 / healthz.p50
        t.ratio_sql = t.p50 / sql.p50
    throughput = _throughput(base, "/reports")
    return {"reports": total, "requests_per_url": n, "cold_summary_cache_ms": cold_cache_ms,
            "baselines": [asdict(healthz), asdict(sql)],
            "timings": [asdict(t) for t in [*timings, csv_all]],
            "reports_page_per_second_4_clients": throughput, "cpus": os.cpu_count()}


def _print(f: dict[str, object]) -> None:
    print(f"\n{f['reports']} reports, {f['requests_per_url']} requests per URL, "
          f"{f['cpus']} CPUs; first filtered list (cold summary cache): "
          f"{f['cold_summary_cache_ms']:.0f} ms")
    header = f"{'':34s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} {'KB':>7s} {'×healthz':>9s} {'×SQL':>6s}"
    print(header)
    print("-" * len(header))
    for row in [*f["baselines"], *f["timings"]]:  # type: ignore[misc]
        ratios = (f"{row['ratio_healthz']:9.1f} {row['ratio_sql']:6.1f}"
                  if row["ratio_healthz"] else f"{'':9s} {'':6s}")
        print(f"{row['name']:34s} {row['p50']:8.1f} {row['p95']:8.1f} {row['max']:8.1f} "
              f"{row['bytes'] / 1024:7.1f} {ratios}")
    print(f"\n/reports with 4 concurrent clients: {f['reports_page_per_second_4_clients']:.0f} pages/s;"
          f" server peak RSS {f['server_peak_rss_mb']:.0f} MB; archive generated in "
          f"{f['generate_seconds']:.1f} s")


if __name__ == "__main__":
    main()
