"""Where configuration comes in from outside: the environment and the settings file, read here only.

Defaults live in :mod:`crawler.settings`; this module reads what overrides them:

* ``GOVREPORTS_DB`` and ``GOVREPORTS_ARCHIVE``: the archive (:func:`default_db_url`,
  :func:`default_archive_dir`), else ``./govreports-data/``; an ``s3://bucket/prefix`` archive
  (:func:`archive_target`) keeps its local files in ``GOVREPORTS_ARCHIVE_WORKDIR`` and reaches
  the store at ``GOVREPORTS_S3_ENDPOINT_URL`` (:func:`s3_endpoint_url`; credentials: the
  standard ``AWS_*`` variables, read by boto3 itself);
* ``GOVREPORTS_TODAY``: the day deadlines are judged on (:func:`today_override`);
* ``GOVREPORTS_CONFIG``: the settings file (:func:`config_path`), else ``./govreports.toml``
  when it exists, read by :func:`read_config_file`;
* any other ``GOVREPORTS_*`` variable through :func:`env_value` (the alert channels' variables
  are listed in :mod:`crawler.alerts.config`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from crawler.errors import ConfigError
from crawler.settings import GOVREPORTS_CONFIG_FILE, GOVREPORTS_DATA_DIR

CONFIG_ENV = "GOVREPORTS_CONFIG"
DB_ENV = "GOVREPORTS_DB"
ARCHIVE_ENV = "GOVREPORTS_ARCHIVE"
ARCHIVE_WORKDIR_ENV = "GOVREPORTS_ARCHIVE_WORKDIR"
S3_ENDPOINT_ENV = "GOVREPORTS_S3_ENDPOINT_URL"
TODAY_ENV = "GOVREPORTS_TODAY"


def environment(environ: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """``environ`` when given (tests), else the process environment."""
    return os.environ if environ is None else environ


def env_value(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The variable's value, or None when it is unset or blank."""
    value = environment(environ).get(name, "")
    return value if value.strip() else None


def data_dir() -> Path:
    """Where the archive goes by default: ``./govreports-data``."""
    return Path.cwd() / GOVREPORTS_DATA_DIR


def default_db_url(environ: Mapping[str, str] | None = None) -> str:
    """``$GOVREPORTS_DB``, else SQLite in ``./govreports-data/govreports.db``."""
    return env_value(DB_ENV, environ) or f"sqlite:///{data_dir() / 'govreports.db'}"


def default_archive_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$GOVREPORTS_ARCHIVE``, else ``./govreports-data/archive`` (for an ``s3://`` archive:
    its local working folder, see :func:`archive_target`)."""
    return archive_target(None, environ).local_dir


@dataclass(frozen=True)
class ArchiveTarget:
    """Where an archive is: its local folder, and the object store holding blobs and WARC files."""

    #: The archive folder; for an object-store archive, the local working folder (logs, job
    #: state, WARC files being written).
    local_dir: Path
    #: ``s3://bucket/prefix``, or None when the folder holds the blobs and WARC files.
    store_url: str | None = None


def archive_target(value: str | Path | None, environ: Mapping[str, str] | None = None
                   ) -> ArchiveTarget:
    """What ``--archive VALUE`` (else ``$GOVREPORTS_ARCHIVE``) names: a folder, or an
    ``s3://bucket/prefix`` whose local working folder is ``$GOVREPORTS_ARCHIVE_WORKDIR``, else
    ``./govreports-data/archive-work``."""
    configured = str(value) if value else env_value(ARCHIVE_ENV, environ)
    if not configured:
        return ArchiveTarget(data_dir() / "archive")
    if configured.lower().startswith("s3://"):
        workdir = env_value(ARCHIVE_WORKDIR_ENV, environ)
        return ArchiveTarget(Path(workdir) if workdir else data_dir() / "archive-work",
                             configured.strip())
    return ArchiveTarget(Path(configured))


def s3_endpoint_url(environ: Mapping[str, str] | None = None) -> str | None:
    """``$GOVREPORTS_S3_ENDPOINT_URL`` (MinIO, Ceph…), else None: the AWS endpoint."""
    return env_value(S3_ENDPOINT_ENV, environ)


def today_override(environ: Mapping[str, str] | None = None) -> date | None:
    """``$GOVREPORTS_TODAY`` as a date, None when unset; :class:`ConfigError` when malformed."""
    configured = env_value(TODAY_ENV, environ)
    if configured is None:
        return None
    try:
        return date.fromisoformat(configured.strip())
    except ValueError as exc:
        raise ConfigError(f"{TODAY_ENV}={configured!r} is not a date (YYYY-MM-DD)") from exc


def config_path(explicit: str | Path | None = None, environ: Mapping[str, str] | None = None, *,
                error: type[ConfigError] = ConfigError) -> Path | None:
    """The settings file to read: ``explicit``, ``$GOVREPORTS_CONFIG``, ``./govreports.toml``, or None.

    A file named explicitly or by the variable must exist (else ``error``).
    """
    env = environment(environ)
    if explicit is not None:
        path, origin = Path(explicit), "--config"
    elif env.get(CONFIG_ENV):
        path, origin = Path(env[CONFIG_ENV]), f"${CONFIG_ENV}"
    else:
        default = Path.cwd() / GOVREPORTS_CONFIG_FILE
        return default if default.is_file() else None
    if not path.is_file():
        raise error(f"settings file {str(path)!r} (from {origin}) does not exist; "
                    "create it or point to the right file")
    return path


def read_config_file(path: Path, *, error: type[ConfigError] = ConfigError) -> dict[str, Any]:
    """The settings file's tables; ``error`` when it is not valid TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"settings file {str(path)!r} is not valid TOML: {exc}") from exc
