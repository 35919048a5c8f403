"""The analysis of the run: which function a ``yield from`` hands control to, across files.

``yield from X`` may only become ``await X`` where ``X`` is awaitable after the
port.  This module takes what the analysis of each file (:mod:`._analyse`,
:mod:`._summary`) found in every file of the run, resolves each callee through imports, scopes,
classes and their bases, and decides:

* which undecorated generator functions become ``async def`` too (every use of
  them is ``yield from`` inside a coroutine, or a call handed to a task);
* which ``yield from`` sites must keep their function on ``legacy_coro.coroutine``
  (LC015: the operand is a plain generator, or an object with ``__iter__`` but
  no ``__await__``);
* which ``yield from`` sites in undecorated generators are errors (LC004: the
  callee is a function this run converts) and which are warnings (LC003, only in
  modules that use asyncio or legacy_coro or call into what the run converts).

What it cannot see is taken to be awaitable: a method of an object whose class
is not resolved (``self.reader.read()``), a parameter, an attribute, a call into
another package.  The porting guide of the documentation says where that line is and why.
Plain Python: LibCST is not imported here.
"""

import os
import re
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from legacy_coro._versions import ASYNCIO_COROUTINE_FUNCTIONS, canonical_asyncio
from legacy_coro.port._model import (
    RESULT_HELPER, ClassInfo, Facts, FunctionInfo, Key, ModuleInfo, Path, Ref, Renames,
)

__all__ = ["Run", "RunNames", "choose_renames", "module_name", "moved_path", "renamed_module"]

Target = Tuple[Any, ...]  #: what a reference may be (see Run.targets)
FnId = Tuple[str, Path]  #: (module ident, function path)
_UNKNOWN: Target = ("unknown",)
_DEPTH = 8
#: the class ``legacy-coro port`` adds where a converted function may return an awaitable
_OWN_HELPER = re.compile(re.escape(RESULT_HELPER) + r"\d*")


def module_name(path: str) -> Tuple[str, bool]:
    """Return the dotted module name of the file *path* and whether it is a package.

    The directories above it that hold an ``__init__.py`` are its packages.
    """
    directory, filename = os.path.split(os.path.abspath(path))
    stem = filename[:-3] if filename.endswith(".py") else filename
    package = stem == "__init__"
    parts = [] if package else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, name = os.path.split(directory)
        parts.append(name)
        if not name:
            break
    parts.reverse()
    return ".".join(p for p in parts if p), package


#: the words a run's new names for ``async`` / ``await`` must not be (see choose_renames)
CANDIDATES = re.compile(rb"a(?<!\wa)(?:sync|wait)_+\b")  # the literal first: fast
_OLD_NAMES = ("async", "await")


def choose_renames(taken: Iterable[str]) -> Renames:
    """The shortest ``async_``, ``async__``... (``await_``...) that is none of *taken*.

    *taken*: the candidates found anywhere in the run's files (code, strings,
    comments: a string may name an attribute) and among its paths.
    """
    taken = set(taken)
    found = []
    for word in _OLD_NAMES:
        new = word + "_"
        while new in taken:
            new += "_"
        found.append(new)
    return Renames(*found)


def renamed_module(module: str, renames: Renames) -> str:
    """The dotted name *module* has once its ``async``/``await`` parts are renamed."""
    if "async" not in module and "await" not in module:
        return module
    return ".".join(renames.of(part) if part in _OLD_NAMES else part
                    for part in module.split("."))


def moved_path(path: str, renames: Renames) -> str:
    """Where the file *path* goes once the modules and packages named async/await are renamed.

    The file itself if its name is ``async.py``/``await.py``, and each
    directory above it that is a package (holds an ``__init__.py``) of that
    name, as far as *path* names them.
    """
    if "async" not in path and "await" not in path:
        return path
    head, name = os.path.split(path)
    stem, extension = os.path.splitext(name)
    if stem in _OLD_NAMES and extension == ".py":
        name = renames.of(stem) + extension
    parts = [name]
    while head and os.path.isfile(os.path.join(head, "__init__.py")):
        head, directory = os.path.split(head)
        if not directory:  # a root, or a trailing separator
            break
        parts.append(renames.of(directory) if directory in _OLD_NAMES else directory)
    parts.append(head)
    return os.path.join(*reversed(parts)) if head else os.path.join(*reversed(parts[:-1]))


