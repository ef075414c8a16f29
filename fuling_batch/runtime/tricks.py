"""The speed tricks that pay, and the switch that turns them off to measure them.

Three tricks are kept, each because it saves at least a tenth of a 10,000-sheet run and no
supported API does the same (figures and method: docs/architecture.md, "Speed tricks kept"):

- ``fastrows``: summary rows written as XML into xlsxwriter's row file
  (``summary/fastrows.py``);
- ``compiled-template``: the notice template patched by docxtpl once and compiled by Jinja,
  then rendered per notice (``notices/prepare.py``);
- ``zip-writer``: each notice's package assembled from members compressed once
  (``notices/package.py``).

Each falls back to the supported API by itself when the library's version is not one it was
tested with. ``FULING_BATCH_WITHOUT`` (a comma-separated list of the names above, or ``all``)
forces the fallback, so that ``bench/bench_e2e.py --compare`` can time a run without a trick
and the tests can check that both paths give the same output. Worker processes inherit it.
"""

from __future__ import annotations

import os

__all__ = ["ENV", "TRICKS", "enabled", "release"]

ENV = "FULING_BATCH_WITHOUT"
TRICKS = ("fastrows", "compiled-template", "zip-writer")


def enabled(name: str) -> bool:
    """Whether the trick ``name`` may be used (its own version check still applies)."""
    if name not in TRICKS:
        raise ValueError(f"unknown trick {name!r}")
    without = {part.strip() for part in os.environ.get(ENV, "").split(",")}
    return name not in without and "all" not in without


def release(version: str) -> tuple[int, ...]:
    """A library's ``__version__`` as (major, minor), to compare with the releases a trick
    was tested with; what does not parse gives ``()``, older than any."""
    parts = []
    for part in version.split(".")[:2]:
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)
