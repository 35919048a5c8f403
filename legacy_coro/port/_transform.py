"""The transform of one file: one LibCST walk that carries the plan out, fix by fix.

The walk hands each node to the handlers the fixes (:mod:`legacy_coro.port.fixes`)
registered for its type, entering and leaving it.  Every handler gets the
:class:`Transformer`, which gives it:

* :attr:`Transformer.ctx`, the read-only :class:`Context` of the file: the
  target, the plan, the facts of the run, what names mean;
* where the walk is: :attr:`Transformer.frames` (the functions, lambdas and
  classes around the node, innermost last) and :meth:`Transformer.qualified`;
* :attr:`Transformer.out`, the :class:`Ledger` it writes to: the sites it
  leaves, the functions it converts, the imports the module needs or no
  longer uses.

Nothing is undone: the plan decided what converts before the walk started.
"""

from typing import Any, Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Tuple

import libcst as cst

from legacy_coro._versions import canonical_asyncio
from legacy_coro.port._context import Context, Frame, Ledger
from legacy_coro.port._cst import LEAVES, dotted, inert, parameters, realign, root_name
from legacy_coro.port._imports import Imports
from legacy_coro.port._model import Path
from legacy_coro.port._registry import Fix, tables

__all__ = ["Dispatch", "Transformer", "dispatch"]


