"""The fixes of ``legacy-coro port``, one file each.

Each module makes one :class:`legacy_coro.port._registry.Fix` named ``FIX``
and registers its handlers on it: for the analysis walk (what it must know
about the file), for the transform (what it rewrites), or both.  A new fix is
one new file here, its entry in :data:`FIXES`, and one test table.

The order of :data:`FIXES` is the order in which the walks call the handlers
registered for one node type: the ``asyncio.wait()`` fix gives a ``yield
from``'s operand its tasks before the ``yield from`` fix makes it an
``await``; a converted ``__iter__`` becomes ``__await__`` after it became
``async def``.
"""

from typing import Tuple

from legacy_coro.port._registry import Fix
from legacy_coro.port.fixes import (
    all_tasks,
    async_names,
    asyncio_wait,
    bare_yield,
    coroutine_def,
    decorator_call,
    except_cancel,
    get_event_loop,
    iscoroutinefunction,
    loop_argument,
    policy_api,
    protocol_methods,
    result_helper,
    submodule_names,
    version_branches,
    with_lock,
    yield_from,
)

__all__ = ["FIXES"]

FIXES: Tuple[Fix, ...] = (
    version_branches.FIX,
    async_names.FIX,
    asyncio_wait.FIX,
    bare_yield.FIX,
    yield_from.FIX,
    with_lock.FIX,
    loop_argument.FIX,
    all_tasks.FIX,
    submodule_names.FIX,
    policy_api.FIX,
    get_event_loop.FIX,
    decorator_call.FIX,
    except_cancel.FIX,
    iscoroutinefunction.FIX,
    result_helper.FIX,
    coroutine_def.FIX,
    protocol_methods.FIX,
)
