"""Alert settings: the ``[alerts]`` tables of a TOML settings file, overridden by environment.

The file is ``--config PATH``, else ``$GOVREPORTS_CONFIG``, else ``./govreports.toml`` when it
exists (found and read by :mod:`crawler.config`). Environment variables (``GOVREPORTS_WEBHOOK_URL`` …) override the file. Bad values raise
:class:`AlertConfigError` saying what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler import settings as defaults
from crawler.config import config_path, environment, read_config_file
from crawler.errors import ConfigError
from storage.models import ALERT_TYPES, AlertEvent

if TYPE_CHECKING:
    from crawler.reports.changes import Deadlines

CHANNELS = ("webhook", "email")
DEADLINE_KINDS = ("department", "government")

#: TOML table -> {key: AlertSettings field}.
FILE_KEYS: dict[str, dict[str, str]] = {
    "alerts": {"retry_wait": "retry_wait", "backoff_base": "backoff_base",
               "backoff_max": "backoff_max", "base_url": "base_url",
               "digest_timezone": "digest_timezone", "digest_max_events": "digest_max_events"},
    "alerts.webhook": {"url": "webhook_url", "secret": "webhook_secret",
                       "timeout": "webhook_timeout", "digest": "webhook_digest",
                       "backlog": "webhook_backlog"},
    "alerts.email": {"host": "smtp_host", "port": "smtp_port", "user": "smtp_user",
                     "password": "smtp_password", "starttls": "smtp_starttls", "from": "smtp_from",
                     "to": "smtp_to", "timeout": "smtp_timeout", "digest": "email_digest",
                     "backlog": "email_backlog"},
    "alerts.atom": {"path": "atom_path", "max_entries": "atom_max_entries",
                    "self_url": "atom_self_url", "agency": "atom_agency", "region": "atom_region",
                    "type": "atom_type"},
    "alerts.deadlines": {"department": "deadline_department",
                         "government": "deadline_government"},
}
ENV_KEYS: dict[str, str] = {
    "GOVREPORTS_WEBHOOK_URL": "webhook_url",
    "GOVREPORTS_WEBHOOK_SECRET": "webhook_secret",
    "GOVREPORTS_WEBHOOK_DIGEST": "webhook_digest",
    "GOVREPORTS_WEBHOOK_BACKLOG": "webhook_backlog",
    "GOVREPORTS_SMTP_HOST": "smtp_host",
    "GOVREPORTS_SMTP_PORT": "smtp_port",
    "GOVREPORTS_SMTP_USER": "smtp_user",
    "GOVREPORTS_SMTP_PASSWORD": "smtp_password",
    "GOVREPORTS_SMTP_STARTTLS": "smtp_starttls",
    "GOVREPORTS_SMTP_FROM": "smtp_from",
    "GOVREPORTS_SMTP_TO": "smtp_to",
    "GOVREPORTS_SMTP_DIGEST": "email_digest",
    "GOVREPORTS_SMTP_BACKLOG": "email_backlog",
    "GOVREPORTS_ATOM_PATH": "atom_path",
    "GOVREPORTS_BASE_URL": "base_url",
    "GOVREPORTS_DIGEST_TIMEZONE": "digest_timezone",
    "GOVREPORTS_DEADLINE_DEPARTMENT": "deadline_department",
    "GOVREPORTS_DEADLINE_GOVERNMENT": "deadline_government",
}
#: How a channel sends: one message per event, or one per day / ISO week listing them all.
DIGESTS = ("immediate", "daily", "weekly")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


class AlertConfigError(ConfigError, ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""

    topic = "alert settings"


@dataclass
class AlertSettings:
    """Where alerts go (webhook, email, Atom file), how deliveries are retried, the deadlines."""

    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_timeout: float = defaults.ALERTS_WEBHOOK_TIMEOUT
    webhook_digest: str = defaults.ALERTS_DIGEST
    #: Also send the events recorded before the channel was added (opt-in).
    webhook_backlog: bool = False
    smtp_host: str | None = None
    #: None: 587 with STARTTLS, else 25.
    smtp_port: int | None = None
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_from: str | None = None
    smtp_to: list[str] = field(default_factory=list)
    smtp_timeout: float = defaults.ALERTS_SMTP_TIMEOUT
    email_digest: str = defaults.ALERTS_DIGEST
    email_backlog: bool = False
    atom_path: Path | None = None
    atom_max_entries: int = defaults.ALERTS_ATOM_MAX_ENTRIES
    #: The feed's public address (its rel="self" link), when it is served somewhere.
    atom_self_url: str | None = None
    #: Filters of the Atom file: agency name contains; agencies of a region; one event type.
    atom_agency: str | None = None
    atom_region: str | None = None
    atom_type: str | None = None
    #: Public address of ``govreports serve`` (no trailing slash): feed entries and messages
    #: link to the archived report page there.
    base_url: str | None = None
    #: Time zone whose calendar days and weeks delimit daily and weekly digests.
    digest_timezone: str = defaults.ALERTS_DIGEST_TIMEZONE
    #: At most this many events in one digest message (a longer digest is sent in parts).
    digest_max_events: int = defaults.ALERTS_DIGEST_MAX_EVENTS
    #: Seconds before the 2nd quick try inside one pass (then doubling).
    retry_wait: float = defaults.ALERTS_RETRY_WAIT
    #: Seconds until the next pass may retry a failed delivery (doubling per attempt, capped).
    backoff_base: float = defaults.ALERTS_BACKOFF_BASE
    backoff_max: float = defaults.ALERTS_BACKOFF_MAX
    #: (month, day) in the year after the report year.
    deadline_department: tuple[int, int] = defaults.DEADLINE_DEPARTMENT
    deadline_government: tuple[int, int] = defaults.DEADLINE_GOVERNMENT
    #: The settings file that was read, if any.
    source: Path | None = None

    def channels(self) -> list[str]:
        """The configured delivery channels, in a stable order (``webhook``, ``email``)."""
        found = []
        if self.webhook_url:
            found.append("webhook")
        if self.smtp_host:
            found.append("email")
        return found

    def digest(self, channel: str) -> str:
        """``immediate``, ``daily`` or ``weekly``: how ``channel`` groups its messages."""
        return {"webhook": self.webhook_digest, "email": self.email_digest}.get(channel, "immediate")

    def backlog(self, channel: str) -> bool:
        """Whether ``channel`` also gets the events recorded before it was added."""
        return {"webhook": self.webhook_backlog, "email": self.email_backlog}.get(channel, False)

    def archive_url(self, event: AlertEvent) -> str | None:
        """The event's page in the web app under :attr:`base_url` (None without a base URL).

        The archived report page, or for an event without a report (overdue) the agency's page.
        """
        return archive_url(self.base_url, event) if self.base_url else None

    @property
    def port(self) -> int:
        """The SMTP port to use: the configured one, else 587 with STARTTLS, else 25."""
        if self.smtp_port is not None:
            return self.smtp_port
        return 587 if self.smtp_starttls else 25

    def deadline(self, kind: str, report_year: int) -> date:
        """The legal deadline for the ``report_year`` report of a ``department`` or ``government``."""
        if kind not in DEADLINE_KINDS:
            raise ValueError(f"unknown deadline kind {kind!r}; expected one of {', '.join(DEADLINE_KINDS)}")
        return self.deadlines().for_kind(kind, report_year)

    def deadlines(self) -> Deadlines:
        """These deadlines as overdue detection and the web app judge them."""
        from crawler.reports.changes import Deadlines

        return Deadlines(department=self.deadline_department, government=self.deadline_government)

    def validate(self) -> AlertSettings:
        """Check that the configured channels are complete; return self."""
        if self.webhook_url:
            parts = urlsplit(self.webhook_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise AlertConfigError(
                    f"webhook URL {self.webhook_url!r} is not an http(s) URL with a host; set "
                    "GOVREPORTS_WEBHOOK_URL (or [alerts.webhook] url) to e.g. https://example.org/hook")
        if self.smtp_host:
            if not self.smtp_from:
                raise AlertConfigError(
                    "email alerts need a sender: set GOVREPORTS_SMTP_FROM (or [alerts.email] from)")
            if not self.smtp_to:
                raise AlertConfigError(
                    "email alerts need recipients: set GOVREPORTS_SMTP_TO to a comma-separated list "
                    "(or [alerts.email] to = [\"a@example.org\"])")
            for address in [self.smtp_from, *self.smtp_to]:
                if "@" not in parseaddr(address)[1]:
                    raise AlertConfigError(
                        f"{address!r} is not an email address; fix GOVREPORTS_SMTP_FROM / "
                        "GOVREPORTS_SMTP_TO (or [alerts.email] from / to)")
            if self.smtp_password and not self.smtp_user:
                raise AlertConfigError(
                    "an SMTP password without a user: set GOVREPORTS_SMTP_USER (or [alerts.email] user)")
        elif self.smtp_to or self.smtp_from:
            raise AlertConfigError(
                "email recipients are set but no SMTP server: set GOVREPORTS_SMTP_HOST "
                "(or [alerts.email] host)")
        if self.backoff_max < self.backoff_base:
            raise AlertConfigError("[alerts] backoff_max must be at least backoff_base")
        return self


def archive_url(base_url: str, event: AlertEvent) -> str:
    """The event's page in the web app at ``base_url`` (no trailing slash): the archived
    report page, or for an event without a report (overdue) the agency's page."""
    if event.report_id is not None:
        return f"{base_url}/reports/{event.report_id}"
    return f"{base_url}/agencies/{quote(event.agency, safe='')}"


