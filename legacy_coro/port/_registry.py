"""How a fix tells the port which nodes it handles, in both walks.

A fix is one file of :mod:`legacy_coro.port.fixes`.  It makes one :class:`Fix`
and registers functions on it by node type, pyupgrade style:

* ``@FIX.on_ast(ast.With)``: called by the analysis walk (:mod:`._analyse`) for
  every such node of the file, with the walk; it records what the fix needs to
  know (a blocker, a site, a fact).  Returning False keeps the walk from going
  into the node's children (the handler walked them itself, or nothing below
  matters).
* ``@FIX.visit(cst.If)`` / ``@FIX.leave(cst.With)``: called by the transform
  (:mod:`._transform`) for the LibCST nodes of the statements the plan kept; a
  leave handler returns the node that replaces the one it was given.
* ``keywords``: the names and attribute names whose lines the transform must
  see (a line holding none of them, no yield, no import... is folded away).
* ``prepare``: a pass over the text before anything parses it, given the
  text and the run's :class:`legacy_coro.port._model.Renames` (``async`` used
  as a name is a SyntaxError to every parser of today).
* ``finish``: called once at the end of a module's transform.
* ``complete``: a pass over the finished text of every file the port reads,
  with the facts of the run; returns the text and the sites it leaves
  (strings that name a module the run renamed).
* ``helper``: the base name of a helper the fix adds to a module it rewrites
  (:mod:`._helpers`).

The walks call the handlers of every fix in the order of
:data:`legacy_coro.port.fixes.FIXES`, after those of the core (names, scopes,
frames), so each node type costs one dictionary look-up.
"""

from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Tuple

from legacy_coro.port._model import Facts, Renames

__all__ = ["Fix", "tables"]

Handler = Callable[..., Any]
Site = Tuple[int, str, str]  #: (line, code, detail)


class Fix:
    """One fix: its name, and its handlers for the analysis walk and the transform."""

    def __init__(self, name: str, keywords: Iterable[str] = (),
                 prepare: Optional[Callable[[str, Renames], str]] = None,
                 complete: Optional[Callable[[str, Facts], Tuple[str, List[Site]]]] = None,
                 helper: Optional[str] = None) -> None:
        self.name = name
        self.keywords: FrozenSet[str] = frozenset(keywords)
        self.prepare = prepare
        self.complete = complete
        #: the base name of the helper the fix may add to a module (see _helpers.py)
        self.helper = helper
        self.ast: Dict[type, Handler] = {}
        self.visit_: Dict[type, Handler] = {}
        self.leave_: Dict[type, Handler] = {}
        self.finish: Optional[Handler] = None

    def __repr__(self) -> str:
        return f"<fix {self.name}>"

    def on_ast(self, *kinds: type) -> Callable[[Handler], Handler]:
        """Register the decorated function for these :mod:`ast` node types."""
        return self._register(self.ast, kinds)

    def visit(self, *kinds: type) -> Callable[[Handler], Handler]:
        """Register the decorated function for entering these LibCST node types."""
        return self._register(self.visit_, kinds)

    def leave(self, *kinds: type) -> Callable[[Handler], Handler]:
        """Register the decorated function for leaving these LibCST node types."""
        return self._register(self.leave_, kinds)

    def at_finish(self, function: Handler) -> Handler:
        """Register the decorated function to run at the end of each module's transform."""
        self.finish = function
        return function

    @staticmethod
    def _register(table: Dict[type, Handler], kinds: Tuple[type, ...]
                  ) -> Callable[[Handler], Handler]:
        def register(function: Handler) -> Handler:
            for kind in kinds:
                if kind in table:
                    raise ValueError(f"{kind.__name__} registered twice by one fix")
                table[kind] = function
            return function
        return register


def tables(fixes: Iterable[Fix], field: str) -> Dict[type, Tuple[Handler, ...]]:
    """Node type -> the handlers of *fixes* for it (``field``: ast, visit_ or leave_), in order."""
    found: Dict[type, List[Handler]] = {}
    for fix in fixes:
        for kind, handler in getattr(fix, field).items():
            found.setdefault(kind, []).append(handler)
    return {kind: tuple(handlers) for kind, handlers in found.items()}
