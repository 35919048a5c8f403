"""The opt-in compat layer's patches: put back what asyncio removed.

Imported by :func:`legacy_coro.install` only (it imports asyncio), never at
import of legacy_coro.  ``install()`` applies, under a lock, each patch whose
change (a row of :mod:`legacy_coro._versions`) the running interpreter has --
and only those: on 3.9 the ``loop=`` patch is not applied, because 3.9 still
takes ``loop=``.  Every patch lists the attributes it sets, and
:func:`restore` puts the saved originals back (or deletes what did not exist
before), so the interpreter's own behaviour and error messages come back
unchanged.

Where the interpreter still has a behaviour but deprecates it (3.8-3.10),
nothing in asyncio is replaced: only that one DeprecationWarning is ignored,
through a ``warnings`` filter that :func:`restore` removes again.

How a behaviour is put back decides what native code pays for it and what a
traceback shows.  asyncio's hot entry points (``sleep``, ``gather``,
``wait_for``, ``wait``, ``create_task``, ``ensure_future``, ...) are not
wrapped: each keeps its own function object and frame, and only its code is
recompiled from asyncio's own source with a few lines in front
(:mod:`legacy_coro._codepatch`), which cost a call without a legacy argument
one comparison.  The rest (constructors of the primitives, the policy's
``get_event_loop()``, classmethods) are wrappers that run only while they are
called; on 3.11+ an exception passing through one leaves without the
wrapper's frame in its traceback.

When a recorder is given (the porting report), each patch records each use;
without one, the patched code has no recording code at all, not even a flag
test.
"""

import asyncio
import asyncio.base_events
import asyncio.events
import asyncio.futures
import asyncio.locks
import asyncio.queues
import asyncio.tasks
import asyncio.trsock
import functools
import gc
import importlib
import inspect
import linecache
import sys
import threading
import types
from typing import (Any, Callable, Dict, FrozenSet, Generator, List, NamedTuple, Optional, Tuple)

from legacy_coro import _codepatch, _ledger, _policy
from legacy_coro._frames import hiding
from legacy_coro._ledger import MetaPath, Saved, Setting
from legacy_coro._shim import coroutine, relocated
from legacy_coro._versions import LOOP_ARGUMENT_REMOVED, REMOVED_SUBMODULE_NAMES, change

__all__ = ["PATCHES", "Patch", "Record", "apply"]

#: record(api, key): called each time old code uses a restored behaviour (the
#: porting report's Recorder.record)
Record = Callable[[str, str], None]

# ---------------------------------------------------------------------------
# What the recompiled asyncio functions call: the module global
# _codepatch.HELPERS of each patched module names this module.


GeneratorType = types.GeneratorType
record: Optional[Record] = None  # the recorder, while a report is being made
_get_running_loop = asyncio.events._get_running_loop


class _AdoptedGenerator:
    """A plain generator given to a task entry point, as the coroutine a Task needs.

    3.10 let a Task drive any generator; 3.12's entry points take only objects
    that are coroutines.  This one is (``collections.abc.Coroutine``), and
    adds no frame: ``send``, ``throw`` and ``close`` are the generator's own
    bound methods, set on the instance, and ``__await__`` hands out the
    generator itself.  Name, code and frame are the generator's, so a Task's
    repr reads ``coro=<fetch() running at app.py:7>`` as on 3.10.
    """

    def __init__(self, gen: Any) -> None:
        self._gen = gen
        vars(self).update(send=gen.send, throw=gen.throw, close=gen.close,
                          __name__=gen.__name__, __qualname__=gen.__qualname__)

    # The class needs these four for collections.abc.Coroutine; the instance's
    # own attributes (set above) are what is called.
    def send(self, value: Any) -> Any:  # pragma: no cover - shadowed per instance
        return self._gen.send(value)

    def throw(self, *args: Any) -> Any:  # pragma: no cover - shadowed per instance
        return self._gen.throw(*args)

    def close(self) -> None:  # pragma: no cover - shadowed per instance
        self._gen.close()

    def __await__(self) -> Generator[Any, Any, Any]:
        return self._gen  # type: ignore[no-any-return]

    @property
    def gi_code(self) -> Any:
        return self._gen.gi_code

    @property
    def gi_frame(self) -> Any:
        return self._gen.gi_frame

    @property
    def gi_running(self) -> Any:
        return self._gen.gi_running

    @property
    def gi_yieldfrom(self) -> Any:
        return self._gen.gi_yieldfrom

    def __repr__(self) -> str:
        return repr(self._gen)


def adopt(gen: Generator[Any, Any, Any]) -> _AdoptedGenerator:
    """Return the coroutine a task entry point needs for the plain generator *gen*."""
    return _AdoptedGenerator(gen)


def wrong_loop(loop: Any) -> bool:
    """Tell whether *loop* is not the running loop (outside a loop: never)."""
    running = _get_running_loop()
    return running is not None and loop is not running


def loop_error(api: str, loop: Any) -> RuntimeError:
    """Return the error for a ``loop=`` naming another loop than the running one."""
    return RuntimeError(
        f"{api}(loop=...) got {loop!r}, which is not the running event loop "
        f"{_get_running_loop()!r} (legacy_coro.install() accepts loop= only when it names "
        "the running loop; a mismatch failed before Python 3.10 too)"
    )


def running() -> Any:
    """Return the running loop, or None."""
    return _get_running_loop()


