"""A crawl killed (SIGKILL) while delivering its alerts, then run again, loses no alert and
sends none twice, except the one in flight at the kill, resent with the same Idempotency-Key
so the receiver applies it once."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.testbed.sample_portal import SamplePortal
from storage.models import AlertDelivery, AlertEvent
from tests.alerts.helpers import WebhookReceiver
from tests.crawl_helpers import GOVREPORTS, CrawlDirs

pytestmark = pytest.mark.slow
SECRET = "s3cret"
HELD = 4  # the receiver holds the 4th POST until the crawl is killed


def _outbox(db_url: str) -> tuple[list[str], list[str]]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        keys = list(session.scalars(select(AlertEvent.key).order_by(AlertEvent.id)))
        states = list(session.scalars(select(AlertDelivery.state)))
    engine.dispose()
    return keys, states


def test_sigkill_while_delivering_then_restart_delivers_each_alert_once(tmp_path: Path) -> None:
    dirs = CrawlDirs(tmp_path)
    with SamplePortal() as portal, WebhookReceiver(secret=SECRET, hold_on=HELD) as receiver:
        command = [*GOVREPORTS, "crawl", *portal.seed_urls, "--db", dirs.db_url,
                   "--archive", str(dirs.archive), "--local", "--timeout", "10",
                   "--ca-file", str(portal.certificate_path), "--today", "2025-06-01",
                   *portal.resolve_args()]
        settings_file = tmp_path / "govreports.toml"  # empty: channels come from the environment
        settings_file.write_text("")
        env = dict(os.environ, GOVREPORTS_WEBHOOK_URL=receiver.url,
                   GOVREPORTS_WEBHOOK_SECRET=SECRET, GOVREPORTS_CONFIG=str(settings_file))
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT)
        try:
            if not receiver.holding.wait(180):
                first.kill()
                output = first.communicate(timeout=30)[0].decode(errors="replace")
                raise AssertionError(f"the crawl never delivered its 4th alert:\n{output[-3000:]}")
            first.kill()  # SIGKILL while the 4th POST is in flight
            first.wait(30)
        finally:
            if first.poll() is None:
                first.kill()
            receiver.release.set()
        keys_after_kill, states = _outbox(dirs.db_url)
        assert len(keys_after_kill) > HELD
        assert states.count("delivered") == HELD - 1  # the first three, committed one by one

        second = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert second.returncode == 0, second.stdout + second.stderr

    keys, states = _outbox(dirs.db_url)
    assert keys == keys_after_kill  # the unchanged re-crawl found nothing new
    assert set(states) == {"delivered"}
    received = Counter(receiver.keys())
    assert set(received) == set(keys)  # every alert arrived
    resent = {key for key, count in received.items() if count > 1}
    assert resent == {receiver.keys()[HELD - 1]}  # only the one in flight, once more
    assert received[receiver.keys()[HELD - 1]] == 2
    assert all(r.signature_ok for r in receiver.requests)
    # a receiver that applies each Idempotency-Key once applies each alert exactly once
    applied = list(dict.fromkeys(receiver.keys()))
    assert sorted(applied) == sorted(keys)
