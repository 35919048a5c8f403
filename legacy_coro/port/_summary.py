"""The analysis of one file: its walk, summed up for the run (:class:`ModuleInfo`) and its plan.

:func:`analyse` walks the file with the core's handlers and the fixes'
(:mod:`._analyse`), folds what needs no port (:mod:`._fold`), and sums up
what the walk found.  Callees are resolved here, once the walk has bound
every name of the module (a function may call one defined below it).
"""

import ast
import re
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Set, Tuple

from legacy_coro.port import fixes
from legacy_coro.port._options import DEFAULT_TARGET
from legacy_coro.port._analyse import Walk, parse, walker
from legacy_coro.port._fold import Reduced, fold_statements
from legacy_coro.port._model import (
    DEFAULT_RENAMES, RESULT_HELPER, UNKNOWN, ClassInfo, Definition, FunctionInfo, Key,
    ModuleInfo, Path, Ref, Renames, Scopes, SiteInfo,
)
from legacy_coro.port._names import (
    PLAIN, SAME_KIND, VALUE, Fn, Scope, plainly_not_awaitable, raw_ref,
)

__all__ = ["Analysis", "Summary", "analyse"]

#: the class ``legacy-coro port`` adds where a converted function may return an awaitable
_OWN_HELPER = re.compile(re.escape(RESULT_HELPER) + r"\d*")


