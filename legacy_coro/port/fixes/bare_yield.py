"""A bare ``yield`` in a converted coroutine -> ``await asyncio.sleep(0)``.

A bare ``yield`` (or ``yield None``) gave the event loop one turn, as
``sleep(0)`` does.  ``yield VALUE`` keeps its function a generator coroutine
(LC002: a Task rejects the value); a ``yield`` inside a lambda, or in a
comprehension (3.8+ refuse it there), is left (LC007).
"""

import ast
from typing import TYPE_CHECKING, Any

import libcst as cst

from legacy_coro.port._cst import unparen_one_line
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._analyse import Walk
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("bare_yield")


@FIX.on_ast(ast.Yield)
def _yield(walk: "Walk", node: ast.Yield) -> None:
    fn = walk.suspension(node)
    if fn is None or fn.comprehension:
        return
    value = node.value
    if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
        fn.values = True
        fn.blocked.append((node.lineno, "LC002"))


@FIX.leave(cst.Yield)
def _sleep(t: "Transformer", original: cst.Yield, updated: cst.Yield) -> Any:
    frame = t.frame
    if frame is not None and frame.kind == "lambda":
        t.report(original, "LC007")
        return updated
    if frame is None or frame.kind != "convert" or isinstance(updated.value, cst.From):
        return updated
    t.edited()
    call = cst.Call(func=t.imports.asyncio("sleep"), args=[cst.Arg(cst.Integer("0"))])
    return unparen_one_line(cst.Await(expression=call, whitespace_after_await=cst.SimpleWhitespace(
        " "), lpar=updated.lpar, rpar=updated.rpar))