def load_settings(config: str | Path | None = None, *,
                  environ: Mapping[str, str] | None = None) -> AlertSettings:
    """Read the settings file (see :func:`config_path`), apply the environment, validate."""
    env = environment(environ)
    path = config_path(config, env, error=AlertConfigError)
    values: dict[str, Any] = {}
    if path is not None:
        values.update(_read_file(path))
    for name, attr in ENV_KEYS.items():
        if env.get(name, "").strip():
            values[attr] = _convert(attr, env[name], name)
    return AlertSettings(**values, source=path).validate()


def _read_file(path: Path) -> dict[str, Any]:
    data = read_config_file(path, error=AlertConfigError)
    alerts = data.get("alerts", {})
    if not isinstance(alerts, dict):
        raise AlertConfigError(f"{path}: 'alerts' must be a table ([alerts])")
    values: dict[str, Any] = {}
    tables: dict[str, Any] = {"alerts": {k: v for k, v in alerts.items() if not isinstance(v, dict)}}
    tables.update({f"alerts.{k}": v for k, v in alerts.items() if isinstance(v, dict)})
    for table, entries in tables.items():
        known = FILE_KEYS.get(table)
        if known is None:
            raise AlertConfigError(f"{path}: unknown table [{table}]; known: "
                                   + ", ".join(f"[{t}]" for t in FILE_KEYS))
        for key, raw in entries.items():
            if key not in known:
                raise AlertConfigError(f"{path}: unknown setting {key!r} in [{table}]; "
                                       f"known: {', '.join(known)}")
            values[known[key]] = _convert(known[key], raw, f"[{table}] {key} in {path}")
    return values


