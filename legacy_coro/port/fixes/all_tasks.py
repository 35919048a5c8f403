"""``asyncio.Task.all_tasks()`` / ``asyncio.Task.current_task()``: removed in 3.9 (LC013)."""

from typing import TYPE_CHECKING

import libcst as cst

from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("all_tasks", keywords={"all_tasks", "current_task"})


@FIX.leave(cst.Call)
def _report(t: "Transformer", original: cst.Call, updated: cst.Call) -> cst.Call:
    target = t.qualified(original.func)
    if target in ("asyncio.Task.all_tasks", "asyncio.Task.current_task"):
        t.report(original, "LC013")
    return updated
