"""The opt-in compat layer's patches: put back what asyncio removed.

Imported by :func:`legacy_coro.install` only (it imports asyncio), never at
import of legacy_coro.  ``install()`` applies, under a lock, each
patch whose change (a row of :mod:`legacy_coro._versions`) the running
interpreter has -- and only those: on 3.9 the ``loop=`` patch is not applied,
because 3.9 still takes ``loop=``.  Every patch is a small unit named after
its change key; it lists the attributes it sets, and :func:`uninstall` puts
the saved originals back (or deletes what did not exist before), so the
interpreter's own behaviour and error messages come back unchanged.

Where the interpreter still has a behaviour but deprecates it (3.8-3.10),
nothing in asyncio is replaced: only that one DeprecationWarning is ignored,
through a ``warnings`` filter that :func:`restore` removes again.

When a recorder is given (the porting report), each patch installs a
*recording* variant of its replacement; without one, the replacement has no
recording code at all, not even a flag test.
"""

import asyncio
import asyncio.events
import asyncio.locks
import asyncio.queues
import asyncio.tasks
import ctypes
import functools
import gc
import sys
import threading
import types
import warnings
from typing import Any, Callable, Generator, List, NamedTuple, Optional, Tuple

from legacy_coro._shim import _CO_GENERATOR, _CO_ITERABLE_COROUTINE, coroutine
from legacy_coro._versions import LOOP_ARGUMENT_REMOVED, change

__all__ = ["PATCHES", "Patch", "Record", "apply", "restore"]

#: record(api, key): called by a recording variant each time old code uses a
#: restored behaviour (the porting report's Recorder.record)
Record = Callable[[str, str], None]

_MISSING = object()


class _Setting(NamedTuple):
    owner: Any  # a module or a class
    name: str
    value: Any


class _Saved(NamedTuple):
    owner: Any
    name: str
    old: Any  # _MISSING when the attribute was not in owner's own __dict__


def _own(owner: Any, name: str) -> Any:
    """Return *owner*'s own attribute *name* (not an inherited one), or _MISSING."""
    return vars(owner).get(name, _MISSING)


def _set(owner: Any, name: str, value: Any) -> None:
    """Set or (value _MISSING) delete an attribute, also on immutable C types.

    ``asyncio.Task`` is ``_asyncio.Task``, a C type whose attributes cannot be
    assigned; its ``Task.all_tasks`` is put back by writing to the type's dict
    and telling CPython the type changed (``PyType_Modified`` drops the
    method cache), the only way to give a C type an attribute from Python.
    """
    if owner is _MetaPath:
        if value is _MISSING:
            finder = vars(_MetaPath).get(name)
            if finder in sys.meta_path:
                sys.meta_path.remove(finder)
            delattr(_MetaPath, name)
        else:
            setattr(_MetaPath, name, value)
            sys.meta_path.insert(0, value)
        return
    try:
        if value is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, value)
        return
    except TypeError:
        if not isinstance(owner, type):
            raise
    namespace = gc.get_referents(owner.__dict__)[0]
    if value is _MISSING:
        namespace.pop(name, None)
    else:
        namespace[name] = value
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(owner))


# ---------------------------------------------------------------------------
# Helpers shared by the patches.


def _running_loop() -> Optional[asyncio.AbstractEventLoop]:
    return asyncio.events._get_running_loop()


def _check_loop(api: str, loop: Any) -> None:
    """Refuse a loop= that is not the running loop, as the old code failed too."""
    running = _running_loop()
    if running is not None and loop is not running:
        raise RuntimeError(
            f"{api}(loop=...) got {loop!r}, which is not the running event loop {running!r} "
            "(legacy_coro.install() accepts loop= only when it names the running loop; a "
            "mismatch failed before Python 3.10 too)"
        )


# ---------------------------------------------------------------------------
# loop-argument (3.10): loop= accepted again.


def _schedule_on(loop: Any, awaitable: Any) -> Any:
    return asyncio.ensure_future(awaitable, loop=loop)


