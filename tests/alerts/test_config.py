"""Alert settings: file, environment overrides, defaults and clear errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.alerts.config import AlertConfigError, AlertSettings, load_settings

FILE = """
[alerts]
backoff_base = 30

[alerts.webhook]
url = "https://file.example/hook"
secret = "from-file"

[alerts.email]
host = "smtp.example.org"
from = "govreports@example.org"
to = ["a@example.org", "b@example.org"]

[alerts.atom]
path = "feeds/alerts.atom"
max_entries = 20

[alerts.deadlines]
department = "02-15"
"""


def write(tmp_path: Path, text: str, name: str = "govreports.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_or_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.channels() == []
    assert settings.source is None
    assert settings.deadline("department", 2025) == date(2026, 1, 31)
    assert settings.deadline("government", 2025) == date(2026, 3, 31)


def test_file_then_environment_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, FILE)
    settings = load_settings(path, environ={
        "GOVREPORTS_WEBHOOK_URL": "http://127.0.0.1:9/env",
        "GOVREPORTS_SMTP_TO": "x@example.org, y@example.org",
        "GOVREPORTS_SMTP_STARTTLS": "yes",
        "GOVREPORTS_SMTP_PASSWORD": " spaced secret ",
        "GOVREPORTS_SMTP_USER": "mailer",
        "GOVREPORTS_DEADLINE_GOVERNMENT": "04-01",
    })
    assert settings.source == path
    assert settings.webhook_url == "http://127.0.0.1:9/env"
    assert settings.webhook_secret == "from-file"
    assert settings.smtp_to == ["x@example.org", "y@example.org"]
    assert settings.smtp_starttls is True and settings.port == 587
    assert settings.smtp_password == " spaced secret "
    assert settings.atom_path == Path("feeds/alerts.atom") and settings.atom_max_entries == 20
    assert settings.backoff_base == 30
    assert settings.channels() == ["webhook", "email"]
    assert settings.deadline("department", 2025) == date(2026, 2, 15)
    assert settings.deadline("government", 2025) == date(2026, 4, 1)


def test_config_location_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, '[alerts.webhook]\nurl = "http://cwd.example/h"\n')
    other = write(tmp_path, '[alerts.webhook]\nurl = "http://env.example/h"\n', "other.toml")
    assert load_settings(environ={}).webhook_url == "http://cwd.example/h"
    assert load_settings(environ={"GOVREPORTS_CONFIG": str(other)}).webhook_url == "http://env.example/h"
    explicit = write(tmp_path, "", "empty.toml")
    assert load_settings(explicit, environ={"GOVREPORTS_CONFIG": str(other)}).webhook_url is None


@pytest.mark.parametrize(("env", "needle"), [
    ({"GOVREPORTS_SMTP_PORT": "smtp"}, "GOVREPORTS_SMTP_PORT: port 'smtp' is not a number"),
    ({"GOVREPORTS_SMTP_PORT": "70000"}, "between 1 and 65535"),
    ({"GOVREPORTS_SMTP_STARTTLS": "maybe"}, "GOVREPORTS_SMTP_STARTTLS: 'maybe' is not a yes/no value"),
    ({"GOVREPORTS_DEADLINE_DEPARTMENT": "1-31"}, "is not MM-DD; use e.g. 01-31"),
    ({"GOVREPORTS_DEADLINE_GOVERNMENT": "02-29"}, "not a date that exists every year"),
    ({"GOVREPORTS_DEADLINE_GOVERNMENT": "13-01"}, "not a date that exists every year"),
    ({"GOVREPORTS_WEBHOOK_URL": "ftp://example.org/x"}, "is not an http(s) URL"),
    ({"GOVREPORTS_SMTP_HOST": "smtp.example.org", "GOVREPORTS_SMTP_FROM": "g@example.org"},
     "need recipients: set GOVREPORTS_SMTP_TO"),
    ({"GOVREPORTS_SMTP_HOST": "smtp.example.org", "GOVREPORTS_SMTP_TO": "a@example.org"},
     "need a sender: set GOVREPORTS_SMTP_FROM"),
    ({"GOVREPORTS_SMTP_HOST": "h", "GOVREPORTS_SMTP_FROM": "g@example.org",
      "GOVREPORTS_SMTP_TO": "not-an-address"}, "'not-an-address' is not an email address"),
    ({"GOVREPORTS_SMTP_TO": "a@example.org"}, "no SMTP server: set GOVREPORTS_SMTP_HOST"),
    ({"GOVREPORTS_CONFIG": "/nonexistent/govreports.toml"}, "(from $GOVREPORTS_CONFIG) does not exist"),
])
def test_bad_environment_values_say_what_and_how(env: dict[str, str], needle: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AlertConfigError) as info:
        load_settings(environ=env)
    assert needle in str(info.value)


@pytest.mark.parametrize(("text", "needle"), [
    ('[alerts.webhook]\nulr = "http://x/"\n', "unknown setting 'ulr' in [alerts.webhook]; known: url"),
    ('[alerts.sms]\nto = "1"\n', "unknown table [alerts.sms]"),
    ("[alerts.email]\nport = true\n", "between 1 and 65535"),
    ('[alerts.atom]\nmax_entries = 0\n', "must be greater than 0"),
    ('[alerts.webhook\nurl = "x"\n', "is not valid TOML"),
    ("[alerts]\nbackoff_base = 100\nbackoff_max = 10\n", "backoff_max must be at least backoff_base"),
])
def test_bad_file_values_name_the_setting(text: str, needle: str, tmp_path: Path) -> None:
    with pytest.raises(AlertConfigError) as info:
        load_settings(write(tmp_path, text), environ={})
    assert needle in str(info.value)


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(AlertConfigError, match=r"\(from --config\) does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_channels_follow_what_is_configured() -> None:
    assert AlertSettings(webhook_url="http://h/").channels() == ["webhook"]
    assert AlertSettings(smtp_host="h", smtp_from="a@b.c", smtp_to=["d@e.f"]).channels() == ["email"]
    assert AlertSettings(smtp_host="h").port == 25
