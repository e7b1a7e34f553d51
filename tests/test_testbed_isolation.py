"""Product code never imports the testbed (sample portal, report generator, synthetic archive).

Only tests, benchmarks and three CLI commands may, and those lazily, inside the command.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("crawler", "spiders", "pipelines", "storage")
TESTBED = "crawler.testbed"
#: (module path, function) pairs allowed to import the testbed, inside that function only.
ALLOWED = {
    ("crawler/cli/main.py", "demo"),
    ("crawler/cli/sample_portal.py", "sample_portal_command"),
    ("crawler/cli/synthetic.py", "synthetic_archive_command"),
}


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")):
        return [node.args[0].value]
    return []


def find_testbed_imports(source: str, path: str) -> list[str]:
    """``path:line`` of each testbed import in ``source`` that is not allowed."""
    found: list[str] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            names = _imported(child)
            testbed = any(n == TESTBED or n.startswith(TESTBED + ".") for n in names)
            if testbed and (path, function or "") not in ALLOWED:
                found.append(f"{path}:{child.lineno}")
            visit(child, inner)

    visit(ast.parse(source), None)
    return found


def product_modules() -> list[Path]:
    return sorted(p for top in PRODUCT for p in (ROOT / top).rglob("*.py")
                  if not p.relative_to(ROOT).as_posix().startswith("crawler/testbed/"))


def test_no_product_module_imports_the_testbed() -> None:
    modules = product_modules()
    assert len(modules) > 100  # the walk found the code
    found = [hit for p in modules
             for hit in find_testbed_imports(p.read_text(encoding="utf-8"), p.relative_to(ROOT).as_posix())]
    assert found == [], "product code imports crawler.testbed (only tests, benchmarks, demo may): " + ", ".join(found)


def test_the_check_catches_each_kind_of_import() -> None:
    sources = [
        "from crawler.testbed.reportgen import random_report\n",
        "import crawler.testbed.sample_portal\n",
        "from crawler import testbed\n",
        "def f():\n    from crawler.testbed.synthetic_archive import build_synthetic_archive\n",
        "import importlib\nimportlib.import_module('crawler.testbed.reportgen')\n",
    ]
    for source in sources:
        assert find_testbed_imports(source, "crawler/web/app.py") == ["crawler/web/app.py:" + str(
            source.count("\n", 0, source.index("testbed")) + 1)], source


def test_the_allowed_commands_may_import_lazily_only() -> None:
    lazy = "def demo():\n    from crawler.testbed.sample_portal import SamplePortal\n"
    eager = "from crawler.testbed.sample_portal import SamplePortal\n"
    assert find_testbed_imports(lazy, "crawler/cli/main.py") == []
    assert find_testbed_imports(eager, "crawler/cli/main.py") == ["crawler/cli/main.py:1"]
    assert find_testbed_imports(lazy, "crawler/cli/serve.py") == ["crawler/cli/serve.py:2"]