def _loop_function(name: str, func: Any, record: Optional[Record]) -> Any:
    """Accept loop=; outside a running loop, schedule eagerly-scheduled args on it."""
    api = f"asyncio.{name}(loop=)"

    def bind(loop: Any, args: Tuple[Any, ...]) -> Tuple[Any, ...]:
        # Only gather, shield and as_completed schedule their arguments at
        # call time; called before the loop runs, they now pick the current
        # loop, so hand them futures of the loop the old code named.
        if _running_loop() is not None:
            return args
        if name == "gather":
            return tuple(_schedule_on(loop, a) for a in args)
        if name == "shield" and args:
            return (_schedule_on(loop, args[0]),) + args[1:]
        if name == "as_completed" and args:
            return ({_schedule_on(loop, f) for f in set(args[0])},) + args[1:]
        return args

    if record is None:
        @functools.wraps(func)
        def accept_loop(*args: Any, loop: Any = None, **kwargs: Any) -> Any:
            if loop is not None:
                _check_loop(f"asyncio.{name}", loop)
                if name == "gather" and not args and _running_loop() is None:
                    done = loop.create_future()
                    done.set_result([])
                    return done
                args = bind(loop, args)
            return func(*args, **kwargs)

        return accept_loop

    plain = _loop_function(name, func, None)

    @functools.wraps(func)
    def record_loop(*args: Any, **kwargs: Any) -> Any:
        if "loop" in kwargs:
            record(api, "loop-argument")
        return plain(*args, **kwargs)

    return record_loop


def _loop_init(cls_name: str, init: Any, record: Optional[Record]) -> Any:
    """Accept loop= in a primitive's __init__ and bind the primitive to it.

    From 3.10 a primitive binds itself to the running loop at first use
    (``_LoopBoundMixin``) and raises "... is bound to a different event loop"
    when used in another; setting ``_loop`` now keeps that check, for the
    loop the old code named.
    """
    api = f"asyncio.{cls_name}(loop=)"

    # 3.10's BoundedSemaphore passes its own "not given" marker to Semaphore
    marker = getattr(sys.modules.get("asyncio.mixins"), "_marker", None)

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, loop: Any = None, **kwargs: Any) -> None:
        if loop is marker:
            loop = None
        if loop is not None:
            _check_loop(f"asyncio.{cls_name}", loop)
        init(self, *args, **kwargs)
        if loop is not None:
            self._loop = loop

    if record is None:
        return __init__
    accept_loop = __init__

    @functools.wraps(init)
    def record_init(self: Any, *args: Any, loop: Any = None, **kwargs: Any) -> None:
        if loop is not None and loop is not marker:
            record(api, "loop-argument")
        accept_loop(self, *args, loop=loop, **kwargs)

    return record_init


def _patch_loop_argument(record: Optional[Record]) -> List[_Setting]:
    settings = []
    for name in LOOP_ARGUMENT_REMOVED:
        target = getattr(asyncio, name, None)
        if target is None:  # the unix variants exist only on POSIX
            continue
        if not isinstance(target, type):
            settings.append(_Setting(asyncio, name, _loop_function(name, target, record)))
        elif "__init__" in vars(target):  # PriorityQueue and LifoQueue inherit Queue's
            settings.append(
                _Setting(target, "__init__", _loop_init(name, vars(target)["__init__"], record))
            )
    return settings


# ---------------------------------------------------------------------------
# wait-coroutines (3.11): asyncio.wait() given bare coroutines wraps them into
# tasks, as 3.10 did (``fs = {ensure_future(f) for f in set(fs)}``).


def _patch_wait_coroutines(record: Optional[Record]) -> List[_Setting]:
    original = asyncio.wait
    api = "asyncio.wait(coroutines)"

    # a single future or coroutine instead of a list: asyncio's own TypeError
    def single(fs: Any) -> bool:
        return asyncio.isfuture(fs) or asyncio.iscoroutine(fs)

    if record is None:
        @functools.wraps(original)
        async def wait(fs: Any, **kwargs: Any) -> Any:
            if not single(fs):
                fs = {asyncio.ensure_future(f) for f in set(fs)}
            return await original(fs, **kwargs)
    else:
        @functools.wraps(original)
        async def wait(fs: Any, **kwargs: Any) -> Any:
            if not single(fs):
                fs = set(fs)
                if any(not asyncio.isfuture(f) for f in fs):
                    record(api, "wait-coroutines")
                fs = {asyncio.ensure_future(f) for f in fs}
            return await original(fs, **kwargs)

    return [_Setting(asyncio, "wait", wait)]


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


def _acquire_for_with(self: Any) -> Generator[Any, None, _ReleaseOnExit]:
    # A plain generator: __await__ must return an iterator that is not a
    # coroutine, and `yield from lock` in any frame accepts a generator.
    yield from self.acquire().__await__()
    return _ReleaseOnExit(self)


