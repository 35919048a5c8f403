"""A returned value that may be awaitable is awaited as 3.10 did (LC018).

``return value`` -> ``return await _LegacyCoroResult(value)`` in a converted function.

3.10's ``@asyncio.coroutine`` awaited the result of a decorated function that
never yielded, when it was a future, a generator or another awaitable; an
``async def`` returns it as it is.  Where the run cannot show that a returned
value is never awaitable, the value goes through a small class the port adds
to the module once (LC018), which applies 3.10's rule.  With
``--no-result-helper`` such a function stays on ``legacy_coro.coroutine``
instead (LC001; decided by the plan).
"""

from typing import TYPE_CHECKING, Any

import libcst as cst

from legacy_coro.port import _helpers as helpers
from legacy_coro.port._cst import code_of
from legacy_coro.port._model import RESULT_HELPER
from legacy_coro.port._registry import Fix

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["FIX", "RESULT_HELPER_CODE"]

FIX = Fix("result_helper", helper=RESULT_HELPER)

#: What ``legacy-coro port`` adds to a module where a converted function returns a
#: value that may be awaitable: 3.10's ``@asyncio.coroutine`` awaited the result of a
#: function that never yields (Lib/asyncio/coroutines.py, ``coro()`` in ``coroutine()``),
#: ``async def`` returns it as it is.  ``return await _LegacyCoroResult(value)`` applies
#: the same rule.  A class, so that ``__await__`` can ``yield from`` a plain generator
#: as 3.10 did (``await`` refuses one); stdlib imports only, syntax of 3.5.
RESULT_HELPER_CODE = """\
# Added by legacy-coro port (LC018): `return await {name}(value)`
# does with the value what @asyncio.coroutine did (Python 3.4-3.10) with the
# result of a function that never yielded: a future, a generator or another
# awaitable is awaited, anything else is returned as it is.  Where the value
# is never awaitable, `return value` is enough; where it always is,
# `return await value`.
class {name}:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __await__(self):
        import collections.abc
        import types

        res = self.value
        if ((hasattr(res.__class__, "_asyncio_future_blocking")
                and res._asyncio_future_blocking is not None)
                or isinstance(res, types.GeneratorType)):
            res = yield from res
        else:
            try:
                await_meth = res.__await__
            except AttributeError:
                pass
            else:
                if isinstance(res, collections.abc.Awaitable):
                    res = yield from await_meth()
        return res
"""


@FIX.leave(cst.Return)
def _through_helper(t: "Transformer", original: cst.Return, updated: cst.Return) -> cst.Return:
    frame = t.frame
    if frame is None or frame.kind != "convert" or frame.decision is None or (
            updated.value is None or not frame.decision.unproven):
        return updated
    if t.ctx.line_of(original) not in frame.decision.unproven:
        return updated
    value: Any = updated.value
    if value.lpar:  # the parentheses the call gives it are enough, on one line
        bare = value.with_changes(lpar=value.lpar[1:], rpar=value.rpar[:-1])
        if "\n" not in code_of(bare):
            value = bare
    t.edited()
    call = cst.Call(cst.Name(helpers.use(t, RESULT_HELPER)), [cst.Arg(value)])
    return updated.with_changes(value=cst.Await(call))


@FIX.at_finish
def _add_helper(t: "Transformer", original: cst.Module, updated: cst.Module) -> cst.Module:
    return helpers.add(t, updated, RESULT_HELPER, RESULT_HELPER_CODE)
