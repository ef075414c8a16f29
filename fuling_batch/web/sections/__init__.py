"""The page's sections, one module each: its nav entry (``NAV``) and its routes (``ROUTES``).

A new section is a module like these, added to ``SECTIONS``: the navigation and the routes
follow from this list.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from . import downloads, files, history, issue, rectify, results, run
from .common import NavEntry

__all__ = ["NAV", "SECTIONS", "routes"]

SECTIONS = (files, run, results, downloads, issue, rectify, history)
NAV: tuple[NavEntry, ...] = tuple(section.NAV for section in SECTIONS)


def routes() -> list[BaseRoute]:
    return [route for section in SECTIONS for route in section.ROUTES]
