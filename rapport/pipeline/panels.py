"""Panels other apps add to an opportunity's page, through a registry (like the gate artefacts in
`gates.py`): the quotes module shows the opportunity's quotes without the pipeline importing it.

A renderer takes the request and the opportunity and answers HTML (`render_to_string`'s safe
string), or "" to show nothing; it must apply visibility to whatever it reads. A plain `str` is
escaped by the page, never trusted as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from rapport.pipeline.models import Opportunity

Renderer = Callable[[HttpRequest, "Opportunity"], str]
_renderers: dict[str, Renderer] = {}


def register(name: str, renderer: Renderer) -> None:
    """Add (or, under the same name, replace) a panel; panels show in the order registered."""
    _renderers[name] = renderer


def panels_for(request: HttpRequest, opportunity: Opportunity) -> list[str]:
    """Each registered panel's HTML for this opportunity, leaving out the empty ones."""
    rendered = (renderer(request, opportunity) for renderer in _renderers.values())
    return [html for html in rendered if html]