def _patch_with_lock(record: Optional[Record]) -> List[_Setting]:
    mixin = asyncio.locks._ContextManagerMixin  # type: ignore[attr-defined]
    if record is None:
        return [
            _Setting(mixin, "__iter__", _acquire_for_with),
            _Setting(mixin, "__await__", _acquire_for_with),
        ]
    def recording(word: str) -> Callable[[Any], Generator[Any, None, _ReleaseOnExit]]:
        def method(self: Any) -> Generator[Any, None, _ReleaseOnExit]:
            record(f"with ({word} {type(self).__name__})", "with-yield-from-lock")
            return _acquire_for_with(self)
        return method

    return [
        _Setting(mixin, "__iter__", recording("yield from")),
        _Setting(mixin, "__await__", recording("await")),
    ]


# ---------------------------------------------------------------------------
# Task.all_tasks (3.9): Task.all_tasks() and Task.current_task(), as in 3.8.


def _task_all_tasks(cls: Any, loop: Any = None) -> Any:
    if loop is None:
        loop = asyncio.get_event_loop()
    return asyncio.all_tasks(loop)


def _task_current_task(cls: Any, loop: Any = None) -> Any:
    if loop is None:
        loop = asyncio.get_event_loop()
    return asyncio.current_task(loop)


def _recording(func: Any, api: str, key: str, record: Optional[Record]) -> Any:
    """Return *func*, or a variant that records each call when reporting."""
    if record is None:
        return func

    @functools.wraps(func)
    def recording(*args: Any, **kwargs: Any) -> Any:
        record(api, key)
        return func(*args, **kwargs)

    return recording


def _patch_task_classmethods(record: Optional[Record]) -> List[_Setting]:
    all_tasks = _recording(_task_all_tasks, "asyncio.Task.all_tasks()", "Task.all_tasks", record)
    current_task = _recording(
        _task_current_task, "asyncio.Task.current_task()", "Task.all_tasks", record
    )
    settings = []
    classes = [asyncio.Task]
    py_task = getattr(asyncio.tasks, "_PyTask", None)  # the pure-Python Task, when C has one
    if py_task is not None and py_task is not asyncio.Task:
        classes.append(py_task)
    for cls in classes:
        settings.append(_Setting(cls, "all_tasks", classmethod(all_tasks)))
        settings.append(_Setting(cls, "current_task", classmethod(current_task)))
    return settings


# ---------------------------------------------------------------------------
# get_event_loop-warns (3.12) and get_event_loop-raises (3.14): in the main
# thread, with no loop set, get_event_loop() creates and sets one, silently.
# Patched on the policy, so the C get_event_loop() behind Future(),
# ensure_future() and gather() outside a loop is covered too.


def _default_policy_class() -> Any:
    events = asyncio.events
    # 3.14 renamed the class with a leading underscore (policies are deprecated)
    for name in ("BaseDefaultEventLoopPolicy", "_BaseDefaultEventLoopPolicy"):
        if hasattr(events, name):
            return getattr(events, name)
    raise RuntimeError("legacy_coro: asyncio has no default event loop policy class")


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


def _patch_policy_class(policy_class: Any, record: Optional[Record]) -> List[_Setting]:
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
        @functools.wraps(original)
        def get_event_loop(self: Any) -> Any:
            if needs_loop(self):
                self.set_event_loop(self.new_event_loop())
            return original(self)
    else:
        @functools.wraps(original)
        def get_event_loop(self: Any) -> Any:
            if needs_loop(self):
                record("asyncio.get_event_loop() with no loop", "get_event_loop-warns")
                self.set_event_loop(self.new_event_loop())
            return original(self)

    settings = [_Setting(policy_class, "get_event_loop", get_event_loop)]
    if not hasattr(getattr(policy_class, "_Local", None), "_set_called"):
        # 3.14's class and uvloop's no longer note set_event_loop() calls
        original_set = policy_class.set_event_loop

        @functools.wraps(original_set)
        def set_event_loop(self: Any, loop: Any) -> None:
            original_set(self, loop)
            self._local._set_called = True

        settings.append(_Setting(policy_class, "set_event_loop", set_event_loop))
    return settings


