"""Leftovers of killed crawls (blob temp files, remote-control job files) are swept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from scrapy.settings import Settings

from crawler.extensions.leftovers import sweep_job_files
from storage.blobs import LocalBlobStore


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_blob_temp_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    kept = store.put(b"kept").path
    folder = kept.parent
    dead = folder / f".tmp-{_dead_pid()}-abc123"
    live = folder / f".tmp-{os.getpid()}-def456"
    old = folder / ".tmp-zz9xq"
    fresh = folder / ".tmp-yy8wp"
    for path in (dead, live, old, fresh):
        path.write_bytes(b"partial")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert store.sweep_temporary() == 2
    assert not dead.exists() and not old.exists()
    assert live.exists() and fresh.exists() and kept.exists()


def test_job_files_of_dead_portal_crawls_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "jobs"
    folder.mkdir()
    dead, mine, other = _dead_pid(), os.getpid(), _dead_pid()
    (folder / "a.json").write_text(json.dumps({"pid": dead, "spider": "portal", "token": "t"}))
    (folder / "b.json").write_text(json.dumps({"pid": mine, "spider": "portal", "token": "t"}))
    (folder / "c.json").write_text(json.dumps({"pid": other, "spider": "someone-else"}))
    (folder / "d.json").write_text("not json")
    removed = sweep_job_files(Settings({"REMOTE_CONTROL_JOBS_DIR": str(folder)}))
    assert removed == 1
    assert sorted(p.name for p in folder.iterdir()) == ["b.json", "c.json", "d.json"]


def test_remote_control_and_telnet_are_off() -> None:
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    # not even imported: left out of the base list (a None in EXTENSIONS is still imported)
    extensions = settings.get_component_priority_dict_with_base("EXTENSIONS")
    assert "scrapy.extensions.telnet.TelnetConsole" not in extensions
    assert "scrapy.extensions.remote_control.RemoteControl" not in extensions
    assert "crawler.extensions.run_owner.RunOwner" in extensions
    assert "scrapy.extensions.corestats.CoreStats" in extensions  # Scrapy's others are kept
    # and the resolver that refuses non-public answers is the one Scrapy installs
    assert settings.get("TWISTED_DNS_RESOLVER") == "crawler.fetch.addresses.PublicAddressResolver"
