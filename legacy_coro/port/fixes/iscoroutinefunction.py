"""A function checked with ``iscoroutinefunction()`` is kept (LC008): the answer would change.

The analysis notes the names passed to an ``iscoroutinefunction()`` other
than asyncio's and legacy_coro's (``inspect``'s, a framework's): the plan
keeps functions of those names as they are.
"""

import ast
from typing import TYPE_CHECKING

from legacy_coro.port._names import raw_ref
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._analyse import Walk

__all__ = ["FIX"]

FIX = Fix("iscoroutinefunction", keywords={"iscoroutinefunction"})

_OWN_MODULES = ("asyncio", "legacy_coro")


@FIX.on_ast(ast.Call)
def _inspected(walk: "Walk", node: ast.Call) -> None:
    raw = raw_ref(node.func)
    if raw is None or not node.args:
        return
    last = raw[1] if raw[0] != "dotted" else raw[1][-1]
    if last == "iscoroutinefunction" and (raw[0] != "dotted" or raw[1][0] not in _OWN_MODULES):
        target = raw_ref(node.args[0])
        if target is not None and target[0] != "super":
            walk.inspected.add(target[1] if target[0] == "name" else target[1][-1])