def _patch_get_event_loop(record: Optional[Record]) -> List[_Setting]:
    settings = []
    for policy_class in _policy_classes():
        settings.extend(_patch_policy_class(policy_class, record))
    return settings


# ---------------------------------------------------------------------------
# asyncio.coroutine (3.11): the decorator, as legacy_coro.coroutine (3.10's
# own types.coroutine semantics would give generators that 3.12+ rejects).


def _patch_asyncio_coroutine(record: Optional[Record]) -> List[_Setting]:
    if record is None:
        return [_Setting(asyncio, "coroutine", coroutine)]
    return [
        _Setting(
            asyncio, "coroutine",
            _recording(coroutine, "@asyncio.coroutine", "asyncio.coroutine", record),
        )
    ]


# ---------------------------------------------------------------------------
# generator-rejected (3.12): the task entry points take a generator object
# again (create_task(gen()), ensure_future, run_until_complete, asyncio.run,
# run_coroutine_threadsafe, and everything built on them: gather, wait,
# shield, wait_for, TaskGroup).  The generator is driven by a legacy
# coroutine that yields from it, so asyncio sees a native coroutine.


@coroutine
def _generator_task(gen: Any) -> Any:
    return (yield from gen)


def _adopt(obj: Any) -> Any:
    if type(obj) is types.GeneratorType:
        return _generator_task(obj)
    return obj


def _adopting(func: Any, api: str, record: Optional[Record], method: bool = False) -> Any:
    """Wrap *func* so that a generator as its first argument becomes a coroutine."""
    if method:
        if record is None:
            @functools.wraps(func)
            def adopt_method(self: Any, coro: Any, *args: Any, **kwargs: Any) -> Any:
                return func(self, _adopt(coro), *args, **kwargs)
        else:
            @functools.wraps(func)
            def adopt_method(self: Any, coro: Any, *args: Any, **kwargs: Any) -> Any:
                if type(coro) is types.GeneratorType:
                    record(api, "generator-rejected")
                return func(self, _adopt(coro), *args, **kwargs)
        return adopt_method

    if record is None:
        @functools.wraps(func)
        def adopt(coro: Any, *args: Any, **kwargs: Any) -> Any:
            return func(_adopt(coro), *args, **kwargs)
    else:
        @functools.wraps(func)
        def adopt(coro: Any, *args: Any, **kwargs: Any) -> Any:
            if type(coro) is types.GeneratorType:
                record(api, "generator-rejected")
            return func(_adopt(coro), *args, **kwargs)
    return adopt


def _patch_generators(record: Optional[Record]) -> List[_Setting]:
    import asyncio.base_events

    settings = []
    loop_class = asyncio.base_events.BaseEventLoop
    settings.append(_Setting(
        loop_class, "create_task",
        _adopting(loop_class.create_task, "create_task(generator)", record, method=True),
    ))
    # create_task too: on a loop that is not a BaseEventLoop (uvloop) it is
    # the one entry point left to adopt the generator before the loop sees it
    for name in ("ensure_future", "create_task", "run_coroutine_threadsafe"):
        func = getattr(asyncio.tasks, name)
        wrapper = _adopting(func, f"asyncio.{name}(generator)", record)
        # base_events and gather/shield/wait_for look the name up in asyncio.tasks
        settings.append(_Setting(asyncio.tasks, name, wrapper))
        settings.append(_Setting(asyncio, name, wrapper))
    runner = getattr(asyncio, "Runner", None)
    if runner is not None:  # 3.11+: asyncio.run() goes through Runner.run()
        settings.append(_Setting(
            runner, "run", _adopting(runner.run, "asyncio.run(generator)", record, method=True)
        ))
    return settings


# ---------------------------------------------------------------------------
# plain-generator-await (3.7, and legacy_coro's own difference): an
# undecorated generator may ``yield from`` a coroutine -- asyncio.sleep() and
# every helper that became ``async def`` in 3.7, and a decorated legacy
# coroutine, which legacy_coro makes native.  CPython refuses that in a frame
# whose code lacks CO_ITERABLE_COROUTINE, the flag types.coroutine sets; the
# check reads the *code*, so it cannot be lifted for a generator already
# created.  What can be done is to flag the program's own generator code
# before it runs: the runner flags the script it compiles, and this patch adds
# an import hook that flags the modules imported from then on, for files
# outside the standard library and site-packages.  The generators stay
# generators (next(), for, send() unchanged); they also become awaitable, as
# 3.10's @asyncio.coroutine made decorated ones.

