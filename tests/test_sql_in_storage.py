"""All SQL lives in ``storage/``: the crawler, the pipelines and the spiders build no queries.

Walks every module under ``crawler/``, ``pipelines/`` and ``spiders/`` with :mod:`ast` and fails,
naming file and line, when one imports a query construct from SQLAlchemy (``select``,
``insert``, ``func``, ``text``, ``sqlalchemy.orm`` helpers, …) or runs a statement itself
(``.execute(``, ``.query(``, ``.scalar(``, ``.scalars(`` on any object; ``get``, ``add``,
``delete``, ``flush``, … on a ``session``). Allowed: the types a
caller annotates with (``Session``, ``Engine``, ``Connection``, ``sessionmaker``) and the
exception classes of ``sqlalchemy.exc``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("crawler", "pipelines", "spiders")

#: Names a module outside storage/ may import from SQLAlchemy: types and session factories.
ALLOWED_NAMES = {
    "sqlalchemy": {"Engine", "Connection"},
    "sqlalchemy.engine": {"Engine", "Connection"},
    "sqlalchemy.orm": {"Session", "sessionmaker"},
}
#: Methods that run a statement (on a session, a connection or an engine). ``execute()``
#: without arguments is a Redis pipeline's, not SQL.
RUNNING = {"execute", "query", "scalar", "scalars", "exec_driver_sql"}
#: The ORM's unit of work, when called on something named ``*session``.
SESSION_WORK = {"get", "add", "add_all", "delete", "merge", "flush", "refresh"}


def _receiver(node: ast.expr) -> str:
    """The last name of a call's receiver: ``session`` for ``self.db.session.get(...)``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _modules() -> list[Path]:
    return sorted(p for top in CHECKED for p in (ROOT / top).rglob("*.py"))


def violations(source: str, name: str = "<module>") -> list[str]:
    """``file:line: what`` for every SQL construct imported or statement run in ``source``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "sqlalchemy" or (alias.name.startswith("sqlalchemy.")
                                                  and alias.name != "sqlalchemy.exc"):
                    found.append(f"{name}:{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            module = node.module or ""
            if module == "sqlalchemy.exc":
                continue
            allowed = ALLOWED_NAMES.get(module, set())
            for alias in node.names:
                if alias.name not in allowed:
                    found.append(f"{name}:{node.lineno}: imports {alias.name} from {module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in RUNNING and (node.args or node.keywords or method != "execute"):
                found.append(f"{name}:{node.lineno}: calls .{method}(")
            elif method in SESSION_WORK and _receiver(node.func.value).endswith("session"):
                found.append(f"{name}:{node.lineno}: calls session.{method}(")
    return sorted(found, key=lambda f: int(f.split(":")[1]))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_builds_no_sql(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    found = violations(path.read_text(encoding="utf-8"), rel)
    assert not found, "SQL outside storage/ (move it into storage/, storage/read/):\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    "from sqlalchemy import select\n",
    "from sqlalchemy import Engine, func\n",
    "import sqlalchemy as sa\n",
    "from sqlalchemy.orm import aliased\n",
    "from sqlalchemy.sql import text\n",
    "def f(session):\n    return session.execute(stmt)\n",
    "def f(self):\n    return self.session.scalars(stmt)\n",
    "def f(conn):\n    conn.exec_driver_sql('VACUUM')\n",
    "def f(session):\n    return session.query(Report).all()\n",
    "def f(self):\n    return self.db.session.get(Report, 1)\n",
    "def f(session):\n    session.add(Report())\n",
])
def test_checker_catches(source: str) -> None:
    assert violations(source)


@pytest.mark.parametrize("source", [
    "from sqlalchemy import Engine\n",
    "from sqlalchemy.orm import Session, sessionmaker\n",
    "from sqlalchemy.exc import IntegrityError, OperationalError\n",
    "import sqlalchemy.exc\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy.engine import Connection\n",
    "def f(session: Session) -> int:\n    return storage_count(session)\n",
    "def f(pipe):\n    pipe.execute()\n",
    "def f(self):\n    return self.session.blobs.get(sha)\n",
    "def f(session):\n    session.commit()\n",
])
def test_checker_allows(source: str) -> None:
    assert violations(source) == []
