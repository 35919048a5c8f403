"""``@asyncio.coroutine def f(): ...`` -> ``async def f(): ...``.

The functions the plan (:mod:`legacy_coro.port._plan`) converts become
``async def``: those decorated with asyncio's or legacy_coro's coroutine
decorator, however imported, and the undecorated generators the run shows to
be used only as coroutines.  The decorator goes (comments on or above it move
down, never vanish), and so does its import once nothing else uses it
(parameters aligned with the parenthesis on other lines move with it in
:mod:`legacy_coro.port._wrap`, as every continuation line the port moves).
A decorated ``async def`` loses its decorator (3.10's returned it unchanged).
A decorated function the plan keeps moves to ``legacy_coro.coroutine`` (for
``--py38-plus`` and later: legacy_coro runs on 3.8+, and 3.11 removed
asyncio's).
"""

from typing import TYPE_CHECKING, Any, Dict, List

import libcst as cst

from legacy_coro.port._cst import realign
from legacy_coro.port._registry import Fix
from legacy_coro.port.fixes.decorator_call import LEGACY_SINCE

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX", "async_def"]

FIX = Fix("coroutine_def", keywords={"coroutine", "coroutines"})


@FIX.leave(cst.FunctionDef)
def _convert(t: "Transformer", original: cst.FunctionDef, updated: cst.FunctionDef) -> Any:
    frame = t.left
    assert frame is not None and frame.decision is not None
    decision = frame.decision
    index = decision.decorator
    if index is None:
        if frame.kind == "convert":  # an undecorated generator helper
            t.out.converted.append(".".join(frame.path))
            return async_def(original, updated, {})
        return updated
    decorators = list(updated.decorators)
    old = decorators[index]
    if frame.kind == "keep":
        if decision.legacy or t.ctx.target < LEGACY_SINCE:
            return updated  # below 3.8, asyncio's decorator stays (see LEGACY_SINCE)
        t.took_out(old.decorator)
        decorators[index] = old.with_changes(decorator=t.imports.legacy_decorator())
        return updated.with_changes(decorators=decorators)
    if frame.kind not in ("convert", "drop"):
        return updated
    t.took_out(old.decorator)
    t.out.converted.append(".".join(frame.path))
    del decorators[index]
    changes = _carry_comments(old, index, decorators, updated)
    if updated.asynchronous is not None:
        return updated.with_changes(**changes)
    return async_def(original, updated, changes)


def _carry_comments(old: cst.Decorator, index: int, decorators: List[cst.Decorator],
                    updated: cst.FunctionDef) -> Dict[str, Any]:
    """The changes that drop decorator *old*: comments on or above it move down."""
    carried = list(old.leading_lines)
    if old.trailing_whitespace.comment is not None:
        carried.append(cst.EmptyLine(indent=True, comment=old.trailing_whitespace.comment))
    changes: Dict[str, Any] = {"decorators": decorators}
    if carried:
        if index < len(decorators):
            following = decorators[index]
            decorators[index] = following.with_changes(
                leading_lines=carried + list(following.leading_lines))
        elif decorators or index > 0:
            changes["lines_after_decorators"] = carried + list(updated.lines_after_decorators)
        else:
            changes["leading_lines"] = list(updated.leading_lines) + carried
    if not decorators and updated.lines_after_decorators:
        leading = list(changes.get("leading_lines", updated.leading_lines))
        leading += list(changes.pop("lines_after_decorators", updated.lines_after_decorators))
        changes["leading_lines"] = leading
        changes["lines_after_decorators"] = []
    return changes


def async_def(original: cst.FunctionDef, updated: cst.FunctionDef,
              changes: Dict[str, Any]) -> cst.FunctionDef:
    """Add ``async``; keep the comment after the header in its column."""
    changes["asynchronous"] = cst.Asynchronous()
    new: cst.FunctionDef = realign(original, updated.with_changes(**changes))
    return new
