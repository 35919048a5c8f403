"""What the stages of the port hand each other: one module's facts, the run's facts, the plan.

Plain data (named tuples of tuples, dicts and strings), so that it crosses to
and from worker processes.  No stage's code is here.

* :class:`ModuleInfo` (with :class:`FunctionInfo`, :class:`ClassInfo`,
  :class:`SiteInfo`): what the analysis of one file tells the analysis of the
  run (:mod:`._run`);
* :class:`Facts`: what the analysis of the run tells the plan of one file;
* :class:`Scopes`: what the transform asks about names inside functions.
"""

from typing import Any, Dict, FrozenSet, NamedTuple, Optional, Tuple, Union

__all__ = [
    "Binding", "ClassInfo", "DEFAULT_RENAMES", "Definition", "Facts", "FunctionInfo", "Key",
    "ModuleInfo", "Path", "RESULT_HELPER", "RawRef", "Ref", "Renames", "Scopes", "SiteInfo",
    "UNKNOWN",
]

Path = Tuple[str, ...]  #: where a function, class or scope sits: ("Class", "method")
Binding = Tuple[Any, ...]  #: what a name is bound to in one scope (see _names.Scope.bind)
RawRef = Tuple[Any, ...]  #: a callee as written: ("name", n), ("dotted", parts), ("super", m)
Key = Tuple[Any, ...]  #: ("call", parts) / ("super", m) / ("name", n): a yield from's operand
#: A reference resolved within its module: ("fn", module, path), ("cls", module, path),
#: ("q", qualified import name), ("method", module, class path, name, subclasses too),
#: ("super", module, class path, name), ("param", module, function path, index, name),
#: ("result", ref): what calling ref returned, ("attr", name): a method of an object
#: the port cannot see, ("builtin", name): a name the module does not bind, ("tasks",),
#: ("unknown",), ("any", (ref, ...)).
Ref = Tuple[Any, ...]
UNKNOWN: Ref = ("unknown",)

#: the class ``legacy-coro port`` adds to a module that needs it (LC018)
RESULT_HELPER = "_LegacyCoroResult"


class Renames(NamedTuple):
    """What ``async`` and ``await`` used as names (legal before 3.7) become in one run.

    The same in every file of the run, and free in all of them (see
    :func:`legacy_coro.port._run.choose_renames`).
    """

    for_async: str = "async_"
    for_await: str = "await_"

    def of(self, word: str) -> str:
        """The new name of *word* ("async" or "await")."""
        return self.for_async if word == "async" else self.for_await

    def old(self, name: str) -> Optional[str]:
        """The old name that *name* is the new name of, if it is one."""
        return "async" if name == self.for_async else "await" if name == self.for_await else None


#: the new names of a run none of whose files uses them already
DEFAULT_RENAMES = Renames()


class FunctionInfo(NamedTuple):
    """One function of the module, as the run-wide analysis needs it."""

    path: Path
    line: int  #: the line of ``def`` (for a decorated function, not the decorator's)
    kind: str  #: "coroutine" (decorated), "async", "generator", "plain", "other" (decorated)
    method: str  #: "" (a function), "method", "static", "class"
    params: Tuple[str, ...]  #: positional parameters, in order
    data: bool  #: has a ``yield VALUE``: a generator of values, not a coroutine helper
    #: reason codes that would keep it from becoming ``async def``, known from this module
    blockers: Tuple[str, ...]
    returns: Tuple[Ref, ...]  #: the callees of ``return CALL(...)``
    #: for a function that never yields: each ``return VALUE`` whose value is not plainly
    #: something no awaiting applies to, as (line, the callees whose results it may be);
    #: an ``("unknown",)`` callee: it may be anything else
    results: Tuple[Tuple[int, Tuple[Ref, ...]], ...] = ()
    #: an undecorated generator method ``__await__`` ("await") or ``__iter__`` ("iter")
    #: that could become ``async def __await_impl__`` (see Run.protocols)
    protocol: str = ""


class ClassInfo(NamedTuple):
    """One class of the module."""

    path: Path
    line: int
    bases: Tuple[Ref, ...]
    #: what the class body binds: name -> "def", "=NAME" (another name of it), "other"
    names: Dict[str, str]


class SiteInfo(NamedTuple):
    """One ``yield from`` inside a function."""

    fn: Path  #: the function it is in
    key: Optional[Key]  #: how the transform names its operand (None: not a call or name)
    ref: Ref  #: the operand's callee (or the name's binding), resolved in the module
    line: int