class RunNames:
    """The functions and classes of every module of one run, and what a reference is."""

    def __init__(self, infos: Dict[str, ModuleInfo]) -> None:
        self.infos = infos  #: module ident -> what the analysis of the file found
        self.by_name: Dict[str, List[str]] = {}
        for ident, info in infos.items():
            if info.module:
                self.by_name.setdefault(info.module, []).append(ident)
        self.functions: Dict[FnId, Tuple[FunctionInfo, ...]] = {}
        self.classes: Dict[FnId, Tuple[ClassInfo, ...]] = {}
        for ident, info in infos.items():
            for path, fns in info.functions.items():
                self.functions[(ident, path)] = fns
            for path, classes in info.classes.items():
                self.classes[(ident, path)] = classes
        self._targets: Dict[Ref, Tuple[Target, ...]] = {}
        self.subclasses: Dict[FnId, Set[FnId]] = {}
        for key, classes in self.classes.items():
            for cls in classes:
                for base in cls.bases:
                    for target in self.targets(base):
                        if target[0] == "cls":
                            self.subclasses.setdefault(
                                (target[1], target[2]), set()).add(key)

    # -- resolving references -------------------------------------------------

    def targets(self, ref: Ref, depth: int = 0) -> Tuple[Target, ...]:
        """Return what *ref* may be: functions, classes, parameters, asyncio names, unknown."""
        if depth == 0:
            cached = self._targets.get(ref)
            if cached is not None:
                return cached
        found = tuple(self._targets_of(ref, depth)) if depth < _DEPTH else (_UNKNOWN,)
        if depth == 0:
            self._targets[ref] = found
        return found

    def _targets_of(self, ref: Ref, depth: int) -> List[Target]:
        kind = ref[0]
        if kind in ("fn", "cls", "param", "builtin"):
            return [ref]
        if kind == "q":
            return self._qualified(ref[1], depth)
        if kind == "method":
            _, module, cls, name, subclasses = ref
            found = self._method(module, cls, name, depth)
            if subclasses:
                for sub in self._all_subclasses((module, cls)):
                    for info in self.classes.get(sub, ()):
                        if name in info.names:
                            found.append(("fn", sub[0], sub[1] + (name,))
                                         if info.names[name] == "def" else _UNKNOWN)
            return found
        if kind == "super":
            _, module, cls, name = ref
            found = []
            for info in self.classes.get((module, cls), ()):
                for base in info.bases:
                    for target in self.targets(base, depth + 1):
                        if target[0] == "cls":
                            found += self._method(target[1], target[2], name,
                                                  depth + 1)
                        else:
                            found.append(_UNKNOWN)
            return found or [_UNKNOWN]
        if kind == "result":
            return list(self.targets(ref[1], depth + 1))
        if kind == "any":
            return [t for one in ref[1] for t in self.targets(one, depth + 1)]
        if kind == "attr":
            return [("attr", ref[1])]
        if kind == "tasks":
            return []
        return [_UNKNOWN]

    def _qualified(self, name: str, depth: int) -> List[Target]:
        if depth >= _DEPTH:  # imports that go round in circles
            return [_UNKNOWN]
        parts = name.split(".")
        if parts[0] in ("asyncio", "legacy_coro"):
            return [("asyncio", name)]
        for cut in range(len(parts), 0, -1):
            idents = self.by_name.get(".".join(parts[:cut]))
            if not idents:
                continue
            rest = parts[cut:]
            if not rest:
                return [("module", ident) for ident in idents]
            found: List[Target] = []
            for ident in idents:
                info = self.infos[ident]
                refs = info.exports.get(rest[0])
                if refs is None:
                    refs = tuple(("q", f"{star}.{rest[0]}") for star in info.stars)
                for ref in refs or (("unknown",),):
                    found += self._extend(ref, rest[1:], depth + 1)
            return found
        return [_UNKNOWN]

    def aliases(self, ident: str) -> Dict[str, str]:
        """The module-level names of *ident* that are asyncio's (or legacy_coro's) elsewhere.

        ``from .compat import asyncio``, where the run's ``compat`` imports
        asyncio (perhaps with a fallback the run cannot see, ``trollius``):
        local name -> what it is, e.g. ``{"asyncio": "asyncio"}``.  The file is
        analysed again with them (see _pipeline._scan_all).
        """
        found: Dict[str, str] = {}
        for name, refs in self.infos[ident].exports.items():
            imported = [ref[1] for ref in refs if ref[0] == "q"]
            if not imported or len(imported) != len(refs) or any(
                    q.split(".")[0] in ("asyncio", "legacy_coro") for q in imported):
                continue  # not an import, or one of asyncio's own: nothing to learn
            targets = [t for q in imported for t in self.targets(("q", q))]
            named = {t[1] for t in targets if t[0] == "asyncio"}
            if len(named) == 1 and all(t[0] == "asyncio" or t == _UNKNOWN for t in targets):
                found[name] = named.pop()
        return found

    def _extend(self, ref: Ref, rest: List[str], depth: int) -> List[Target]:
        """Targets of ``REF.rest...``."""
        if not rest:
            return list(self.targets(ref, depth))
        if ref[0] == "q":
            return self._qualified(".".join([ref[1]] + rest), depth + 1)
        if ref[0] == "cls" and len(rest) == 1:
            return self._method(ref[1], ref[2], rest[0], depth)
        return [("attr", rest[-1])]

    def _method(self, module: str, cls: Path, name: str, depth: int) -> List[Target]:
        """Where ``cls.name`` is found along the class's bases (first found wins)."""
        if depth >= _DEPTH:
            return [_UNKNOWN]
        found: List[Target] = []
        for info in self.classes.get((module, cls), ()):
            if name in info.names:
                found.append(("fn", module, cls + (name,))
                             if info.names[name] == "def" else _UNKNOWN)
                continue
            for base in info.bases:
                inherited: List[Target] = []
                for target in self.targets(base, depth + 1):
                    if target[0] == "cls":
                        inherited += self._method(target[1], target[2], name,
                                                  depth + 1)
                    elif target != ("builtin", "object"):
                        inherited.append(_UNKNOWN)
                if inherited:
                    found += inherited
                    break
        return found

    def _all_subclasses(self, cls: FnId) -> Set[FnId]:
        seen: Set[FnId] = set()
        todo = [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return seen


class Run(RunNames):
    """What the functions of a run become: which convert, which ``yield from`` is refused."""

    def __init__(self, infos: Dict[str, ModuleInfo],
                 refused: Iterable[FnId] = (), result_helper: bool = True) -> None:
        super().__init__(infos)
        self.refused: Set[FnId] = set(refused)  #: functions a file's plan would not convert
        #: a decorated function whose returned value may be awaitable converts (its
        #: values passed through the port's helper); else it stays on legacy_coro (LC001)
        self.result_helper = result_helper
        self._plain: Dict[Ref, bool] = {}
        self._by_name: Optional[Dict[str, List[FnId]]] = None  #: see _generators_named
        self.other_attrs: Set[str] = set()
        self.others: Set[Target] = set()
        self.task_used: Set[Target] = set()
        for info in infos.values():
            self.other_attrs |= info.other_attrs
            for ref in info.others:
                self.others.update(self.targets(ref))
            for ref in info.tasks:
                self.task_used.update(self.targets(ref))
        #: undecorated generator ``__await__`` / ``__iter__`` methods that convert
        self.protocols: Set[FnId] = self._protocol_candidates()
        while True:
            self.helpers = self._helpers()
            self.sinks = self._sinks()
            # one whose yield from the run refuses stays a generator: plan again without it
            blocked = {fid for fid in self.protocols if self._blocked_sites(fid)}
            if not blocked:
                break
            self.protocols -= blocked

    # -- undecorated generators that serve ``await`` ---------------------------

    def _protocol_candidates(self) -> Set[FnId]:
        """Undecorated generator methods that are ``__await__``, or an ``__iter__`` serving as one.

        An ``__iter__`` serves as ``__await__`` when its class binds ``__await__ =
        __iter__``, or when it does ``yield from`` on a coroutine function
        (asyncio's, or one decorated with the coroutine decorator): iterating it
        with ``for`` never worked; ``yield from obj`` in a coroutine did.
        """
        found: Set[FnId] = set()
        for fid, infos in self.functions.items():
            if len(infos) != 1 or fid in self.refused:
                continue
            info = infos[0]
            if info.kind != "generator" or not info.protocol or info.blockers:
                continue
            has_sites = any(site.fn == fid[1] for site in self.infos[fid[0]].sites)
            if has_sites and (info.protocol == "await" or self._serves_await(fid)):
                found.add(fid)  # (bare `yield`s only: it works on every Python as it is)
        return found

    def _serves_await(self, fid: FnId) -> bool:
        ident, path = fid
        for cls in self.classes.get((ident, path[:-1]), ()):
            if cls.names.get("__await__") == "=__iter__":
                return True
        return any(self._coroutine_function(target)
                   for site in self.infos[ident].sites if site.fn == path
                   for target in self.targets(site.ref))

    def _coroutine_function(self, target: Target) -> Optional[str]:
        """The name of *target* if calling it gives a coroutine on 3.7+ without the run."""
        if target[0] == "asyncio":
            name = canonical_asyncio(target[1])
            if name.startswith("asyncio.") and name[8:] in ASYNCIO_COROUTINE_FUNCTIONS:
                return name[8:]
            return None
        if target[0] == "fn":
            for info in self.functions.get((target[1], target[2]), ()):
                if info.kind == "coroutine":
                    return ".".join(info.path)
        return None

    # -- what each callee gives ----------------------------------------------

    def _coroutine(self, target: Target) -> Optional[str]:
        """The name of *target* if it is a function this run converts (or moves to legacy_coro).

        Its calls give native coroutine objects after the port, which a plain
        generator cannot ``yield from``.  An ``async def`` already did before.
        """
        if target[0] != "fn":
            return None
        fid: FnId = (target[1], target[2])
        for info in self.functions.get(fid, ()):
            if info.kind == "coroutine" or fid in self.helpers:
                return ".".join(info.path)
        return None

    def plain_generator(self, target: Target, depth: int = 0) -> Optional[str]:
        """Name *target* when calling it gives something ``await`` refuses."""
        kind = target[0]
        if kind == "fn":
            fid: FnId = (target[1], target[2])
            for info in self.functions.get(fid, ()):
                name = ".".join(info.path)
                if info.kind == "generator" and fid not in self.helpers:
                    return name
                if info.kind == "plain" and depth < 2:
                    for ref in info.returns:
                        for inner in self.targets(ref):
                            if self.plain_generator(inner, depth + 1):
                                return name
        elif kind == "cls":
            if not self._awaitable_class((target[1], target[2])):
                return ".".join(target[2])
        elif kind == "attr":
            for fid in self._generators_named(target[1]):
                if fid not in self.helpers:
                    return ".".join(fid[1])
        return None

    def _generators_named(self, name: str) -> List[FnId]:
        """Undecorated generators of the run called *name*.

        Those that ``yield VALUE`` too: a generator that yields futures
        (``x = yield fut``) was a coroutine to a 3.4-3.10 Task as well.
        """
        if self._by_name is None:
            self._by_name = {}
            for fid, infos in self.functions.items():
                if any(i.kind == "generator" for i in infos):
                    self._by_name.setdefault(fid[1][-1], []).append(fid)
        return self._by_name.get(name, [])

    def _awaitable_class(self, cls: FnId, depth: int = 0) -> bool:
        """False when instances have ``__iter__`` but no ``__await__`` after the port."""
        if depth > _DEPTH:
            return True
        for info in self.classes.get(cls, ()):
            ident, path = cls
            if "__await__" in info.names or (
                    len(path) == 1 and (path[0], "__await__") in self.infos[ident].setattrs):
                return True
            if "__iter__" in info.names:
                return self.iter_converts((ident, path + ("__iter__",)))
            for base in info.bases:
                for target in self.targets(base):
                    if target[0] == "cls":
                        if not self._awaitable_class((target[1], target[2]),
                                                     depth + 1):
                            return False
        return True

    def iter_converts(self, fid: FnId) -> bool:
        """Whether a class's ``__iter__`` is a coroutine the port converts (decorated, or not)."""
        if fid in self.protocols:
            return True
        infos = self.functions.get(fid, ())
        return (len(infos) == 1 and infos[0].kind == "coroutine" and not infos[0].blockers
                and fid not in self.refused and not self._blocked_sites(fid)
                and (self.result_helper or not self.unproven(infos[0])))

    # -- what a decorated function that never yields returns -----------------

    def unproven(self, info: FunctionInfo) -> FrozenSet[int]:
        """The lines of the ``return VALUE``s of *info* whose value may be awaitable.

        A value is known not to be when it is plainly not (a literal, an f-string,
        arithmetic on them, a comparison...), or a call of a plain function of the
        run (resolved as a ``yield from`` callee is: module functions, methods
        through self, cls, super() and the bases, the overrides of the run's
        subclasses) whose every returned value is known not to be, or a local
        name every assignment of which in the function is one of those.
        """
        return frozenset(line for line, alternatives in info.results
                         if not all(self.plain_results(ref) for ref in alternatives))

    def unresolved(self) -> Set[str]:
        """The names of the imported callees a decorated function returns the result of
        that the run does not know: a file of the run not read yet may define them."""
        names: Set[str] = set()
        for fns in self.functions.values():
            for info in fns:
                if info.kind != "coroutine":
                    continue
                for _, alternatives in info.results:
                    for ref in alternatives:
                        if ref[0] == "q" and _UNKNOWN in self.targets(ref):
                            names.add(ref[1].split(".")[-1])
        return names

    def plain_results(self, ref: Ref, depth: int = 0,
                      seen: FrozenSet[FnId] = frozenset()) -> bool:
        """Whether every value a call of *ref* can return is known not to be awaitable.

        Each callee must be a plain function of the run (no yield, not ``async``,
        no decorator but staticmethod, classmethod or functools.wraps).  A call
        back into a function being checked adds no value of its own (*seen*);
        deeper than _DEPTH calls is not known.
        """
        if depth == 0:
            cached = self._plain.get(ref)
            if cached is not None:
                return cached
        found = self._plain_results(ref, depth, seen)
        if depth == 0:
            self._plain[ref] = found
        return found

    def _plain_results(self, ref: Ref, depth: int, seen: FrozenSet[FnId]) -> bool:
        if depth > _DEPTH:
            return False
        targets = self.targets(ref)
        if not targets:
            return False
        for target in targets:
            if target[0] != "fn":
                return False
            fid: FnId = (target[1], target[2])
            if fid in seen:
                continue
            infos = self.functions.get(fid, ())
            if not infos:
                return False
            for info in infos:
                if info.kind != "plain":
                    return False
                for _, alternatives in info.results:
                    for inner in alternatives:
                        if not self.plain_results(inner, depth + 1, seen | {fid}):
                            return False
        return True

    def _blocked_sites(self, fid: FnId) -> bool:
        info = self.infos[fid[0]]
        return any(site.fn == fid[1] and self.site_verdict(fid[0], site.ref, site.key)
                   for site in info.sites)

    def site_verdict(self, ident: str, ref: Ref, key: Optional[Key]) -> Optional[str]:
        """Name what a ``yield from`` in a coroutine would await that ``await`` refuses."""
        if key is None:
            return None
        if key[0] == "call" and key[1][-1] in ("__await__", "__iter__"):
            return f"{key[1][-1]}()"  # an iterator: what await takes, not something to await
        for target in self.targets(ref):
            if target[0] == "param":
                sink = self.sinks.get((target[1], target[2], target[4]))
                if sink:
                    return sink
                continue
            name = self.plain_generator(target)
            if name:
                return name
        return None

    # -- which undecorated generators convert --------------------------------

    def _helpers(self) -> Set[FnId]:
        helpers: Set[FnId] = set()
        for fid, infos in self.functions.items():
            if len(infos) != 1 or fid in self.refused:
                continue
            info = infos[0]
            if (info.kind == "generator" and not info.method and not info.blockers
                    and ("fn",) + fid not in self.others
                    and info.path[-1] not in self.other_attrs):
                helpers.add(fid)
        self.helpers = helpers  # the verdicts below read it
        self.sinks = {}
        uses: Dict[FnId, List[FnId]] = {fid: [] for fid in helpers}
        for ident, module in self.infos.items():
            for site in module.sites:
                for target in self.targets(site.ref):
                    if target[0] == "fn" and (target[1], target[2]) in uses:
                        uses[(target[1], target[2])].append((ident, site.fn))
        changed = True
        while changed:
            self.sinks = self._sinks()
            changed = False
            for fid in sorted(helpers):
                used = uses[fid]
                ok = bool(used) or ("fn",) + fid in self.task_used
                for caller in used:
                    kinds = {i.kind for i in self.functions.get(caller, ())}
                    if not (kinds == {"coroutine"} or caller in helpers):
                        ok = False
                if ok and self._blocked_sites(fid):
                    ok = False
                if not ok:
                    helpers.discard(fid)
                    changed = True
        return helpers

    def _sinks(self) -> Dict[Tuple[str, Path, str], str]:
        """Parameters that are handed a plain generator object: f(gen()) -> f's parameter."""
        sinks: Dict[Tuple[str, Path, str], str] = {}
        for info in self.infos.values():
            for callee, at, arg in info.argflows:
                given = next((name for t in self.targets(arg)
                              for name in [self.plain_generator(t)] if name), None)
                if not given:
                    continue
                bound = callee[0] in ("method", "super", "attr")
                for target in self.targets(callee):
                    if target[0] != "fn":
                        continue
                    for fn in self.functions.get((target[1], target[2]), ()):
                        if isinstance(at, str):
                            param = at
                        else:
                            index = at + (1 if bound and fn.method in ("method", "class") else 0)
                            if index >= len(fn.params):
                                continue
                            param = fn.params[index]
                        sinks[(target[1], target[2], param)] = given
        return sinks

    # -- the facts for each module --------------------------------------------

    def _converts_something(self, ident: str) -> bool:
        info = self.infos[ident]
        refs = [site.ref for site in info.sites] + list(info.others) + list(info.tasks)
        return any(self._coroutine(t) for ref in refs for t in self.targets(ref))

    def facts(self, ident: str) -> Facts:
        """Return what the transform of module *ident* needs from the run."""
        info = self.infos[ident]
        helpers = frozenset(path for (where, path) in self.helpers if where == ident)
        protocols = frozenset(path for (where, path) in self.protocols if where == ident)
        kinds = {path: {i.kind for i in fns} for path, fns in info.functions.items()}
        blocks: Dict[Tuple[Path, Key], Tuple[str, str]] = {}
        reports: List[Tuple[int, str, str]] = []
        asyncio_module: Optional[bool] = info.uses_asyncio or None
        for site in info.sites:
            kind = kinds.get(site.fn, set())
            if "coroutine" in kind or site.fn in helpers or site.fn in protocols:
                name = self.site_verdict(ident, site.ref, site.key)
                if name and site.key is not None:
                    blocks[(site.fn, site.key)] = ("LC015", name)
                continue
            if not kind & {"generator", "other"}:
                continue
            converted = next((name for t in self.targets(site.ref)
                              for name in [self._coroutine(t) or self._coroutine_function(t)]
                              if name), None)
            if converted:
                reports.append((site.line, "LC004", converted.split(".")[-1]))
                continue
            if len(site.fn) == 2 and site.fn[1] == "__await__" and _OWN_HELPER.fullmatch(
                    site.fn[0]):
                continue  # the port's own result helper (RESULT_HELPER_CODE) does it on purpose
            if asyncio_module is None:
                asyncio_module = self._converts_something(ident)
            if asyncio_module:
                callee = ""
                if site.key is not None and site.key[0] == "call":
                    callee = site.key[1][-1]
                elif site.key is not None:
                    callee = site.key[1]
                reports.append((site.line, "LC003", callee))
        notes = tuple(sorted((self.functions[(ident, path)][0].line, ".".join(path))
                             for path in helpers))
        rewrites = bool(info.uses_asyncio or helpers or protocols)
        results: Dict[Path, FrozenSet[int]] = {}
        for path, fns in info.functions.items():
            for fn in fns:
                if fn.kind == "coroutine" and fn.results:
                    lines = self.unproven(fn)
                    if lines:
                        results[path] = results.get(path, frozenset()) | lines
        return Facts(helpers | protocols, blocks, tuple(sorted(reports)), notes, rewrites, results,
                     self.result_helper)