class Summary:
    """Sum up a finished :class:`Walk`."""

    def __init__(self, walk: Walk) -> None:
        self.walk = walk
        self.names = walk.names
        self.top = walk.top
        self._nonlocals: Optional[Set[Tuple[Path, str]]] = None
        self._scope_of: Dict[int, Scope] = {id(s.fn): s for s in walk.scopes
                                            if s.kind == "function" and s.fn is not None}

    # -- functions ---------------------------------------------------------------

    def _kinds(self, fn: Fn, scope: Scope) -> List[str]:
        parent = scope.parent or self.top
        return [self.names.decorator(d, parent) for d in fn.decorators]

    def _early(self, fn: Fn, scope: Scope, kinds: List[str]) -> List[Tuple[int, str]]:
        """What keeps a coroutine-decorated function (or a helper) as it is, before its body."""
        found: List[Tuple[int, str]] = []
        if "coroutine" in kinds:
            index = kinds.index("coroutine")
            if any(k not in SAME_KIND for k in kinds[index + 1:]):
                found.append((fn.decorators[index].lineno, "LC012"))
            if self._protocol(fn, scope, True) == "refuse":
                found.append((fn.line, "LC017"))
        if fn.name in self.walk.inspected:
            found.append((fn.line, "LC008"))
        return found

    def _protocol(self, fn: Fn, scope: Scope, decorated: bool) -> str:
        """Say how an ``__iter__`` / ``__await__`` ports: "", "iter", "await", "refuse".

        ``@coroutine def __iter__`` lets ``yield from obj`` run the coroutine;
        ``async def __iter__`` would break that and ``await obj`` alike.  It
        becomes ``async def __await_impl__`` with ``def __await__`` returning
        its ``__await__()`` (an iterator ``yield from`` accepts too) and
        ``__iter__ = __await__`` (see fixes/protocol_methods.py).  A decorated
        ``__await__`` never worked (Python refuses an ``__await__`` that returns
        a coroutine): left.  An undecorated generator ``__await__`` (or an
        ``__iter__`` serving as one) becomes ``__await_impl__`` the same way,
        when the run converts it (see _run.Run.protocols).
        """
        if fn.name not in ("__iter__", "__await__") or not fn.method:
            return ""
        if decorated and fn.name == "__await__":
            return "refuse"
        if not decorated and (not fn.yields or fn.is_async or _OWN_HELPER.fullmatch(
                fn.path[-2] if len(fn.path) > 1 else "")):
            return ""  # a plain method, or the port's own result helper: never ported
        assert isinstance(fn.node, (ast.FunctionDef, ast.AsyncFunctionDef))
        args = fn.node.args
        cls = scope.parent
        posonly: List[ast.arg] = getattr(args, "posonlyargs", [])
        if (cls is not None and "__await_impl__" in cls.names) or not args.args or posonly or (
                len(args.defaults) < len(args.args) - 1) or (
                args.vararg or args.kwonlyargs or args.kwarg):
            return "refuse"
        return "iter" if fn.name == "__iter__" else "await"

    def function_info(self, fn: Fn, scope: Scope) -> FunctionInfo:
        kinds = self._kinds(fn, scope)
        blockers: List[str] = [code for _, code in self._early(fn, scope, kinds)
                               if code != "LC008"]
        if "coroutine" in kinds:
            kind = "coroutine"
        elif fn.is_async:
            kind = "async"
        elif any(k not in SAME_KIND for k in kinds):
            kind = "other"
        else:
            kind = "generator" if fn.yields else "plain"
        for code in ("LC002", "LC006", "LC011"):
            if any(c == code for _, c in fn.blocked):
                blockers.append(code)
        if fn.name in self.walk.inspected:
            blockers.append("LC008")
        returns = tuple(self.names.resolve(raw_ref(r.value.func), scope)
                        for r in fn.returns if isinstance(r.value, ast.Call))
        results: List[Tuple[int, Tuple[Ref, ...]]] = []
        if not fn.yields and not fn.is_async:
            for ret in fn.returns:
                alternatives = self._alternatives(ret.value, scope)
                if alternatives is None:
                    results.append((ret.lineno, (UNKNOWN,)))
                elif alternatives:
                    results.append((ret.lineno, tuple(alternatives)))
        method = self.names.method_kind(scope) if fn.method else ""
        protocol = self._protocol(fn, scope, False) if kind == "generator" else ""
        return FunctionInfo(fn.path, fn.line, kind, method, fn.params, fn.values,
                            tuple(blockers), returns, tuple(results),
                            protocol if protocol in ("iter", "await") else "")

    def definitions(self) -> Tuple[Definition, ...]:
        """Every ``def`` of the file, as its plan needs it."""
        found: List[Definition] = []
        sites: Dict[int, List[Tuple[int, Key]]] = {}
        for fn, _scope, key, _raw, line in self.walk.sites:
            if key is not None:
                sites.setdefault(id(fn), []).append((line, key))
        for fn in self.walk.fns:
            scope = self._scope_of[id(fn)]
            kinds = self._kinds(fn, scope)
            index = kinds.index("coroutine") if "coroutine" in kinds else None
            legacy = index is not None and self.names.qualified_decorator(self.names.resolve(
                raw_ref(fn.decorators[index]), scope.parent or self.top)) == (
                "legacy_coro.coroutine")
            protocol = self._protocol(fn, scope, index is not None)
            found.append(Definition(
                fn.path, fn.line, index, legacy, fn.is_async, tuple(self._early(fn, scope, kinds)),
                tuple(fn.blocked), frozenset(r.lineno for r in fn.returns),
                tuple(sites.get(id(fn), ())), protocol if protocol != "refuse" else ""))
        return tuple(found)

    def _alternatives(self, node: Optional[ast.expr], scope: Scope,
                      local: bool = True) -> Optional[List[Ref]]:
        """The calls whose results a returned *node* may be, if that is all it may be.

        [] when it is plainly not awaitable (a literal...); None when it may be
        something else.  A local name (with *local*) is what every assignment of
        it in the function gives: a literal, or a call's result.
        """
        if plainly_not_awaitable(node):
            return []
        if isinstance(node, ast.Call):
            raw = raw_ref(node.func)
            return [self.names.resolve(raw, scope)] if raw is not None else None
        parts: List[ast.expr] = []
        if isinstance(node, ast.IfExp):
            parts = [node.body, node.orelse]
        elif isinstance(node, ast.BoolOp):  # `a or b` is a or b
            parts = node.values
        elif isinstance(node, ast.Name) and local:
            return self._local_alternatives(node.id, scope)
        else:
            return None
        found: List[Ref] = []
        for part in parts:
            more = self._alternatives(part, scope, local)
            if more is None:
                return None
            found += more
        return found

    def _local_alternatives(self, name: str, scope: Scope) -> Optional[List[Ref]]:
        if name in scope.globals or (scope.path, name) in self._nonlocal_targets():
            return None
        found: List[Ref] = []
        for binding in scope.names.get(name, [VALUE]):
            if binding == PLAIN:
                continue
            if binding[0] != "result":
                return None
            found.append(self.names.resolve(binding[1], scope))
        return found

    def _nonlocal_targets(self) -> Set[Tuple[Path, str]]:
        """(function path, name) for every name an inner function may rebind (``nonlocal``)."""
        if self._nonlocals is None:
            self._nonlocals = set()
            for inner in self.walk.scopes:
                parent = inner.parent
                while inner.nonlocals and parent is not None and parent.kind != "module":
                    self._nonlocals.update((parent.path, name) for name in inner.nonlocals)
                    parent = parent.parent
        return self._nonlocals

    # -- the module ----------------------------------------------------------------

    def info(self) -> ModuleInfo:
        """Return what this module tells the run-wide analysis."""
        walk, names = self.walk, self.names
        functions: Dict[Path, Tuple[FunctionInfo, ...]] = {}
        for fn in walk.fns:
            info = self.function_info(fn, self._scope_of[id(fn)])
            functions[fn.path] = functions.get(fn.path, ()) + (info,)
        classes: Dict[Path, Tuple[ClassInfo, ...]] = {}
        for path, line, bases, body in walk.classes:
            outer = body.parent or self.top
            bound = {name: _class_binding(bindings) for name, bindings in body.names.items()}
            refs = tuple(names.resolve(raw_ref(b), outer) for b in bases)
            classes[path] = classes.get(path, ()) + (ClassInfo(path, line, refs, bound),)
        exports = {name: tuple(names.apply(b, (), self.top, 0) for b in bindings)
                   for name, bindings in self.top.names.items()}
        sites = tuple(SiteInfo(fn.path, key, names.resolve(raw, scope), line)
                      for fn, scope, key, raw, line in walk.sites)
        others: Set[Ref] = set()
        for name, scope in walk.other_names:
            where, bindings = names.lookup(scope, name)
            for binding in bindings:
                if binding[0] in ("def", "class", "import"):
                    others.add(names.apply(binding, (), where or self.top, 0))
        flows = [(names.resolve(callee, scope), at, names.resolve(inner, scope))
                 for scope, callee, at, inner in walk.argflows]
        tasks = {names.resolve(raw, scope) for raw, scope in walk.task_uses}
        for scope, callee, inner in walk.maybe_tasks:
            target = names.resolve(callee, scope)
            if target[0] == "q" and _is_asyncio(target[1]):
                tasks.add(names.resolve(inner, scope))
            else:  # not asyncio's: an ordinary use of g, and g() handed to f
                ref = names.resolve(inner, scope)
                others.add(ref)
                flows.append((target, 0, ref))
        return ModuleInfo(walk.name, names.module, walk.uses_asyncio, functions, classes,
                          exports, tuple(self.top.stars), sites, frozenset(others),
                          frozenset(walk.other_attrs), tuple(flows), frozenset(walk.setattrs),
                          frozenset(tasks))

    def scope_table(self) -> Scopes:
        """Return what the transform asks about names inside functions and classes."""
        merged: Dict[Path, Dict[str, List[Tuple[object, ...]]]] = {}
        kinds: Dict[Path, str] = {}
        for scope in self.walk.scopes:
            if scope.kind == "module":
                continue
            kinds[scope.path] = scope.kind
            table = merged.setdefault(scope.path, {})
            for name, bound in scope.names.items():
                table.setdefault(name, []).extend(bound)
        names: Dict[Path, Dict[str, Optional[str]]] = {}
        tasks: Dict[Path, FrozenSet[str]] = {}
        for path, table in merged.items():
            names[path] = {
                name: (str(bound[0][1]) if bound[0][0] == "import"
                       and all(b == bound[0] for b in bound) else None)
                for name, bound in table.items()}
            tasks[path] = frozenset(name for name, bound in table.items()
                                    if all(b == ("tasks",) for b in bound))
        walk = self.walk
        return Scopes(names, tasks, kinds, frozenset(walk.inspected), walk.name, walk.package,
                      dict(walk.versions), self._helper_names(), dict(walk.aliases))

    def _helper_names(self) -> Dict[str, Tuple[str, bool]]:
        """A module-level name for each helper of the fixes: the port's own, or a free name."""
        found: Dict[str, Tuple[str, bool]] = {}
        for base in _HELPERS:
            number = 1
            while True:
                name = base + (str(number) if number > 1 else "")
                bound = self.top.names.get(name)
                if bound in ([("class", (name,))], [("def", (name,))]):
                    found[base] = (name, True)
                    break
                if bound is None and not self.walk.counts.get(name):
                    found[base] = (name, False)
                    break
                number += 1
        return found