def _convert(attr: str, raw: Any, where: str) -> Any:
    """Turn a file or environment value into the field's type; ``where`` names its origin."""
    converter = CONVERTERS.get(attr, _text)
    try:
        return converter(raw)
    except (ValueError, TypeError) as exc:
        raise AlertConfigError(f"{where}: {exc}") from exc


def _text(raw: Any) -> str | None:
    if not isinstance(raw, str):
        raise ValueError(f"expected a string, got {raw!r}")
    return raw.strip() or None


def _secret(raw: Any) -> str | None:
    """A password or secret: kept exactly as given (spaces are significant)."""
    if not isinstance(raw, str):
        raise ValueError(f"expected a string, got a {type(raw).__name__}")
    return raw or None


def _port(raw: Any) -> int:
    try:
        port = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"port {raw!r} is not a number; use e.g. 587") from None
    if isinstance(raw, bool) or not 1 <= port <= 65535:
        raise ValueError(f"port {raw!r} is not between 1 and 65535")
    return port


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{raw!r} is not a yes/no value; use true or false (also 1/0, yes/no, on/off)")


def _addresses(raw: Any) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError(f"expected a list of email addresses, got {raw!r}")
    return [item.strip() for item in items if item.strip()]


def _positive(kind: Callable[[Any], float]) -> Callable[[Any], float]:
    def convert(raw: Any) -> float:
        if isinstance(raw, bool):
            raise ValueError(f"expected a number, got {raw!r}")
        if kind is int and isinstance(raw, float) and not raw.is_integer():
            raise ValueError(f"{raw!r} is not a whole number")
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{raw!r} is not a number") from None
        if value <= 0:
            raise ValueError(f"{raw!r} must be greater than 0")
        return value
    return convert


def _path(raw: Any) -> Path:
    text = _text(raw)
    if text is None:
        raise ValueError("the path is empty")
    return Path(text).expanduser()


def _month_day(raw: Any) -> tuple[int, int]:
    """``MM-DD`` -> (month, day); must exist in every year (so not 02-29)."""
    text = str(raw).strip()
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"deadline {text!r} is not MM-DD; use e.g. 01-31")
    month, day = int(parts[0]), int(parts[1])
    try:
        date(2023, month, day)  # not a leap year: the date must exist every year
    except ValueError:
        raise ValueError(f"deadline {text!r} is not a date that exists every year") from None
    return month, day


def _digest(raw: Any) -> str:
    word = str(raw).strip().lower()
    if word not in DIGESTS:
        raise ValueError(f"digest {raw!r} is not one of {', '.join(DIGESTS)}")
    return word


def _base_url(raw: Any) -> str | None:
    text = _text(raw)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"base URL {text!r} is not an http(s) URL with a host (and no query); "
                         "use the address govreports serve is reached at, e.g. https://example.org/govreports")
    return text.rstrip("/")


def _timezone(raw: Any) -> str:
    text = str(raw).strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"time zone {text!r} is unknown; use an IANA name such as UTC or "
                         "Asia/Shanghai") from None
    return text


def _alert_type(raw: Any) -> str:
    text = str(raw).strip()
    if text not in ALERT_TYPES:
        raise ValueError(f"type {text!r} is not one of {', '.join(ALERT_TYPES)}")
    return text


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "webhook_digest": _digest,
    "email_digest": _digest,
    "webhook_backlog": _bool,
    "email_backlog": _bool,
    "base_url": _base_url,
    "digest_timezone": _timezone,
    "atom_type": _alert_type,
    "webhook_secret": _secret,
    "smtp_password": _secret,
    "webhook_timeout": _positive(float),
    "smtp_port": _port,
    "smtp_starttls": _bool,
    "smtp_to": _addresses,
    "smtp_timeout": _positive(float),
    "atom_path": _path,
    "atom_max_entries": _positive(int),
    "digest_max_events": _positive(int),
    "retry_wait": _positive(float),
    "backoff_base": _positive(float),
    "backoff_max": _positive(float),
    "deadline_department": _month_day,
    "deadline_government": _month_day,
}
