"""The drop-in ``@coroutine`` decorator and the predicates that go with it.

Mechanism (the README's design section has the measurements): a decorated
generator function gets its code object re-flagged from CO_GENERATOR to
CO_COROUTINE, so a call returns a *native* coroutine object.  Every asyncio
entry point accepts it, ``yield from`` between legacy coroutines costs exactly
what ``await`` costs, and Task reprs, tracebacks and the "never awaited"
warning are CPython's own.  ``yield from`` and a bare ``yield`` keep working
inside the re-flagged code: the bytecode a coroutine runs is the bytecode a
generator runs, and the interpreter checks the flags only where a *plain*
generator meets a coroutine.  That check is also the one place where 3.10's
behaviour cannot be had without a global patch (README, "Differences").
"""

import collections.abc
import functools
import inspect
import sys
import types
from typing import Any, Callable, Dict, Optional, TypeVar, cast

__all__ = ["coroutine", "iscoroutine", "iscoroutinefunction"]

_F = TypeVar("_F", bound=Callable[..., Any])

# inspect's names exist on every supported version; the values are CPython's.
_CO_GENERATOR = inspect.CO_GENERATOR
_CO_COROUTINE = inspect.CO_COROUTINE
_CO_ITERABLE_COROUTINE = inspect.CO_ITERABLE_COROUTINE

# 3.11+: the line table carries column ranges too (Objects/locations.md).
_LINETABLE_HAS_COLUMNS = sys.version_info >= (3, 11)


def _native_code(code: types.CodeType) -> types.CodeType:
    """Return *code* flagged as a native coroutine instead of a generator."""
    flags = code.co_flags & ~(_CO_GENERATOR | _CO_ITERABLE_COROUTINE)
    return code.replace(co_flags=flags | _CO_COROUTINE)


# ---------------------------------------------------------------------------
# Decorated non-generator functions.
#
# 3.10 wrapped them in a generator that called the function and, when the
# result was a future, a generator or another awaitable, yielded from it.
# That wrapper frame is real: exceptions pass through it and a Task suspended
# in it shows it in its repr.  So that it reads as the user's code and not as
# legacy_coro's, each wrapper gets a code object named after the decorated
# function and placed at its decorator line in its file, with no column
# ranges (3.11+ would otherwise draw carets from our template under the
# user's line).  The template is one physical line so that every instruction
# maps to that single line.

_TEMPLATE_SOURCE = (
    "def _make(func, _target):\n"
    " def wrapper(*args, **kwargs): res = func(*args, **kwargs); it = _target(res);"
    " return res if it is None else (yield from it)\n"
    " return wrapper\n"
)


def _await_target(res: Any) -> Optional[Any]:
    """Return what 3.10's wrapper would ``yield from`` for *res*, or None."""
    # asyncio.isfuture() without importing asyncio (base_futures.isfuture).
    if getattr(res.__class__, "_asyncio_future_blocking", None) is not None and (
        res._asyncio_future_blocking is not None
    ):
        return res
    if isinstance(res, types.GeneratorType):
        return res
    try:
        await_meth = res.__await__
    except AttributeError:
        return None
    if isinstance(res, collections.abc.Awaitable):
        return await_meth()
    return None


def _load_template() -> Callable[..., Callable[..., Any]]:
    namespace: Dict[str, Any] = {}
    exec(compile(_TEMPLATE_SOURCE, "<legacy_coro wrapper>", "exec"), namespace)
    return namespace["_make"]  # type: ignore[no-any-return]


_make_wrapper = _load_template()


def _no_columns_linetable(code: types.CodeType) -> bytes:
    """Build a 3.11+ line table mapping every instruction to the first line."""
    units = len(code.co_code) // 2
    table = bytearray()
    while units > 0:
        chunk = min(units, 8)
        # Entry kind 13 = "no column info", followed by a line delta of 0.
        table += bytes((0x80 | (13 << 3) | (chunk - 1), 0))
        units -= chunk
    return bytes(table)


def relocated(code: types.CodeType, filename: str, firstlineno: int, name: str,
              qualname: str) -> types.CodeType:
    """Return *code* placed at *filename*:*firstlineno* as *name*, with no column ranges.

    *code* must come from a one-line template, so that every instruction maps
    to that single line on every version.
    """
    changes: Dict[str, Any] = {
        "co_name": name,
        "co_filename": filename,
        "co_firstlineno": firstlineno,
    }
    if _LINETABLE_HAS_COLUMNS:
        changes["co_qualname"] = qualname
        changes["co_linetable"] = _no_columns_linetable(code)
    return code.replace(**changes)


