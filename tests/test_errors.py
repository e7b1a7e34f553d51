"""One exception tree, translated once at the CLI boundary."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import crawler
from crawler.cli.main import main
from crawler.errors import GovreportsError, InvalidInput, NotFound

ROOT = Path(__file__).resolve().parents[1]


def _product_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(crawler.__path__, "crawler.")
             if not m.name.startswith("crawler.testbed") and not m.name.endswith("__main__")]
    return names + ["spiders.portal", "pipelines.archive", "storage.repository", "storage.db",
                    "storage.blobs", "storage.warc", "storage.read.readonly"]


def test_every_exception_class_is_in_the_tree() -> None:
    outside = []
    for name in _product_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == name and issubclass(cls, BaseException)
                    and not issubclass(cls, GovreportsError)):
                outside.append(f"{name}.{cls.__qualname__}")
    assert outside == [], "exception classes outside the GovreportsError tree: " + ", ".join(outside)


def test_the_tree_is_drawn_with_every_class() -> None:
    import crawler.errors as errors_module

    drawn = errors_module.__doc__ or ""
    for name in _product_modules():
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, GovreportsError):
                assert cls_name in drawn, f"{name}.{cls_name} is missing from crawler/errors.py's tree"


def test_explain_adds_the_hint_once() -> None:
    class Closed(GovreportsError):
        hint = "Open it."

    assert Closed("the door is closed").explain() == "the door is closed. Open it."
    assert Closed("the door is closed. Open it.").explain() == "the door is closed. Open it."
    assert NotFound("no report 7").explain() == "no report 7"
    assert isinstance(NotFound("x"), LookupError)  # callers catching the built-in still work


@pytest.mark.parametrize(("args", "code", "message"), [
    (["schedule", "remove", "nosuch"], 1, "Error: no schedule"),
    (["crawl", "http://127.0.0.1:9/", "--resume"], 1, "Error: nothing to resume"),
    (["export", "--format", "csv", "--out", "x.csv", "--year-from", "2023", "--year-to", "2020"],
     2, "Error: "),
])
def test_cli_turns_library_errors_into_one_message(tmp_path: Path, args: list[str], code: int,
                                                   message: str) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    full = [*args, "--db", db] + (["--archive", str(tmp_path / "archive")] if args[0] == "crawl" else [])
    result = CliRunner().invoke(main, full, catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output, result.output
    assert isinstance(result.exception, SystemExit)


def test_invalid_input_is_a_usage_error() -> None:
    from crawler.cli.errors import translate

    assert translate(InvalidInput("year: bad")).exit_code == 2
    assert translate(NotFound("no report 1")).exit_code == 1
