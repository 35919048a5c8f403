"""An awaitable class's coroutine method -> ``async def __await_impl__`` and the protocol around it.

``@coroutine def __iter__`` let ``yield from obj`` run the coroutine (3.10's
decorator flagged the generator); ``async def __iter__`` would break that and
``await obj`` alike.  The method becomes ``async def __await_impl__``, with
``def __await__`` returning its ``__await__()`` (an iterator, which ``yield
from`` accepts too) and ``__iter__ = __await__``.  A decorated ``__await__``,
or an ``__iter__`` that cannot take it, is kept (LC017; decided by the
analysis, see _summary.Summary._protocol).

An undecorated generator ``__await__`` (``return (yield from self.coro)``),
or an ``__iter__`` serving as one (the class binds ``__await__ = __iter__``,
or it does ``yield from`` on a coroutine function), did ``yield from`` on
generator coroutines; once those are native coroutines a plain generator
cannot.  The run converts it the same way (see _run.Run.protocols), so that
``await obj`` and the ``yield from obj`` left in other generators both work:
``__await__`` becomes ``__await_impl__`` and a ``def __await__`` delegating
to it; an ``__iter__`` also becomes ``__await_impl__``, delegated to by
``def __iter__`` when the class has its own ``__await__`` (the alias then
names the new ``__iter__``), else by ``def __await__`` and ``__iter__ =
__await__``.
"""

from typing import TYPE_CHECKING, Any, List

import libcst as cst

from legacy_coro.port._cst import parameters, realign
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX"]

FIX = Fix("protocol_methods")


@FIX.leave(cst.FunctionDef)
def _to_await_impl(t: "Transformer", original: cst.FunctionDef, converted: cst.FunctionDef
                   ) -> Any:
    frame = t.left
    if frame is None or frame.kind != "convert" or frame.decision is None or (
            frame.decision.protocol not in ("iter", "await")
            or converted.asynchronous is None):
        return converted
    first = parameters(converted.params)[0].name.value
    impl = realign(converted, converted.with_changes(name=cst.Name("__await_impl__")))
    statements: List[cst.BaseStatement] = [impl]
    owner = t.frame
    table = t.ctx.scopes.names.get(owner.path, {}) if owner is not None else {}
    blank = [cst.EmptyLine(indent=False)]
    delegate = f"    return {first}.__await_impl__().__await__()\n"
    if frame.decision.protocol == "await":
        statements.append(cst.parse_statement(f"def __await__({first}):\n" + delegate)
                          .with_changes(leading_lines=blank))
    elif "__await__" in table:  # the class has its own __await__ (or `__await__ = __iter__`)
        statements.append(cst.parse_statement(f"def __iter__({first}):\n" + delegate)
                          .with_changes(leading_lines=blank))
    else:
        statements.append(cst.parse_statement(f"def __await__({first}):\n" + delegate)
                          .with_changes(leading_lines=blank))
        statements.append(cst.parse_statement("__iter__ = __await__\n")
                          .with_changes(leading_lines=blank))
    return cst.FlattenSentinel(statements)
