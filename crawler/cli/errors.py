"""The CLI's one error boundary: a :class:`~crawler.errors.GovreportsError` becomes a clean message.

``Error: <what went wrong>. <what to do>`` on stderr and exit status 1 (2 for a bad option
value, :class:`~crawler.errors.InvalidInput`); no traceback.
"""

from __future__ import annotations

from typing import Any

import click

from crawler.errors import GovreportsError, InvalidInput


def translate(exc: GovreportsError) -> click.ClickException:
    """The click exception that prints ``exc`` for a person."""
    if isinstance(exc, InvalidInput):
        return click.UsageError(exc.explain())
    return click.ClickException(exc.explain())


class GovreportsGroup(click.Group):
    """A click group whose commands (and sub-groups) raise library errors untranslated."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GovreportsError as exc:
            raise translate(exc) from exc
