"""Unknown query parameters are an error, on the API and on the HTML lists: 400 naming them
and the allowed ones.

A mistyped filter (``?yaer=2023``) silently ignored returns the whole list, which a script
takes for the filtered one. Every API route declares its parameters; anything else is refused.
An HTML list takes exactly the parameters of the API list it shows (:func:`refuse_unknown_like`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import cache
from typing import Any

from fastapi import HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute

from crawler.errors import FilterError


def allowed_params(route: APIRoute) -> set[str]:
    """The query parameters ``route`` declares (its dependencies' included)."""
    return query_names(route.dependant)


def query_names(dependant: Dependant) -> set[str]:
    """The query parameters of ``dependant`` and of its dependencies."""
    names: set[str] = set()
    pending: list[Any] = [dependant]
    while pending:
        current = pending.pop()
        names |= {param.alias for param in current.query_params}
        pending += current.dependencies
    return names


def unknown_params_message(unknown: Collection[str], allowed: Collection[str], what: str) -> str:
    """``unknown query parameter(s): yaer; this endpoint takes: agency, limit, …``."""
    return (f"unknown query parameter(s): {', '.join(sorted(unknown))}; "
            f"{what} takes: {', '.join(sorted(allowed)) or 'none'}")


def reject_unknown_params(request: Request) -> None:
    """A router dependency: 400 when the query string names a parameter the route lacks."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = allowed_params(route)
    unknown = set(request.query_params) - allowed
    if unknown:
        raise HTTPException(400, unknown_params_message(unknown, allowed, "this endpoint"))


@cache
def endpoint_params(endpoint: Callable[..., Any]) -> frozenset[str]:
    """The query parameters of an API list function, read from its signature as FastAPI does."""
    return frozenset(query_names(get_dependant(path="", call=endpoint)))


def refuse_unknown_like(request: Request, endpoint: Callable[..., Any]) -> None:
    """:class:`FilterError` (400) when the query string names a parameter the API function
    ``endpoint`` does not take: an HTML list accepts what its API list accepts."""
    allowed = endpoint_params(endpoint)
    unknown = set(request.query_params) - allowed
    if unknown:
        raise FilterError(unknown_params_message(unknown, allowed, "this page"))
