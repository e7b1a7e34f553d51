"""Each package opens with a map of itself: its __init__ docstring names every module in it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(p.parent for top in ("crawler", "storage", "spiders", "pipelines")
                  for p in (ROOT / top).rglob("__init__.py")
                  if "migrations" not in p.parts)


def _members(package: Path) -> list[str]:
    names = [p.stem for p in package.glob("*.py") if not p.name.startswith("__")]
    names += [f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").is_file()]
    return sorted(names)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_package_docstring_maps_its_modules(package: Path) -> None:
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    missing = [name for name in _members(package) if f"``{name}``" not in doc]
    assert not missing, f"{package.relative_to(ROOT)}/__init__.py does not map: {', '.join(missing)}"


def test_architecture_doc_names_every_package() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package in PACKAGES:
        assert f"`{package.relative_to(ROOT).as_posix()}/`" in text, package