class Transformer(cst.CSTTransformer):
    """Walk one module with the fixes' handlers; read :attr:`out` afterwards."""

    def __init__(self, ctx: Context, handlers: "Dispatch") -> None:
        super().__init__()
        self.ctx = ctx
        self.out = Ledger()
        self.handlers = handlers
        self.frames: List[Frame] = []
        #: the function, lambda or class being left (already off :attr:`frames`)
        self.left: Optional[Frame] = None
        self.imports = Imports(ctx, self.out)
        #: per-fix state for this module (fixes.wait's pending calls...), by fix name
        self.state: Dict[str, Any] = {}
        self.line_edits: List[int] = []
        #: id(node) -> its qualified name (several fixes ask of the same call)
        self._qualified: Dict[int, Tuple[cst.BaseExpression, Optional[str]]] = {}
        self._visitors: Dict[type, Tuple[Callable[..., Any], ...]] = {}
        self._leavers: Dict[type, Tuple[Callable[..., Any], ...]] = {}

    # -- what the fixes ask ------------------------------------------------------

    @property
    def frame(self) -> Optional[Frame]:
        return self.frames[-1] if self.frames else None

    def path(self, name: str) -> Path:
        return (self.frames[-1].path if self.frames else ()) + (name,)

    def qualified(self, node: cst.BaseExpression) -> Optional[str]:
        """Return the qualified name an expression refers to through the imports.

        Names bound inside the enclosing functions (and the class body being
        walked) come first, as in Python; asyncio's submodules are read as
        asyncio (``asyncio.queues.Queue`` is ``asyncio.Queue``).
        """
        key = id(node)
        known = self._qualified.get(key)
        if known is not None and known[0] is node:
            return known[1]
        found = self._qualify(node)
        self._qualified[key] = (node, found)  # the node too: its id is not reused meanwhile
        return found

    def _qualify(self, node: cst.BaseExpression) -> Optional[str]:
        parts = dotted(node)
        if not parts:
            return None
        root = parts[0]
        if self.frames:
            names = self.ctx.scopes.names
            innermost = self.frames[-1]
            for frame in reversed(self.frames):
                if frame.kind == "class" and frame is not innermost:
                    continue
                table = names.get(frame.path)
                if table is not None and root in table:
                    bound = table[root]
                    if bound is None:
                        return None
                    return canonical_asyncio(".".join([bound] + parts[1:]))
        bound = self.imports.binding(root)
        if bound is None:
            return None
        return canonical_asyncio(".".join([bound] + parts[1:]))

    def report(self, node: cst.CSTNode, code: str, detail: str = "") -> None:
        """Leave a site at *node* (of the original module)."""
        self.out.reports.append((node, code, detail))

    def edited(self) -> None:
        """Say that the node being left changed: its statement realigns its comments."""
        self.out.edits += 1

    def took_out(self, node: cst.BaseExpression) -> None:
        """Say that a reference to *node*'s root name went from the module."""
        root = root_name(node)
        if root:
            self.out.removed[root] += 1

    # -- the walk ----------------------------------------------------------------
    # LibCST's own on_visit/on_leave look a method up by a formatted name for
    # every node, and its attribute hooks do so for every field: with some 14
    # nodes a line, that was a third of a port.  The same dispatch, looked up
    # once per node type; no attribute visitors.

    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        try:
            handlers = self._visitors[kind]
        except KeyError:
            handlers = self._visitors[kind] = self.handlers.visit.get(kind, ())
        for handler in handlers:
            if handler(self, node) is False:
                return False
        return self.worth_entering(node)

    def worth_entering(self, node: cst.CSTNode) -> bool:
        """Whether anything below *node* may need porting.

        LibCST rebuilds every node whose children it visits.  Below a name, a
        literal, punctuation or a dotted name there is nothing to port: leave
        them as they are.
        """
        if type(node) in LEAVES:
            return False
        if isinstance(node, cst.Arg) and inert(node.value):
            # `f(asyncio.futures.TimeoutError)`: a dotted name a fix acts on
            parts = dotted(node.value) if isinstance(node.value, cst.Attribute) else None
            return parts is not None and parts[-1] in self.handlers.keywords
        return _worth_entering(node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        kind = type(original_node)
        try:
            handlers = self._leavers[kind]
        except KeyError:
            handlers = self._leavers[kind] = self.handlers.leave.get(kind, ())
        node: Any = updated_node
        for handler in handlers:
            node = handler(self, original_node, node)
            if type(node) is not kind:  # it became something else: its own handlers are done
                break
        return node

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None

    def transform(self, module: cst.Module, interesting: Optional[List[bool]] = None,
                  binds: Optional[List[Optional[str]]] = None) -> cst.Module:
        """Transform *module*: only the top-level statements flagged *interesting*.

        *binds* names what each top-level statement binds (a def or class): once
        past it, the name is no longer the import's.
        """
        self.imports.read(module)
        body: List[cst.BaseStatement] = []
        flags = interesting if interesting is not None else [True] * len(module.body)
        names = binds if binds is not None else [None] * len(module.body)
        for stmt, wanted, bound in zip(module.body, flags, names):
            if wanted:
                new = stmt.visit(self)
                assert isinstance(new, cst.BaseStatement)
                body.append(new)
                continue
            body.append(stmt)
            if bound:
                self.imports.shadow(bound)
        updated = module.with_changes(body=body)
        for finish in self.handlers.finish:
            updated = finish(self, module, updated)
        return self.imports.finish(module, updated)


def _worth_entering(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Attribute):
        return dotted(node) is None
    if isinstance(node, cst.Arg):
        return not inert(node.value)
    if isinstance(node, cst.SimpleStatementLine):  # docstrings, the placeholders of folds
        return not all(isinstance(small, cst.Expr) and inert(small.value) for small in node.body)
    if isinstance(node, cst.Parameters):
        return not all(inert(param.default) and (
            param.annotation is None or inert(param.annotation.annotation))
            for param in parameters(node))
    return True


# -- the engine's own handlers: frames, realigned comments, parentheses ------------

def _enter_function(t: Transformer, node: cst.FunctionDef) -> None:
    path = t.path(node.name.value)
    decision = t.ctx.plan.decision(path, t.ctx.line_of(node), node.asynchronous is not None)
    t.frames.append(Frame(decision.kind, node, path, decision))


def _leave_frame(t: Transformer, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
    """Take the frame off first: the fixes' leave handlers read it as :attr:`Transformer.left`."""
    t.left = t.frames.pop()
    if not t.frames and isinstance(original, (cst.FunctionDef, cst.ClassDef)):
        t.imports.shadow(original.name.value)  # past a module-level def: not the import's
    return updated


def _enter_class(t: Transformer, node: cst.ClassDef) -> None:
    t.frames.append(Frame("class", node, t.path(node.name.value)))


def _enter_lambda(t: Transformer, node: cst.Lambda) -> None:
    t.frames.append(Frame("lambda", node, t.path("<lambda>")))


def _enter_comprehension(t: Transformer, node: cst.CSTNode) -> None:
    if t.frames:
        t.frames[-1].comprehension += 1


def _leave_comprehension(t: Transformer, original: cst.CSTNode, updated: cst.CSTNode
                         ) -> cst.CSTNode:
    if t.frames:
        t.frames[-1].comprehension -= 1
    return updated


def _enter_statement(t: Transformer, node: cst.SimpleStatementLine) -> None:
    t.line_edits.append(t.out.edits)


def _leave_statement(t: Transformer, original: cst.SimpleStatementLine,
                     updated: cst.SimpleStatementLine) -> cst.BaseStatement:
    if t.line_edits.pop() != t.out.edits:
        realigned: cst.SimpleStatementLine = realign(original, updated)
        return realigned
    return updated


def _no_imports(t: Transformer, node: cst.CSTNode) -> bool:
    return False


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_VISIT_CORE: Dict[type, Callable[..., Any]] = {
    cst.FunctionDef: _enter_function, cst.ClassDef: _enter_class, cst.Lambda: _enter_lambda,
    cst.SimpleStatementLine: _enter_statement, cst.Import: _no_imports,
    cst.ImportFrom: _no_imports, **dict.fromkeys(_COMPREHENSIONS, _enter_comprehension),
}
#: before the fixes' leave handlers: the frame comes off
_LEAVE_FIRST: Dict[type, Callable[..., Any]] = {
    cst.FunctionDef: _leave_frame, cst.ClassDef: _leave_frame, cst.Lambda: _leave_frame,
    **dict.fromkeys(_COMPREHENSIONS, _leave_comprehension),
}
#: after them: a statement that changed realigns its end-of-line comment
_LEAVE_LAST: Dict[type, Callable[..., Any]] = {cst.SimpleStatementLine: _leave_statement}


def _join(first: Dict[type, Callable[..., Any]], then: Dict[type, Tuple[Callable[..., Any], ...]],
          last: Dict[type, Callable[..., Any]]) -> Dict[type, Tuple[Callable[..., Any], ...]]:
    joined: Dict[type, Tuple[Callable[..., Any], ...]] = {}
    for kind in {*first, *then, *last}:
        joined[kind] = ((first[kind],) if kind in first else ()) + then.get(kind, ()) + (
            (last[kind],) if kind in last else ())
    return joined


class Dispatch(NamedTuple):
    """The handlers of a transform, by node type: the engine's and the fixes'."""

    visit: Dict[type, Tuple[Callable[..., Any], ...]]
    leave: Dict[type, Tuple[Callable[..., Any], ...]]
    finish: Tuple[Callable[..., Any], ...]  #: at the end of the module, in order
    keywords: FrozenSet[str] = frozenset()  #: the names and attributes the fixes act on


def dispatch(fixes: Iterable[Fix]) -> Dispatch:
    """The handlers of the engine and of *fixes*, in the order the fixes come."""
    fixes = list(fixes)
    return Dispatch(_join(_VISIT_CORE, tables(fixes, "visit_"), {}),
                    _join(_LEAVE_FIRST, tables(fixes, "leave_"), _LEAVE_LAST),
                    tuple(fix.finish for fix in fixes if fix.finish is not None),
                    frozenset().union(*(fix.keywords for fix in fixes)))