def _relocate(template: types.CodeType, func: Any) -> types.CodeType:
    """Give the wrapper template the decorated function's name and place."""
    name = getattr(func, "__name__", None) or type(func).__name__
    qualname = getattr(func, "__qualname__", None) or name
    target = getattr(func, "__code__", None)
    if isinstance(target, types.CodeType):
        filename, firstlineno = target.co_filename, target.co_firstlineno
    else:
        filename, firstlineno = template.co_filename, template.co_firstlineno
    return _native_code(relocated(template, filename, firstlineno, name, qualname))


def _with_code(func: types.FunctionType, code: types.CodeType) -> types.FunctionType:
    """Return a copy of *func* running *code*, with *func*'s metadata.

    3.10's types.coroutine() assigned ``func.__code__`` in place; 3.13
    deprecates changing a function's kind that way (gh-111347), so the
    decorator returns a new function carrying the old one's metadata.
    """
    new = types.FunctionType(
        code, func.__globals__, func.__name__, func.__defaults__, func.__closure__
    )
    new.__kwdefaults__ = func.__kwdefaults__
    return new


def _wrap_plain(func: Any) -> Callable[..., Any]:
    template = cast(types.FunctionType, _make_wrapper(func, _await_target))
    wrapper = _with_code(template, _relocate(template.__code__, func))
    try:
        functools.update_wrapper(wrapper, func)
    except AttributeError:  # pragma: no cover - exotic callables without __dict__
        pass
    return wrapper


# ---------------------------------------------------------------------------
# The public face.


def coroutine(func: _F) -> _F:
    """Mark a generator-based coroutine, as ``asyncio.coroutine`` did in 3.10.

    Args:
        func: a generator function written with ``yield from`` (the usual
            case), any other callable, or an ``async def`` function.

    Returns:
        For a generator function, the same function, whose calls now return
        native coroutine objects that asyncio accepts everywhere.  For an
        ``async def`` function, the function unchanged.  For any other
        callable, a coroutine function that calls it and, when the result is
        a future, a generator or another awaitable, awaits it (3.10 did the
        same).  ``staticmethod`` and ``classmethod`` objects are decorated
        inside and re-wrapped.

    Raises:
        TypeError: *func* is not callable.
    """
    if isinstance(func, (staticmethod, classmethod)):
        return type(func)(coroutine(func.__func__))  # type: ignore[return-value]
    if not callable(func):
        raise TypeError(
            "legacy_coro.coroutine() expects a function to decorate, got "
            f"{type(func).__name__} {func!r}; put @coroutine directly above "
            "the 'def' of a generator function"
        )
    if inspect.iscoroutinefunction(func):
        return func
    if (
        isinstance(func, types.FunctionType)  # narrows the type for mypy on every Python
        and type(func) is types.FunctionType
        and func.__code__.co_flags & _CO_GENERATOR
    ):
        native: Callable[..., Any] = functools.update_wrapper(
            _with_code(func, _native_code(func.__code__)), func)
    else:
        native = _wrap_plain(func)
    if getattr(func, "__name__", None) == "__iter__":
        return _iter_method(native, func)  # type: ignore[return-value]
    return native  # type: ignore[return-value]


def _iter_method(native: Callable[..., Any], func: Any) -> Callable[..., Any]:
    """Make a decorated ``__iter__`` serve ``yield from obj`` as 3.10's did.

    ``iter()`` needs an iterator, and a native coroutine is not one; its
    ``__await__()`` is, and delegates send, throw and close to it.  (A
    decorated ``__await__`` was refused by 3.10 too: "__await__() returned a
    coroutine", and is left to say so.)
    """
    def __iter__(*args: Any, **kwargs: Any) -> Any:
        return native(*args, **kwargs).__await__()

    return functools.update_wrapper(__iter__, func)


def iscoroutinefunction(func: Any) -> bool:
    """Tell whether *func* is a coroutine function of either style.

    True for ``async def`` functions, for functions decorated with
    ``legacy_coro.coroutine``, for ``types.coroutine`` generator functions
    and for anything 3.10's ``asyncio.iscoroutinefunction`` accepted.
    """
    if inspect.iscoroutinefunction(func):
        return True
    while isinstance(func, functools.partial):
        func = func.func
    code = getattr(inspect.unwrap(getattr(func, "__func__", func)), "__code__", None)
    if isinstance(code, types.CodeType) and code.co_flags & _CO_ITERABLE_COROUTINE:
        return True
    marker = getattr(sys.modules.get("asyncio.coroutines"), "_is_coroutine", None)
    return marker is not None and getattr(func, "_is_coroutine", None) is marker


def iscoroutine(obj: Any) -> bool:
    """Tell whether *obj* is a coroutine object, as 3.10's asyncio said.

    True for native coroutines (which legacy coroutines are under
    legacy_coro), for any ``collections.abc.Coroutine`` and, as in 3.10,
    for any generator object.
    """
    return isinstance(obj, (types.CoroutineType, types.GeneratorType, collections.abc.Coroutine))
