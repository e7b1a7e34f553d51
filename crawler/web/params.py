"""Unknown query parameters are an error on the API: 400 naming them and the allowed ones.

A mistyped filter (``?yaer=2023``) silently ignored returns the whole list, which a script
takes for the filtered one. Every API route declares its parameters; anything else is refused.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute


def allowed_params(route: APIRoute) -> set[str]:
    """The query parameters ``route`` declares (its dependencies' included)."""
    names: set[str] = set()
    pending: list[Any] = [route.dependant]
    while pending:
        dependant = pending.pop()
        names |= {param.alias for param in dependant.query_params}
        pending += dependant.dependencies
    return names


def reject_unknown_params(request: Request) -> None:
    """A router dependency: 400 when the query string names a parameter the route lacks."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = allowed_params(route)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise HTTPException(400, f"unknown query parameter(s): {', '.join(unknown)}; "
                                 f"this endpoint takes: {', '.join(sorted(allowed)) or 'none'}")