def on_loop(loop: Any, awaitables: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """Schedule gather()'s arguments on *loop*, as gather(loop=) did before 3.10."""
    return tuple(asyncio.ensure_future(a, loop=loop) for a in awaitables)


def one_on_loop(loop: Any, awaitable: Any) -> Any:
    """Schedule shield()'s argument on *loop*."""
    return asyncio.ensure_future(awaitable, loop=loop)


def set_on_loop(loop: Any, awaitables: Any) -> Any:
    """Schedule as_completed()'s arguments on *loop*."""
    return {asyncio.ensure_future(a, loop=loop) for a in set(awaitables)}


def empty_gather(loop: Any) -> Any:
    """Return what gather(loop=loop) with nothing to gather returned: a done future."""
    done = loop.create_future()
    done.set_result([])
    return done


_FUTURE_TYPES = frozenset(
    cls for cls in (
        asyncio.Future, asyncio.Task,
        getattr(asyncio.futures, "_PyFuture", None), getattr(asyncio.tasks, "_PyTask", None),
    ) if cls is not None
)


_CONTAINERS = frozenset({set, frozenset, list, tuple})


def _wait_tasks(fs: Any, recording: bool) -> Any:
    if type(fs) in _CONTAINERS:
        # the usual case, a container of futures, costs one look at each
        for f in fs:
            if type(f) not in _FUTURE_TYPES:
                break
        else:
            return fs
    elif asyncio.isfuture(fs) or asyncio.iscoroutine(fs):
        return fs  # a single one: asyncio's own TypeError follows
    fs = set(fs)
    if recording and record is not None and any(not asyncio.isfuture(f) for f in fs):
        record("asyncio.wait(coroutines)", "wait-coroutines")
    # 3.10: fs = {ensure_future(f, loop=loop) for f in set(fs)}
    return {asyncio.ensure_future(f) for f in fs}


def wait_tasks(fs: Any) -> Any:
    """Wrap the bare coroutines given to asyncio.wait() into tasks, as 3.10 did."""
    return _wait_tasks(fs, False)


def wait_tasks_recorded(fs: Any) -> Any:
    """:func:`wait_tasks`, counting the use for the report."""
    return _wait_tasks(fs, True)


# ---------------------------------------------------------------------------
# Code patches: which asyncio function gets which prelude.


class _CodeEdit(NamedTuple):
    module: str  #: where the function lives, e.g. "asyncio.tasks"
    qualname: str  #: e.g. "sleep", "BaseEventLoop.create_task"
    edit: _codepatch.Edit


def _function(module: str, qualname: str) -> Optional[types.FunctionType]:
    owner: Any = sys.modules.get(module) or importlib.import_module(module)
    for part in qualname.split("."):
        owner = getattr(owner, part, None)
        if owner is None:
            return None
    return owner if isinstance(owner, types.FunctionType) else None


def _record_line(api: str, key: str, recording: bool) -> str:
    if not recording:
        return ""
    return f"    {_codepatch.H}.record({api!r}, {key!r})\n"


def _loop_edit(name: str, recording: bool) -> _codepatch.Edit:
    """loop= accepted again; outside a running loop gather/shield/as_completed bind to it."""
    api = f"asyncio.{name}"

    def edit(node: Any) -> Tuple[str, bool]:
        h = _codepatch.H
        # coroutine functions count at call time (see _recording_loop_wrappers)
        count = recording and not isinstance(node, _ASYNC_DEF)
        source = (
            "if loop is not None:\n"
            + _record_line(f"{api}(loop=)", "loop-argument", count)
            + f"    if {h}.wrong_loop(loop):\n"
            f"        raise {h}.loop_error({api!r}, loop)\n"
        )
        if name in ("gather", "shield", "as_completed"):
            first = _codepatch.first_parameter(node)
            schedule = {"gather": "on_loop", "shield": "one_on_loop",
                        "as_completed": "set_on_loop"}[name]
            source += f"    if {h}.running() is None:\n"
            if name == "gather":
                source += f"        if not {first}:\n            return {h}.empty_gather(loop)\n"
            source += f"        {first} = {h}.{schedule}(loop, {first})\n"
        return source, True

    return edit


_ASYNC_DEF = __import__("ast").AsyncFunctionDef


def _adopt_edit(api: str, recording: bool) -> _codepatch.Edit:
    """A plain generator given as the first argument becomes a coroutine."""
    def edit(node: Any) -> Tuple[str, bool]:
        h = _codepatch.H
        first = _codepatch.first_parameter(node)
        return (
            f"if type({first}) is {h}.GeneratorType:\n"
            + _record_line(api, "generator-rejected", recording)
            + f"    {first} = {h}.adopt({first})\n",
            False,
        )
    return edit


def _wait_edit(recording: bool) -> _codepatch.Edit:
    def edit(node: Any) -> Tuple[str, bool]:
        first = _codepatch.first_parameter(node)
        helper = "wait_tasks_recorded" if recording else "wait_tasks"
        return f"{first} = {_codepatch.H}.{helper}({first})\n", False
    return edit


def _code_settings(edits: List[_CodeEdit]) -> List[Setting]:
    """Recompile each function once with all its edits; the settings that install them."""
    by_function: Dict[types.FunctionType, List[_codepatch.Edit]] = {}
    modules: Dict[str, Any] = {}
    for item in edits:
        func = _function(item.module, item.qualname)
        if func is None:  # not on this version or platform
            continue
        by_function.setdefault(func, []).append(item.edit)
        modules[func.__module__] = sys.modules[func.__module__]
    settings = [Setting(module, _codepatch.HELPERS, sys.modules[__name__])
                for module in modules.values()]
    for func, func_edits in by_function.items():
        try:
            code, kwdefaults = _codepatch.recompile(func, func_edits)
        except _codepatch.CannotPatch as exc:
            raise _codepatch.CannotPatch(
                f"legacy_coro.install() recompiles asyncio's {func.__qualname__}() from "
                f"asyncio's source files, and cannot: {exc}") from None
        settings.append(Setting(func, "__kwdefaults__", kwdefaults or None))
        settings.append(Setting(func, "__code__", code))
    return settings


# ---------------------------------------------------------------------------
# loop-argument (3.10): loop= accepted again.

_LOOP_HOMES = {
    "sleep": "asyncio.tasks", "gather": "asyncio.tasks", "wait_for": "asyncio.tasks",
    "wait": "asyncio.tasks", "shield": "asyncio.tasks", "as_completed": "asyncio.tasks",
    "open_connection": "asyncio.streams", "start_server": "asyncio.streams",
    "open_unix_connection": "asyncio.streams", "start_unix_server": "asyncio.streams",
    "create_subprocess_exec": "asyncio.subprocess",
    "create_subprocess_shell": "asyncio.subprocess",
}


def _loop_code_edits(recording: bool) -> List[_CodeEdit]:
    return [
        _CodeEdit(_LOOP_HOMES[name], name, _loop_edit(name, recording))
        for name in LOOP_ARGUMENT_REMOVED
        if name in _LOOP_HOMES
    ]


def _loop_init(cls_name: str, init: Any, record: Optional[Record]) -> Any:
    """Accept loop= in a primitive's __init__ and bind the primitive to it.

    From 3.10 a primitive binds itself to the running loop at first use
    (``_LoopBoundMixin``) and raises "... is bound to a different event loop"
    when used in another; setting ``_loop`` now keeps that check, for the
    loop the old code named.
    """
    api = f"asyncio.{cls_name}"

    # 3.10's BoundedSemaphore passes its own "not given" marker to Semaphore
    marker = getattr(sys.modules.get("asyncio.mixins"), "_marker", None)

    def __init__(self: Any, *args: Any, loop: Any = None, **kwargs: Any) -> None:
        if loop is marker:
            loop = None
        if loop is not None and wrong_loop(loop):
            raise loop_error(api, loop)
        init(self, *args, **kwargs)
        if loop is not None:
            self._loop = loop

    if record is None:
        return functools.wraps(init)(hiding(__init__))
    accept_loop = __init__

    def record_init(self: Any, *args: Any, loop: Any = None, **kwargs: Any) -> None:
        if loop is not None and loop is not marker:
            record(f"{api}(loop=)", "loop-argument")
        accept_loop(self, *args, loop=loop, **kwargs)

    return functools.wraps(init)(hiding(record_init))


def _recording_loop_wrappers(record: Record) -> List[Setting]:
    """Count ``loop=`` where a coroutine function is called, not where it starts running."""
    settings = []
    for name in LOOP_ARGUMENT_REMOVED:
        home = sys.modules.get(_LOOP_HOMES.get(name, ""))
        func = getattr(home, name, None)
        if not isinstance(func, types.FunctionType) or not (
                func.__code__.co_flags & 0x80):  # CO_COROUTINE
            continue
        api = f"asyncio.{name}(loop=)"

        def counting(*args: Any, _func: Any = func, _api: str = api, **kwargs: Any) -> Any:
            if kwargs.get("loop") is not None:
                record(_api, "loop-argument")
            return _func(*args, **kwargs)

        wrapper = functools.wraps(func)(hiding(counting))
        settings.append(Setting(asyncio, name, wrapper))
        settings.append(Setting(home, name, wrapper))
    return settings


def _patch_loop_argument(record: Optional[Record]) -> Tuple[List[Setting], List[_CodeEdit]]:
    settings = []
    for name in LOOP_ARGUMENT_REMOVED:
        target = getattr(asyncio, name, None)
        if isinstance(target, type) and "__init__" in vars(target):
            # PriorityQueue and LifoQueue inherit Queue's
            init = vars(target)["__init__"]
            settings.append(Setting(target, "__init__", _loop_init(name, init, record)))
    if record is not None:
        settings.extend(_recording_loop_wrappers(record))
    return settings, _loop_code_edits(record is not None)


# ---------------------------------------------------------------------------
# wait-coroutines (3.11): asyncio.wait() given bare coroutines wraps them into
# tasks, as 3.10 did.


def _patch_wait_coroutines(record: Optional[Record]) -> Tuple[List[Setting], List[_CodeEdit]]:
    return [], [_CodeEdit("asyncio.tasks", "wait", _wait_edit(record is not None))]


# ---------------------------------------------------------------------------
# generator-rejected (3.12): asyncio.iscoroutine() is true for a generator
# object again, as through 3.11.  Every task entry point asks it (3.12's
# create_task, ensure_future, run_coroutine_threadsafe, Runner.run, the C
# Task's __init__ that asyncio.Task(gen) and uvloop's create_task reach, and
# what is built on them: gather, wait, shield, TaskGroup), and so does old
# code that dispatches on it (aiohttp 1.x/2.x ran a handler's result when
# iscoroutine(result)).  iscoroutine() answers from its cache of coroutine
# types first: the generator type joins that cache, which costs nothing more
# (a prelude checking for generators cost asyncio.wait(), which asks
# iscoroutine() of every future, 0.8 % of its instructions).  The C Task keeps
# a cache of its own of the types iscoroutine() accepted (its module state's
# iscoroutine_typecache, reachable through gc): both forget the generator type
# at uninstall().
#
# wait_for(gen) awaited its argument inline from 3.12: a plain generator is
# no awaitable, so wait_for() adopts it (as _AdoptedGenerator).


#: (module, function, what the report calls it): where a use is counted when
#: a porting report is kept (asyncio.Task(gen) itself, a C type, is not).
_TASK_ENTRY_POINTS = (
    ("asyncio.base_events", "BaseEventLoop.create_task", "create_task(generator)"),
    ("asyncio.tasks", "create_task", "asyncio.create_task(generator)"),
    ("asyncio.tasks", "ensure_future", "asyncio.ensure_future(generator)"),
    ("asyncio.tasks", "run_coroutine_threadsafe", "asyncio.run_coroutine_threadsafe(generator)"),
    ("asyncio.runners", "Runner.run", "asyncio.run(generator)"),
)


def _iscoroutine_edit(node: Any) -> Tuple[str, bool]:
    first = _codepatch.first_parameter(node)
    return f"if type({first}) is {_codepatch.H}.GeneratorType:\n    return True\n", False


def _generators_are_coroutines() -> Tuple[List[Setting], List[_CodeEdit]]:
    """Make asyncio.iscoroutine() true for generator objects, for the C Task too."""
    cache = getattr(asyncio.coroutines, "_iscoroutine_typecache", None)
    if type(cache) is not set:  # not CPython's asyncio: recompile iscoroutine() instead
        return [], [_CodeEdit("asyncio.coroutines", "iscoroutine", _iscoroutine_edit)]

    # restored last first: the C cache is cleaned after the Python one
    return [Setting(_ledger.CLEANUP, "C iscoroutine_typecache", _forget_generators_in_c),
            Setting(_ledger.MEMBER, "asyncio.coroutines._iscoroutine_typecache",
                    (cache, GeneratorType))], []


def _count_generator_edit(api: str) -> _codepatch.Edit:
    def edit(node: Any) -> Tuple[str, bool]:
        first = _codepatch.first_parameter(node)
        return (f"if type({first}) is {_codepatch.H}.GeneratorType:\n"
                + _record_line(api, "generator-rejected", True), False)
    return edit


def _forget_generators_in_c() -> None:
    """Take the generator type out of the C Task's cache of coroutine types.

    The cache is a set in the ``_asyncio`` module's state: found as a set that
    holds the generator type and that the module refers to.  (Not through
    ``gc.get_referents(_asyncio)``: on 3.12 that also hands out the module's
    free list of iterator objects, and using those corrupts memory.)
    """
    module = sys.modules.get("_asyncio")
    if module is None:
        return
    for candidate in gc.get_referrers(GeneratorType):
        if type(candidate) is set and any(holder is module
                                          for holder in gc.get_referrers(candidate)):
            candidate.discard(GeneratorType)


def _patch_generators(record: Optional[Record]) -> Tuple[List[Setting], List[_CodeEdit]]:
    recording = record is not None
    settings, edits = _generators_are_coroutines()
    edits.append(_CodeEdit("asyncio.tasks", "wait_for",
                           _adopt_edit("asyncio.wait_for(generator)", recording)))
    if recording:
        edits.extend(_CodeEdit(module, qualname, _count_generator_edit(api))
                     for module, qualname, api in _TASK_ENTRY_POINTS)
    return settings, edits


# ---------------------------------------------------------------------------
# Behaviour changes, restored only when asked (opt-in: code written for the
# newer Python may rely on the new behaviour).
#
# wait_for-inline (3.12): wait_for(aw, timeout) awaits aw inline.  3.11 made
# it a task first whenever a timeout was given (with none it awaited it
# inline too); on a timeout 3.12 cancels the task and waits for it, as 3.11
# did, so making it a task first is all that differs.


def _wait_for_task_edit(recording: bool) -> _codepatch.Edit:
    def edit(node: Any) -> Tuple[str, bool]:
        first = _codepatch.first_parameter(node)
        h = _codepatch.H
        return (
            f"if timeout is not None and not {h}.isfuture({first}):\n"
            + _record_line("asyncio.wait_for() inline", "wait_for-inline", recording)
            + f"    {first} = {h}.ensure_future({first})\n",
            False,
        )
    return edit


def _patch_wait_for_inline(record: Optional[Record]) -> Tuple[List[Setting], List[_CodeEdit]]:
    return [], [_CodeEdit("asyncio.tasks", "wait_for", _wait_for_task_edit(record is not None))]


# wait_closed-connections (3.12.1): Server.wait_closed() waits for every open
# connection; before, it returned at once once the server was closed.


def _wait_closed_edit(recording: bool) -> _codepatch.Edit:
    def edit(node: Any) -> Tuple[str, bool]:
        return (
            "if self._sockets is None:\n"
            + _record_line("Server.wait_closed() with connections", "wait_closed-connections",
                           recording)
            + "    return\n",
            False,
        )
    return edit


def _patch_wait_closed(record: Optional[Record]) -> Tuple[List[Setting], List[_CodeEdit]]:
    return [], [_CodeEdit("asyncio.base_events", "Server.wait_closed",
                          _wait_closed_edit(record is not None))]


isfuture = asyncio.isfuture
ensure_future = asyncio.ensure_future


# fd-used-by-transport (3.7): add_reader()/add_writer()/remove_*() checked
# only an integer file descriptor against the transports before 3.7; a socket
# object passed (3.6 code wrote to its transport's socket itself) was not.


def _fd_check_edit(recording: bool) -> _codepatch.Edit:
    def edit(node: Any) -> Tuple[str, bool]:
        first = _codepatch.first_parameter(node)
        return (f"if not isinstance({first}, int):\n"
                + _record_line("loop.add_writer(transport's socket)", "fd-used-by-transport",
                               recording)
                + "    return\n", False)
    return edit


def _patch_fd_check(record: Optional[Record]) -> Tuple[List[Setting], List[_CodeEdit]]:
    return [], [_CodeEdit("asyncio.selector_events",
                          "BaseSelectorEventLoop._ensure_fd_no_transport",
                          _fd_check_edit(record is not None))]


# transport-socket (3.8): get_extra_info('socket') gave the transport's socket;
# 3.8 wraps it in a TransportSocket that refuses what would disturb the
# transport (setblocking(True); 3.11: no send(), recv(), sendfile()).


def _transport_socket_edit(recording: bool) -> _codepatch.Edit:
    def edit(node: Any) -> Tuple[str, bool]:
        h = _codepatch.H
        count = ("    " + _record_line("transport.get_extra_info('socket')",
                                         "transport-socket", True)) if recording else ""
        return ("if name == 'socket':\n"
                "    sock = self._extra.get(name, default)\n"
                f"    if type(sock) is {h}.TransportSocket:\n"
                + count
                + "        return sock._sock\n"
                "    return sock\n", False)
    return edit


TransportSocket = asyncio.trsock.TransportSocket


def _patch_transport_socket(record: Optional[Record]
                            ) -> Tuple[List[Setting], List[_CodeEdit]]:
    # every transport with a socket of its own inherits BaseTransport's
    return [], [_CodeEdit("asyncio.transports", "BaseTransport.get_extra_info",
                          _transport_socket_edit(record is not None))]


# CancelledError-base (3.8): CancelledError derived from Exception before
# (concurrent.futures.Error); old code caught it in `except Exception` blocks.
# A class's bases can be changed in place, so every reference to it, asyncio's
# own and the C module's, sees the change.


def _patch_cancelled_error(record: Optional[Record]) -> List[Setting]:
    cancelled = asyncio.CancelledError
    if issubclass(cancelled, Exception):  # pragma: no cover - 3.7 and before
        return []
    return [Setting(cancelled, "__bases__", (Exception,))]


# ---------------------------------------------------------------------------
# with-yield-from-lock (3.9): ``with (yield from lock):`` and
# ``with (await lock):`` for Lock, Condition, Semaphore, BoundedSemaphore.


class _ReleaseOnExit:
    """What ``yield from lock`` returned before 3.9: releases the lock on exit."""

    __slots__ = ("_lock",)

    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self._lock.release()
        finally:
            self._lock = None


# One physical line, so that every instruction maps to the line it is placed
# at.  A plain generator: __await__ must return an iterator that is not a
# coroutine, and ``yield from lock`` in any frame accepts a generator.
_ACQUIRE_TEMPLATE = (
    "def __iter__(self): yield from self.acquire().__await__(); return _ReleaseOnExit(self)\n"
)
_ACQUIRE_RECORDING_TEMPLATE = (
    "def __iter__(self): record(api % type(self).__name__, 'with-yield-from-lock');"
    " yield from self.acquire().__await__(); return _ReleaseOnExit(self)\n"
)


def _mixin_line(mixin: Any) -> Tuple[str, int]:
    """Return the file and line of ``class _ContextManagerMixin`` in asyncio's source."""
    filename = sys.modules[mixin.__module__].__file__ or "<asyncio.locks>"
    for number, text in enumerate(linecache.getlines(filename), 1):
        if text.startswith(f"class {mixin.__name__}"):
            return filename, number
    return filename, mixin.__aenter__.__code__.co_firstlineno


def _acquiring(mixin: Any, name: str, api: str, record: Optional[Record]) -> Any:
    """Build the mixin's ``__iter__``/``__await__``, placed in asyncio's locks.py.

    3.8's own ``__iter__`` was a generator there, so a traceback through it
    shows a frame of asyncio/locks.py, as it did then, not one of legacy_coro.
    """
    namespace: Dict[str, Any] = {"_ReleaseOnExit": _ReleaseOnExit, "record": record, "api": api}
    template = _ACQUIRE_TEMPLATE if record is None else _ACQUIRE_RECORDING_TEMPLATE
    exec(compile(template, "<legacy_coro>", "exec"), namespace)
    func = namespace["__iter__"]
    filename, line = _mixin_line(mixin)
    func.__code__ = relocated(func.__code__, filename, line, name,
                              f"{mixin.__name__}.{name}")
    func.__name__ = name
    func.__qualname__ = f"{mixin.__name__}.{name}"
    return func


def _patch_with_lock(record: Optional[Record]) -> List[Setting]:
    mixin = asyncio.locks._ContextManagerMixin  # type: ignore[attr-defined]
    return [
        Setting(mixin, "__iter__", _acquiring(mixin, "__iter__", "with (yield from %s)", record)),
        Setting(mixin, "__await__", _acquiring(mixin, "__await__", "with (await %s)", record)),
    ]


# ---------------------------------------------------------------------------
# Task.all_tasks (3.9): Task.all_tasks() and Task.current_task(), as in 3.8:
# all_tasks() gave every task of the loop still referenced, finished ones too.


def _every_task() -> List[Any]:
    tasks = asyncio.tasks
    known = getattr(tasks, "_all_tasks", None)  # 3.9-3.11: every task, finished too
    if known is None:
        known = getattr(tasks, "_scheduled_tasks", None)  # 3.12-3.13
    if known is not None and sys.version_info < (3, 14):
        return list(known) + list(getattr(tasks, "_eager_tasks", ()))
    # 3.14+: a finished task leaves asyncio's registry; a live one is still an object
    kinds = tuple({asyncio.Task, getattr(tasks, "_PyTask", asyncio.Task)})
    return [obj for obj in gc.get_objects() if isinstance(obj, kinds)]


def _task_all_tasks(cls: Any, loop: Any = None) -> Any:
    if loop is None:
        loop = asyncio.get_event_loop()
    get_loop = asyncio.futures._get_loop  # type: ignore[attr-defined]
    return {task for task in _every_task() if get_loop(task) is loop}


def _task_current_task(cls: Any, loop: Any = None) -> Any:
    if loop is None:
        loop = asyncio.get_event_loop()
    return asyncio.current_task(loop)


def _recording(func: Any, api: str, key: str, record: Optional[Record]) -> Any:
    """Return *func*, or a variant that records each call when reporting."""
    if record is None:
        return func

    def recording(*args: Any, **kwargs: Any) -> Any:
        record(api, key)
        return func(*args, **kwargs)

    return functools.wraps(func)(hiding(recording))


def _patch_task_classmethods(record: Optional[Record]) -> List[Setting]:
    all_tasks = _recording(hiding(_task_all_tasks), "asyncio.Task.all_tasks()",
                           "Task.all_tasks", record)
    current_task = _recording(hiding(_task_current_task), "asyncio.Task.current_task()",
                              "Task.all_tasks", record)
    settings = []
    classes = [asyncio.Task]
    py_task = getattr(asyncio.tasks, "_PyTask", None)  # the pure-Python Task, when C has one
    if py_task is not None and py_task is not asyncio.Task:
        classes.append(py_task)
    for cls in classes:
        settings.append(Setting(cls, "all_tasks", classmethod(all_tasks)))
        settings.append(Setting(cls, "current_task", classmethod(current_task)))
    return settings


# ---------------------------------------------------------------------------
# get_event_loop-warns (3.12) and get_event_loop-raises (3.14): in the main
# thread, with no loop set, get_event_loop() creates and sets one, silently.
# Patched on the policy, so the C get_event_loop() behind Future(),
# ensure_future() and gather() outside a loop is covered too.  Only reached
# when no loop is running: no cost inside one.


def _default_policy_class() -> Any:
    events = asyncio.events
    # 3.14 renamed the class with a leading underscore (policies are deprecated)
    for name in ("BaseDefaultEventLoopPolicy", "_BaseDefaultEventLoopPolicy"):
        if hasattr(events, name):
            return getattr(events, name)
    # 3.16 has none; the layer puts back 3.15's ("policy-removed")
    return _policy.BaseDefaultEventLoopPolicy


def _policy_classes() -> List[Any]:
    """Return the policy classes to patch: asyncio's default, and the one in use.

    uvloop up to 0.21 derived its policy from asyncio's default class, so
    patching that class covered it; from 0.22 its ``EventLoopPolicy`` is a
    class of its own (asyncio 3.14's shape: ``_local._loop``, no
    ``_set_called``) whose get_event_loop() raises with no loop set.  The
    policy in use is read from asyncio's global, not through
    ``get_event_loop_policy()``, which 3.14 deprecates and which would make
    the default policy as a side effect.  A policy set after install() is
    not patched.
    """
    default = _default_policy_class()
    classes = [default]
    policy = getattr(asyncio.events, "_event_loop_policy", None)
    if (
        policy is not None
        and not isinstance(policy, default)
        and hasattr(getattr(policy, "_local", None), "_loop")  # a loop per thread, as asyncio's
    ):
        classes.append(type(policy))
    return classes


def _patch_policy_class(policy_class: Any, record: Optional[Record]) -> List[Setting]:
    """Make *policy_class*'s get_event_loop() create the main thread's loop, as in 3.10."""
    original = policy_class.get_event_loop

    def needs_loop(policy: Any) -> bool:
        local = policy._local
        return (
            local._loop is None
            # set_event_loop(None), as asyncio.run() does on its way out,
            # made 3.10 raise from then on
            and not getattr(local, "_set_called", False)
            and threading.current_thread() is threading.main_thread()
        )

    if record is None:
        def get_event_loop(self: Any) -> Any:
            if needs_loop(self):
                self.set_event_loop(self.new_event_loop())
            return original(self)
    else:
        def get_event_loop(self: Any) -> Any:
            if needs_loop(self):
                record("asyncio.get_event_loop() with no loop", "get_event_loop-warns")
                self.set_event_loop(self.new_event_loop())
            return original(self)

    settings = [
        Setting(policy_class, "get_event_loop", functools.wraps(original)(hiding(get_event_loop)))
    ]
    if not hasattr(getattr(policy_class, "_Local", None), "_set_called"):
        # 3.14's class and uvloop's no longer note set_event_loop() calls
        original_set = policy_class.set_event_loop

        def set_event_loop(self: Any, loop: Any) -> None:
            original_set(self, loop)
            self._local._set_called = True

        settings.append(Setting(policy_class, "set_event_loop",
                                 functools.wraps(original_set)(hiding(set_event_loop))))
    return settings


def _patch_get_event_loop(record: Optional[Record]) -> List[Setting]:
    settings = []
    for policy_class in _policy_classes():
        settings.extend(_patch_policy_class(policy_class, record))
    return settings


# ---------------------------------------------------------------------------
# asyncio.coroutine (3.11): the decorator, as legacy_coro.coroutine (3.10's
# own types.coroutine semantics would give generators that 3.12+ rejects).
# asyncio.async (3.7): a keyword since; the layer's source transform
# (legacy_coro._rewrite) compiles ``asyncio.async(...)`` to the attribute
# ``async`` of asyncio, which is put back as ensure_future, as 3.6 had it.


def _patch_asyncio_coroutine(record: Optional[Record]) -> List[Setting]:
    decorator = _recording(coroutine, "@asyncio.coroutine", "asyncio.coroutine", record)
    # `from asyncio.coroutines import coroutine` is old code's spelling too
    return [Setting(asyncio, "coroutine", decorator),
            Setting(asyncio.coroutines, "coroutine", decorator)]


def _patch_asyncio_async(record: Optional[Record]) -> List[Setting]:
    ensure = _recording(asyncio.ensure_future, "asyncio.async()", "asyncio.async", record)
    return [Setting(asyncio, "async", ensure), Setting(asyncio.tasks, "async", ensure)]


# ---------------------------------------------------------------------------
# submodule-names (3.8): asyncio.futures.CancelledError and the other names
# old code reached through a submodule (legacy_coro._versions lists them).
# With a porting report, each submodule gets a module __getattr__ that counts
# the uses; without, the names are plain attributes again.


def _resolve(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _patch_submodule_names(record: Optional[Record]) -> List[Setting]:
    missing: Dict[Any, Dict[str, Any]] = {}
    for dotted, spelling in REMOVED_SUBMODULE_NAMES.items():
        module_name, _, name = dotted.rpartition(".")
        module = sys.modules.get(module_name) or importlib.import_module(module_name)
        if name not in vars(module):
            missing.setdefault(module, {})[name] = _resolve(spelling)
    if record is None:
        return [Setting(module, name, value)
                for module, names in missing.items() for name, value in names.items()]
    return [Setting(module, "__getattr__", _counting_getattr(module, names, record))
            for module, names in missing.items()]


def _counting_getattr(module: Any, names: Dict[str, Any], record: Record) -> Any:
    """A module ``__getattr__`` that gives *names* and counts each use."""
    fallback = vars(module).get("__getattr__")

    def __getattr__(name: str) -> Any:
        if name in names:
            record(f"{module.__name__}.{name}", "submodule-names")
            return names[name]
        if fallback is not None:
            return fallback(name)
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")

    return __getattr__


# ---------------------------------------------------------------------------
# policy-removed (3.16): the event loop policies, as 3.15 had them
# (legacy_coro._policy); asyncio.events' get_event_loop() (through
# _get_event_loop, which the C get_event_loop() calls), set_event_loop() and
# new_event_loop() ask the policy first, as 3.15's did.


def policy() -> Any:
    """Return the event loop policy in use (the recompiled asyncio.events functions ask)."""
    return _policy.current()


def _policy_edit(method: str) -> _codepatch.Edit:
    def edit(node: Any) -> Tuple[str, bool]:
        arguments = ", ".join(arg.arg for arg in node.args.args)
        return f"return {_codepatch.H}.policy().{method}({arguments})\n", False
    return edit


def _patch_policies(record: Optional[Record]) -> Tuple[List[Setting], List[_CodeEdit]]:
    events = asyncio.events
    unix_events = sys.modules.get("asyncio.unix_events")
    get_policy = _recording(_policy.get_event_loop_policy, "asyncio.get_event_loop_policy()",
                            "policy-removed", record)
    set_policy = _recording(_policy.set_event_loop_policy, "asyncio.set_event_loop_policy()",
                            "policy-removed", record)
    settings = [
        Setting(events, "_event_loop_policy", None),  # uninstall() deletes it again
        Setting(events, "AbstractEventLoopPolicy", _policy.AbstractEventLoopPolicy),
        Setting(events, "BaseDefaultEventLoopPolicy", _policy.BaseDefaultEventLoopPolicy),
        Setting(events, "get_event_loop_policy", get_policy),
        Setting(events, "set_event_loop_policy", set_policy),
        Setting(asyncio, "AbstractEventLoopPolicy", _policy.AbstractEventLoopPolicy),
        Setting(asyncio, "DefaultEventLoopPolicy", _policy.DefaultEventLoopPolicy),
        Setting(asyncio, "get_event_loop_policy", get_policy),
        Setting(asyncio, "set_event_loop_policy", set_policy),
    ]
    if unix_events is not None:
        settings.append(Setting(unix_events, "DefaultEventLoopPolicy",
                                _policy.DefaultEventLoopPolicy))
    _policy.register_fork_handler()
    edits = [_CodeEdit("asyncio.events", function, _policy_edit(method)) for function, method in (
        ("_get_event_loop", "get_event_loop"), ("set_event_loop", "set_event_loop"),
        ("new_event_loop", "new_event_loop"))]
    return settings, edits


# iscoroutinefunction-removed (3.16): asyncio.iscoroutinefunction(), as 3.15 had it.


def _patch_iscoroutinefunction(record: Optional[Record]) -> List[Setting]:
    coroutines = asyncio.coroutines
    marker = getattr(coroutines, "_is_coroutine", None)
    settings = []
    if marker is None:  # what old code marked its functions with
        marker = object()
        settings.append(Setting(coroutines, "_is_coroutine", marker))

    def iscoroutinefunction(func: Any) -> bool:
        """Return True if func is a decorated coroutine function."""
        return (inspect.iscoroutinefunction(func) or
                getattr(func, '_is_coroutine', None) is marker)

    iscoroutinefunction.__module__ = "asyncio.coroutines"
    function = _recording(iscoroutinefunction, "asyncio.iscoroutinefunction()",
                          "iscoroutinefunction-removed", record)
    settings.append(Setting(asyncio, "iscoroutinefunction", function))
    settings.append(Setting(coroutines, "iscoroutinefunction", function))
    return settings


# ---------------------------------------------------------------------------
# plain-generator-await (3.7, and legacy_coro's own difference): an
# undecorated generator may ``yield from`` a coroutine.  Done by the import
# hook of legacy_coro._hook, which compiles the modules imported from then on
# (the program's own, its dependencies, the test modules pytest collects)
# through the source transform of legacy_coro._rewrite.


def _patch_plain_generators(record: Optional[Record]) -> List[Setting]:
    from legacy_coro import _hook, _pytest_glue

    return [Setting(MetaPath, "finder", _hook.LegacyFinder())] + _pytest_glue.settings()


# ---------------------------------------------------------------------------
# The table: change key -> patch.  Applied in this order, removed in reverse.

_Built = Any  # List[Setting], or (List[Setting], List[_CodeEdit])


# ---------------------------------------------------------------------------
# Deprecations that remove nothing yet (3.14: the policy functions and classes,
# asyncio.iscoroutinefunction, slated for 3.16): install() silences their warnings
# (Patch.warning) and, only when a porting report is kept, records each call of
# the functions; without a report asyncio's objects stay as they are.


def _deprecated_functions(key: str, names: Tuple[str, ...]
                          ) -> Callable[[Optional[Record]], List[Setting]]:
    def build(record: Optional[Record]) -> List[Setting]:
        if record is None:
            return []
        settings = []
        for name in names:
            func = getattr(asyncio, name, None)
            if func is None:
                continue
            wrapper = _recording(func, f"asyncio.{name}()", key, record)
            settings.append(Setting(asyncio, name, wrapper))
            for module in (asyncio.events, asyncio.coroutines):
                if getattr(module, name, None) is func:
                    settings.append(Setting(module, name, wrapper))
        return settings
    return build


class Patch(NamedTuple):
    """One restored behaviour: the change that removed it and how to put it back."""

    key: str  #: the change's key in legacy_coro._versions
    build: Callable[[Optional[Record]], _Built]
    #: the DeprecationWarning the interpreter gives, where it still has the
    #: behaviour but deprecates it (a regular expression for the message)
    warning: Optional[str] = None

    @property
    def needed(self) -> bool:
        """True when the running interpreter lacks the behaviour."""
        return change(self.key).applies

    @property
    def opt_in(self) -> bool:
        """True when install() restores it only when asked."""
        return change(self.key).opt_in

    @property
    def deprecation(self) -> bool:
        """True when the change only deprecates: where it applies, install()
        silences ``warning``, as the old code ran without it, and restores nothing."""
        return change(self.key).deprecation


PATCHES: Tuple[Patch, ...] = (
    Patch("asyncio.async", _patch_asyncio_async),
    Patch("asyncio.coroutine", _patch_asyncio_coroutine, '"@coroutine" decorator is deprecated'),
    Patch(
        "Task.all_tasks", _patch_task_classmethods,
        r"Task\.(all_tasks|current_task)\(\) is deprecated",
    ),
    Patch("with-yield-from-lock", _patch_with_lock, "'with .*lock.*' is deprecated"),
    Patch("loop-argument", _patch_loop_argument, "The loop argument is deprecated"),
    Patch(
        "wait-coroutines", _patch_wait_coroutines,
        r"The explicit passing of coroutine objects to asyncio\.wait\(\) is deprecated",
    ),
    Patch("get_event_loop-warns", _patch_get_event_loop, "There is no current event loop"),
    Patch("generator-rejected", _patch_generators),
    Patch("plain-generator-await", _patch_plain_generators),
    Patch("fd-used-by-transport", _patch_fd_check),
    Patch("transport-socket", _patch_transport_socket),
    Patch("submodule-names", _patch_submodule_names),
    Patch("CancelledError-base", _patch_cancelled_error),
    Patch("wait_for-inline", _patch_wait_for_inline),
    Patch("wait_closed-connections", _patch_wait_closed),
    Patch(
        "policy-deprecated",
        _deprecated_functions(
            "policy-deprecated", ("get_event_loop_policy", "set_event_loop_policy")),
        r"'asyncio\.\w*(policy|Policy)' is deprecated",
    ),
    Patch(
        "iscoroutinefunction-deprecated",
        _deprecated_functions("iscoroutinefunction-deprecated", ("iscoroutinefunction",)),
        r"'asyncio\.iscoroutinefunction' is deprecated",
    ),
    Patch("policy-removed", _patch_policies),
    Patch("iscoroutinefunction-removed", _patch_iscoroutinefunction),
)

def settings_of(patch: Patch, record: Optional[Record]) -> List[Setting]:
    """Return everything *patch* sets (its recompiled functions included)."""
    built = patch.build(record)
    if isinstance(built, tuple):
        settings, edits = built
        return list(settings) + _code_settings(edits)
    return list(built)


def apply(record_: Optional[Record], opt_in: FrozenSet[str] = frozenset()
          ) -> Tuple[List[str], List[Saved]]:
    """Apply every needed patch; return the active keys and what to restore.

    Where the interpreter still has a behaviour but deprecates it (3.8-3.10),
    nothing in asyncio is replaced: a ``warnings`` filter ignores that one
    DeprecationWarning, as the old code ran silently.

    Args:
        record_: the porting report's recorder, or None.
        opt_in: the opt-in changes to restore too (where this Python has them).
    """
    global record
    keys: List[str] = []
    saved: List[Saved] = []
    needed = [patch for patch in PATCHES
              if patch.needed and (not patch.opt_in or patch.key in opt_in)]
    # The code patches of several changes may edit one function (wait: loop=
    # and coroutines): collect all edits and recompile each function once.
    settings: List[Setting] = []
    edits: List[_CodeEdit] = []
    silence: List[str] = []
    for patch in PATCHES:
        if patch not in needed or patch.deprecation:
            if patch.warning is not None:
                silence.append(patch.warning)
            if patch.deprecation and patch.needed:  # only ever records (with a report)
                settings.extend(patch.build(record_))
            continue
        built = patch.build(record_)
        if isinstance(built, tuple):
            settings.extend(built[0])
            edits.extend(built[1])
        else:
            settings.extend(built)
        keys.append(patch.key)
    settings = _code_settings(edits) + settings
    saved.extend(_ledger.ignore_warning(message) for message in silence)
    record = record_
    saved.append(Saved(sys.modules[__name__], "record", None))
    _ledger.apply(settings, saved)
    return keys, saved