def flag_generators(code: types.CodeType) -> types.CodeType:
    """Return *code* with CO_ITERABLE_COROUTINE on every generator code object in it."""
    consts = tuple(
        flag_generators(const) if isinstance(const, types.CodeType) else const
        for const in code.co_consts
    )
    flags = code.co_flags
    if flags & _CO_GENERATOR:
        flags |= _CO_ITERABLE_COROUTINE
    if consts == code.co_consts and flags == code.co_flags:
        return code
    return code.replace(co_consts=consts, co_flags=flags)


def _library_dirs() -> Tuple[str, ...]:
    import os
    import site
    import sysconfig

    dirs = {sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs.update(getattr(site, "getsitepackages", lambda: [])())
    dirs.add(os.path.dirname(os.path.abspath(__file__)))  # legacy_coro itself
    return tuple(os.path.join(os.path.realpath(d), "") for d in dirs)


def _flagging_finder(record: Optional[Record]) -> Any:
    import importlib.abc
    import importlib.machinery
    import os

    library = _library_dirs()

    class FlaggingLoader(importlib.machinery.SourceFileLoader):
        def get_code(self, fullname: str) -> Any:
            # the cached .pyc stays the interpreter's own: flag after loading
            code = super().get_code(fullname)
            return None if code is None else flag_generators(code)

    class LegacyGeneratorFinder(importlib.abc.MetaPathFinder):
        """Flags the generators of the program's own modules (legacy_coro.install())."""

        def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
            if (
                spec is None
                or type(spec.loader) is not importlib.machinery.SourceFileLoader
                or not spec.origin
                or os.path.realpath(spec.origin).startswith(library)
            ):
                return None
            spec.loader = FlaggingLoader(fullname, spec.origin)
            return spec

    return LegacyGeneratorFinder()


class _MetaPath:
    """Stands for sys.meta_path's first slot in the saved settings."""


def _patch_plain_generators(record: Optional[Record]) -> List[_Setting]:
    return [_Setting(_MetaPath, "finder", _flagging_finder(record))]


# ---------------------------------------------------------------------------
# The table: change key -> patch.  Applied in this order, removed in reverse.


class Patch(NamedTuple):
    """One restored behaviour: the change that removed it and how to put it back."""

    key: str  #: the change's key in legacy_coro._versions
    build: Callable[[Optional[Record]], List[_Setting]]
    #: the DeprecationWarning the interpreter gives, where it still has the
    #: behaviour but deprecates it (a regular expression for the message)
    warning: Optional[str] = None

    @property
    def needed(self) -> bool:
        """True when the running interpreter lacks the behaviour."""
        return change(self.key).applies


PATCHES: Tuple[Patch, ...] = (
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
)

# Where the interpreter still has a behaviour but deprecates it (3.8-3.10),
# install() changes nothing in asyncio: it only adds a warnings filter that
# ignores that one DeprecationWarning, as the old code ran silently.  The
# filter is recorded like a patch, with this marker as its owner.
_FILTERS = object()


def _remove_filter(entry: Any) -> None:
    try:
        warnings.filters.remove(entry)  # type: ignore[attr-defined]  # a list at run time
    except ValueError:  # already gone (a test's catch_warnings() restored the list)
        return
    mutated = getattr(warnings, "_filters_mutated", None)  # clears the filter cache
    if mutated is not None:
        mutated()


def apply(record: Optional[Record]) -> Tuple[List[str], List[_Saved]]:
    """Apply every needed patch; return the active keys and what to restore."""
    keys: List[str] = []
    saved: List[_Saved] = []
    for patch in PATCHES:
        if not patch.needed:
            if patch.warning is not None:
                warnings.filterwarnings("ignore", patch.warning, DeprecationWarning)
                saved.append(_Saved(_FILTERS, patch.key, warnings.filters[0]))
            continue
        for setting in patch.build(record):
            saved.append(_Saved(setting.owner, setting.name, _own(setting.owner, setting.name)))
            _set(setting.owner, setting.name, setting.value)
        keys.append(patch.key)
    return keys, saved


def restore(saved: List[_Saved]) -> None:
    """Undo :func:`apply`, last change first."""
    for item in reversed(saved):
        if item.owner is _FILTERS:
            _remove_filter(item.old)
        else:
            _set(item.owner, item.name, item.old)
