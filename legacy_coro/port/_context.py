"""The transform's view of one file: what it reads, where it is, what it writes.

:class:`Context` is read-only; :class:`Frame` is one function, lambda or class
around the node being walked; :class:`Ledger` collects the sites, the
converted functions and the imports the module needs or no longer uses.
"""

from collections import Counter
from typing import Callable, Dict, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

from legacy_coro.port._model import Facts, Path, Scopes
from legacy_coro.port._plan import Decision, FilePlan

__all__ = ["Context", "Frame", "Ledger", "LineOf"]

LineOf = Callable[[cst.CSTNode], Optional[int]]


class Context(NamedTuple):
    """What the transform of one file reads and never changes."""

    target: Tuple[int, int]  #: the oldest Python the output must run on
    plan: FilePlan
    facts: Facts
    scopes: Scopes
    counts: Dict[str, int]  #: Name uses in the whole file (the analysis's)
    #: the line of the original file a node of the module starts on (for an ``if``,
    #: a ``return``, a ``def``, a call...: see _render.Lines)
    line_of: LineOf


class Frame:
    """One function, lambda or class being walked through."""

    __slots__ = ("kind", "node", "path", "decision", "comprehension")

    def __init__(self, kind: str, node: cst.CSTNode, path: Path,
                 decision: Optional[Decision] = None) -> None:
        #: a function's Decision.kind ("convert", "drop", "keep", "def"), "lambda", "class"
        self.kind = kind
        self.node = node
        self.path = path  #: names of the enclosing classes and functions, and its own
        self.decision = decision
        self.comprehension = 0  #: comprehensions open inside it, around the node

    @property
    def coroutine(self) -> bool:
        """Its body runs inside the event loop (a coroutine, converted or not)."""
        return self.decision is not None and self.decision.coroutine


class Ledger:
    """What the transform of one file produced besides the new module."""

    def __init__(self) -> None:
        self.reports: List[Tuple[cst.CSTNode, str, str]] = []  #: (node, code, detail)
        self.converted: List[str] = []  #: the paths of the functions made ``async def``
        #: module-level names whose uses the transform took out (a decorator dropped...):
        #: their import goes if nothing else uses them
        self.removed: Dict[str, int] = Counter()
        self.needs: Set[str] = set()  #: "asyncio", "legacy", "result": what to add
        self.edits = 0  #: textual changes so far (a changed statement realigns comments)
