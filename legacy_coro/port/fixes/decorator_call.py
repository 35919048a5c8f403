"""``asyncio.coroutine(f)`` called as a function -> ``legacy_coro.coroutine(f)`` (LC009).

What it is applied to cannot be converted here; on ``--py38-plus`` and later
the call moves to legacy_coro's decorator, which 3.11+ still has.
"""

from typing import TYPE_CHECKING

import libcst as cst

from legacy_coro._versions import COROUTINE_DECORATORS
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX", "LEGACY_SINCE"]

FIX = Fix("decorator_call", keywords={"coroutine", "coroutines"})

#: legacy_coro runs on 3.8+: for an older target a function kept as a generator
#: coroutine keeps asyncio's decorator (which 3.4-3.10 have)
LEGACY_SINCE = (3, 8)


@FIX.leave(cst.Call)
def _swap(t: "Transformer", original: cst.Call, updated: cst.Call) -> cst.Call:
    target = t.qualified(original.func)
    if target not in COROUTINE_DECORATORS:
        return updated
    t.report(original, "LC009")
    if target != "legacy_coro.coroutine" and t.ctx.target >= LEGACY_SINCE:
        t.took_out(original.func)
        updated = updated.with_changes(func=t.imports.legacy_decorator())
    return updated
