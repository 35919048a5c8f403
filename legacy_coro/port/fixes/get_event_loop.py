"""``asyncio.get_event_loop()`` at module level: warns on 3.12+, raises on 3.14+ (LC014)."""

from typing import TYPE_CHECKING

import libcst as cst

from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("get_event_loop", keywords={"get_event_loop"})


@FIX.leave(cst.Call)
def _report(t: "Transformer", original: cst.Call, updated: cst.Call) -> cst.Call:
    if not t.frames and t.qualified(original.func) == "asyncio.get_event_loop":
        t.report(original, "LC014")
    return updated
