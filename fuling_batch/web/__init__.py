"""The operator's desk: a local web page over the library (``fuling-batch serve``).

The web layer holds no grading or validation logic: it calls the library (the ``library`` package is
its one door) and shows what comes back. See ``docs/web.md``.
"""

from .app import create_app
from .server import serve
from .settings import Limits, Settings

__all__ = ["Limits", "Settings", "create_app", "serve"]
