"""Python's cycle collector, paused while a batch builds millions of objects that outlive it.

A batch makes millions of objects that live until it ends (the read sheets, the results,
the summary's rows) and next to no reference cycles, yet each full collection walks every
live object: at 10,000 sheets that was about a second while reading, and 0.3 s after it even
with the read sheets frozen.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[Callable[[], AbstractContextManager[None]]]:
    """Keep the cycle collector off inside; its state is restored after.

    A stage that does leave cycles behind (openpyxl's workbooks, one per returned copy: half a
    MiB each) runs inside the yielded context, with the collector on and everything older
    frozen, so it walks only what that stage makes. On leaving, what was made goes to the
    oldest generation in one step (freeze, then unfreeze), so that the next collection does
    not walk it all either. A caller that froze objects of its own keeps them frozen, and then
    the batch's are left to the collector. Nesting is harmless.
    """
    was_enabled = gc.isenabled()
    caller_froze = gc.get_freeze_count() > 0
    gc.disable()

    @contextmanager
    def collecting() -> Iterator[None]:
        if not caller_froze:
            gc.freeze()
        gc.enable()
        try:
            yield
        finally:
            gc.disable()

    try:
        yield collecting
    finally:
        if not caller_froze:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