class ModuleInfo(NamedTuple):
    """What one module tells the run-wide analysis (:mod:`legacy_coro.port._run`)."""

    module: str  #: dotted module name ("" when unknown)
    ident: str  #: how references name this module's own objects (its file; else the name)
    uses_asyncio: bool  #: imports asyncio or legacy_coro
    functions: Dict[Path, Tuple[FunctionInfo, ...]]  #: more than one: defined twice
    classes: Dict[Path, Tuple[ClassInfo, ...]]
    exports: Dict[str, Tuple[Ref, ...]]  #: module-level names
    stars: Tuple[str, ...]  #: ``from M import *`` at module level
    sites: Tuple[SiteInfo, ...]
    others: FrozenSet[Ref]  #: functions, classes and imports used otherwise than called
    other_attrs: FrozenSet[str]  #: attribute names used otherwise than called
    #: (callee, position or keyword, callee of the call given there): f(g())
    argflows: Tuple[Tuple[Ref, Union[int, str], Ref], ...]
    setattrs: FrozenSet[Tuple[str, str]]  #: ``NAME.attr = ...`` at module level
    tasks: FrozenSet[Ref]  #: callees whose call is handed to a task: ensure_future(f())


class Facts(NamedTuple):
    """What the run-wide analysis tells the plan of one module."""

    helpers: FrozenSet[Path] = frozenset()  #: undecorated generators that become async def
    #: (function path, key of a yield from's operand) -> (code, detail): keep the function
    blocks: Dict[Tuple[Path, Key], Tuple[str, str]] = {}
    reports: Tuple[Tuple[int, str, str], ...] = ()  #: LC003 / LC004: (line, code, detail)
    notes: Tuple[Tuple[int, str], ...] = ()  #: (line, helper converted), for the report
    #: the module imports asyncio or legacy_coro, or a run-local module that converts
    #: something: only there can the transform have something to do
    rewrites: bool = True
    #: decorated function that never yields -> the lines of its ``return VALUE``s whose
    #: value may be awaitable (3.10's decorator awaited it; see Run.unproven)
    results: Dict[Path, FrozenSet[int]] = {}
    #: such values go through the port's helper (else the function stays: LC001)
    result_helper: bool = True
    #: the run's modules renamed (``pkg.async`` -> ``pkg.async_``): (old, new) dotted
    #: names; a string literal that names one of them follows
    moved_modules: Tuple[Tuple[str, str], ...] = ()


class Definition(NamedTuple):
    """One ``def`` of the file, as the plan of that file needs it (it stays in the worker)."""

    path: Path
    line: int  #: the line of ``def``
    decorator: Optional[int]  #: index of the coroutine decorator among its decorators
    legacy: bool  #: that decorator is legacy_coro's
    asynchronous: bool
    #: (line, code): what keeps it from converting, seen before its body (LC012, LC017,
    #: LC008); and what its body holds (LC002, LC006, LC011)
    early: Tuple[Tuple[int, str], ...]
    body: Tuple[Tuple[int, str], ...]
    returns: FrozenSet[int]  #: the lines of its ``return`` statements
    sites: Tuple[Tuple[int, Key], ...]  #: (line, key) of each ``yield from`` it holds
    #: an ``__iter__`` ("iter") or undecorated generator ``__await__`` ("await") that
    #: becomes ``async def __await_impl__`` if it converts (fixes/protocol_methods.py)
    protocol: str = ""


class Scopes(NamedTuple):
    """What the transform asks about names inside functions and classes."""

    #: scope path -> local name -> the qualified name it imports (None: something else)
    names: Dict[Path, Dict[str, Optional[str]]]
    #: function path -> names bound only to tasks (``t = loop.create_task(c)``)
    tasks: Dict[Path, FrozenSet[str]]
    kinds: Dict[Path, str]  #: scope path -> "function", "lambda", "class"
    #: names passed to ``iscoroutinefunction()`` other than asyncio's (LC008)
    inspected: FrozenSet[str] = frozenset()
    module: str = ""  #: the module's dotted name, for its relative imports
    package: bool = False  #: whether it is a package's ``__init__``
    #: line of an ``if`` / ``elif`` -> the value its ``sys.version_info`` test has on
    #: every Python of the target: the other branch never runs there, and is left as it is
    versions: Dict[int, bool] = {}
    #: each helper the fixes may add (its base name, see _helpers.py) -> its name in this
    #: module, and whether it is defined at module level already (a module ported before)
    helpers: Dict[str, Tuple[str, bool]] = {}
    #: module-level names imported from another module of the run that are asyncio's
    #: there: local name -> what it is ("asyncio", "asyncio.coroutine")
    aliases: Dict[str, str] = {}