def _class_binding(bindings: List[Tuple[object, ...]]) -> str:
    """What a class body binds a name to: "def", "=OTHER" (``__await__ = __iter__``), "other"."""
    if all(b[0] == "def" for b in bindings):
        return "def"
    if len(bindings) == 1 and bindings[0][0] == "alias":
        return f"={bindings[0][1]}"
    return "other"


def _is_asyncio(name: str) -> bool:
    from legacy_coro._versions import canonical_asyncio

    return canonical_asyncio(name).split(".")[0] == "asyncio"


#: the base names of the helpers the fixes may add to a module
_HELPERS = tuple(fix.helper for fix in fixes.FIXES if fix.helper)
#: walks with the core's handlers and every fix's
_WALK = walker(fixes.FIXES)


class Analysis(NamedTuple):
    """The analysis of one file."""

    #: the text LibCST gets; None when the text cannot be folded (a lone carriage return)
    reduced: Optional[Reduced]
    info: ModuleInfo
    scopes: Scopes
    counts: Dict[str, int]  #: Name uses (see Walk.counts)
    definitions: Tuple[Definition, ...]  #: every ``def`` of the file
    reports: Tuple[Tuple[int, str, str], ...] = ()  #: sites the walk found: (line, code, detail)


def analyse(text: str, module: str = "", package: bool = False, fold: bool = True,
            ident: str = "", target: Tuple[int, int] = DEFAULT_TARGET,
            renames: Renames = DEFAULT_RENAMES,
            aliases: Optional[Dict[str, str]] = None) -> Optional[Analysis]:
    """Read *text* with :mod:`ast`: what to fold (with *fold*) and what its names are.

    *module* is the file's dotted module name and *package* whether it is a
    package's ``__init__`` (relative imports are resolved with them); *ident*
    names the file in references to its own functions (default: *module*);
    *target* is the oldest Python the port's output must run on (a version
    branch that never runs there is left out); *renames* says what ``async``
    and ``await`` used as names became in *text*; *aliases* names what
    module-level imports from other modules of the run are (see
    _run.RunNames.aliases).  Returns None when the running Python cannot parse
    *text* (newer syntax).
    """
    lone_cr = re.search(r"\r(?!\n)", text) is not None
    tree = parse(text.replace("\r\n", "\n").replace("\r", "\n") if lone_cr else text)
    if tree is None:
        return None
    walk: Walk = _WALK(text, module, package, ident, target, renames, aliases)
    walk.walk(tree.body)
    reduced = None if lone_cr else fold_statements(walk, tree.body, fold)
    summary = Summary(walk)
    return Analysis(reduced, summary.info(), summary.scope_table(), dict(walk.counts),
                    summary.definitions(), tuple(sorted(set(walk.reports))))
