"""The plan of one file: what becomes of each function, decided before LibCST sees the file.

The analysis of the file (:mod:`._analyse`) found every ``def`` with what could
keep it from converting; the analysis of the run (:mod:`._run`) what its
``yield from`` operands are and which undecorated generators convert.  Here
both meet: each function converts to ``async def``, stays as it is (on
``legacy_coro.coroutine`` when decorated), or has its decorator dropped (a
decorated ``async def``), and the sites that decision leaves are reported.
The transform (:mod:`._transform`) then only carries the plan out.
"""

from typing import Dict, FrozenSet, List, NamedTuple, Optional, Tuple

from legacy_coro.port._model import Definition, Facts, Path

__all__ = ["Decision", "FilePlan", "plan_file"]


class Decision(NamedTuple):
    """What becomes of one ``def``."""

    #: "convert" (to ``async def``), "drop" (its decorator: a decorated ``async def``),
    #: "keep" (a coroutine that stays a generator), "def" (any other function)
    kind: str
    coroutine: bool  #: its body runs inside the event loop
    decorator: Optional[int] = None  #: index of the coroutine decorator
    legacy: bool = False  #: that decorator is legacy_coro's already
    #: the lines of the ``return VALUE``s that go through the result helper (LC018)
    unproven: FrozenSet[int] = frozenset()
    protocol: str = ""  #: "iter": a decorated ``__iter__`` that becomes ``__await__`` too


_PLAIN = Decision("def", False)
_ASYNC = Decision("def", True)


class FilePlan(NamedTuple):
    """The plan of one file."""

    decisions: Dict[Tuple[Path, int], Decision]  #: (path, line of ``def``) -> decision
    sites: Tuple[Tuple[int, str, str], ...]  #: (line, code, detail) decided here
    #: undecorated generators the run converts that this file's plan cannot: the run
    #: must be planned again without them
    refused_helpers: Tuple[Path, ...] = ()

    def decision(self, path: Path, line: Optional[int], asynchronous: bool) -> Decision:
        """The decision for the ``def`` at *path* on *line* (a plain function if unknown)."""
        found = self.decisions.get((path, line or 0))
        if found is not None:
            return found
        return _ASYNC if asynchronous else _PLAIN


def plan_file(definitions: Tuple[Definition, ...], facts: Facts) -> FilePlan:
    """Decide what becomes of each ``def`` of a file."""
    decisions: Dict[Tuple[Path, int], Decision] = {}
    reports: List[Tuple[int, str, str]] = []
    refused: List[Path] = []
    for definition in definitions:
        decision, found = _decide(definition, facts)
        decisions[(definition.path, definition.line)] = decision
        name = definition.path[-1]
        reports.extend((line, code, detail or name) for line, code, detail in found)
        if found and decision.kind == "keep" and definition.decorator is None:
            refused.append(definition.path)
    return FilePlan(decisions, tuple(reports), tuple(refused))


def _decide(definition: Definition, facts: Facts
            ) -> Tuple[Decision, List[Tuple[int, str, str]]]:
    """The decision for one ``def``, and the sites it leaves: (line, code, detail)."""
    decorated = definition.decorator is not None
    if decorated and definition.asynchronous:  # 3.10's decorator returned it unchanged
        return Decision("drop", True, definition.decorator, definition.legacy), []
    helper = not decorated and not definition.asynchronous and definition.path in facts.helpers
    if not (decorated or helper):
        return (_ASYNC if definition.asynchronous else _PLAIN), []
    keep = Decision("keep", decorated, definition.decorator, definition.legacy)
    if definition.early:
        return keep, [(line, code, "") for line, code in definition.early]
    found = [(line, code, "") for line, code in definition.body]
    for line, key in definition.sites:  # the run's verdicts on its yield from operands
        blocked = facts.blocks.get((definition.path, key))
        if blocked is not None:
            found.append((line, blocked[0], blocked[1]))
    unproven = facts.results.get(definition.path, frozenset()) & definition.returns
    if unproven and not facts.result_helper:
        found.append((definition.line, "LC001", ""))
    if found:
        return keep, found
    converted = Decision("convert", True, definition.decorator, definition.legacy, unproven,
                         definition.protocol)
    return converted, [(definition.line, "LC018", "")] if unproven else []
