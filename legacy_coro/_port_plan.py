"""What ``legacy-coro port`` shows LibCST: an :mod:`ast` pass that leaves the rest out.

LibCST builds a Python object for every token, parses about ten times slower
than :mod:`ast`, and a transform rebuilds every node it visits.  Most of a file
has nothing to port.  This pass reads the file with ast, finds the statements
the port could touch, and replaces every other statement that fills whole lines
by one placeholder line of the same indentation.  LibCST parses and transforms
the shorter text; :meth:`Reduced.restore` puts the original lines back, byte
for byte.  Plain :mod:`ast` and text only: LibCST is not imported here.
"""

import ast
import bisect
import re
import warnings
from collections import Counter
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

__all__ = ["KEYWORDS", "Reduced", "Unit", "reduce_source"]

#: Names and attributes the transform acts on (with the local names of the
#: asyncio / legacy_coro imports of the file).  A statement with none of them,
#: no yield, no return, no import and no ``loop=`` keyword has nothing to port.
KEYWORDS = frozenset({"coroutine", "coroutines", "wait", "all_tasks", "current_task",
                      "get_event_loop", "iscoroutinefunction"})
_OWN_MODULES = ("asyncio", "legacy_coro")
_HOT = (ast.Yield, ast.YieldFrom, ast.Import, ast.ImportFrom)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LINES = re.compile(r"[^\n]*\n|[^\n]+\Z")
_PLACEHOLDER = "__legacy_coro_kept_"


class Unit(NamedTuple):
    """One top-level statement of the original file."""

    interesting: bool  #: whether the transform must visit it
    binds: Optional[str]  #: the name a top-level def or class binds


class Reduced(NamedTuple):
    """The text LibCST gets, and how to map its results back to the original."""

    text: str  #: the source with the placeholders in
    units: Tuple[Unit, ...]  #: one per top-level statement of the original, in order
    counts: Dict[str, int]  #: Name uses, not counting those after a module-level def rebinds it
    prefix: str  #: the placeholders' names start with it; nothing in the file does
    kept: Dict[str, str]  #: placeholder name -> the original text it stands for
    #: (line of a placeholder in ``text``, lines of the original it stands for minus one)
    folded: Tuple[Tuple[int, int], ...]

    def restore(self, code: str) -> Optional[str]:
        """Put the original statements back into *code*; None if a placeholder went missing."""
        if not self.kept:
            return code
        seen: List[str] = []

        def original(match: "re.Match[str]") -> str:
            seen.append(match.group())
            return self.kept[match.group()]

        restored = re.sub(re.escape(self.prefix) + r"\d+__", original, code)
        return restored if len(seen) == len(set(seen)) == len(self.kept) else None

    def original_line(self, line: int) -> int:
        """Return the line of the original that line *line* of ``text`` is."""
        index = bisect.bisect_left(self.folded, (line, 0))
        return line + sum(extra for _, extra in self.folded[:index])


def _local_names(statements: Sequence[ast.stmt], depth: int = 0) -> Set[str]:
    """Return the local names the module-level asyncio / legacy_coro imports bind.

    Where the transform looks for imports: at module level and inside
    module-level ``if`` and ``try`` blocks, two deep.
    """
    names: Set[str] = set()
    for node in statements:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level and (
                node.module.split(".")[0] in _OWN_MODULES):
            names.update(alias.asname or alias.name for alias in node.names)
        elif depth < 2 and isinstance(node, (ast.If, ast.Try)):
            names |= _local_names(list(_children(node)), depth + 1)
    return names


def _children(stmt: ast.stmt) -> Iterator[ast.stmt]:
    """Yield the statements directly inside *stmt* (bodies, handlers, cases)."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list):
            yield from block
    for part in [*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())]:
        yield from part.body


def _first_line(stmt: ast.stmt) -> int:
    decorators: Sequence[ast.expr] = getattr(stmt, "decorator_list", ())
    return min([stmt.lineno] + [d.lineno for d in decorators])


class _Reducer:
    """Decide which statements LibCST must see; build the text with placeholders."""

    def __init__(self, text: str, tree: ast.Module) -> None:
        self.lines: List[str] = _LINES.findall(text)
        keywords = KEYWORDS | _local_names(tree.body)
        self.counts: Dict[str, int] = Counter()
        hot = bytearray(len(self.lines) + 2)
        returns: List[int] = []
        decorated: List[Tuple[int, int, int]] = []  # first and last decorator line, last line
        shadowed: Set[str] = set()
        self.units: List[Unit] = []
        # ast.walk() is a generator of generators; an explicit stack walks twice as fast.
        for stmt in tree.body:
            stack: List[Any] = [stmt]
            while stack:
                node = stack.pop()
                if node is None or type(node) is str:  # in Dict keys, Global names
                    continue
                kind = type(node)
                if kind is ast.Name:
                    if node.id not in shadowed:
                        self.counts[node.id] += 1
                    if node.id in keywords:
                        hot[node.lineno] = 1
                elif kind is ast.Attribute:
                    if node.attr in keywords:
                        hot[node.lineno] = 1
                elif kind is ast.keyword:
                    if node.arg == "loop":
                        hot[node.value.lineno] = 1
                elif kind in _HOT:
                    hot[node.lineno] = 1
                elif kind is ast.Return:
                    returns.append(node.lineno)
                elif kind in _FUNCTIONS and node.decorator_list:
                    lines = [d.lineno for d in node.decorator_list]
                    decorated.append((min(lines), max(lines), node.end_lineno or len(hot) - 2))
                for field in node._fields:
                    value = getattr(node, field, None)
                    if type(value) is list:
                        stack.extend(value)
                    elif isinstance(value, ast.AST):
                        stack.append(value)
            binds = None
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                binds = stmt.name
                shadowed.add(stmt.name)
            self.units.append(Unit(False, binds))
        # What a function decorated with the coroutine decorator returns decides
        # whether it converts: its returns are worth a visit.
        inside = bytearray(len(hot))
        for first, last, end in decorated:
            if any(hot[first:last + 1]):
                inside[first:end + 1] = b"\x01" * (end + 1 - first)
        for line in returns:
            if inside[line]:
                hot[line] = 1
        self.hot_upto = [0]  # hot_upto[n]: how many of lines 1..n hold something to port
        for flag in hot[1:]:
            self.hot_upto.append(self.hot_upto[-1] + flag)
        self.folds: List[Tuple[int, int, str]] = []  # (first line, last line, indent), 0-based

    def hot(self, stmt: ast.stmt) -> bool:
        end = getattr(stmt, "end_lineno", None) or len(self.lines)
        return self.hot_upto[end] > self.hot_upto[_first_line(stmt) - 1]

    def fold(self, stmt: ast.stmt) -> bool:
        """Mark *stmt* for a placeholder if it fills whole lines; return whether it did."""
        first, last = _first_line(stmt) - 1, (getattr(stmt, "end_lineno", None) or 0) - 1
        if last < first or last >= len(self.lines):
            return False
        line = self.lines[first]
        indent = len(line) - len(line.lstrip(" \t\f"))
        if first + 1 != stmt.lineno:  # decorated: the first line must be the first decorator's
            if not line.startswith("@", indent):
                return False
        elif indent != stmt.col_offset or line.startswith("elif", indent):
            return False  # something else starts the line (`x = 1; y = 2`), or an `elif`
        tail = self.lines[last].encode("utf-8")[stmt.end_col_offset:].decode(  # type: ignore
            "utf-8", "replace").strip()
        if tail and not tail.startswith("#"):
            return False
        # Comment lines indented deeper than the statement belong with it (the
        # footer of its block): LibCST drops such lines after a simple statement
        # at the end of a file, so they go into the fold too.
        following = last + 1
        while following < len(self.lines):
            text = self.lines[following]
            stripped = text.lstrip(" \t\f")
            if stripped.startswith("#") and len(text) - len(stripped) > indent:
                last = following
            elif stripped.strip():
                break
            following += 1
        self.folds.append((first, last, line[:indent]))
        return True

    def visit(self, statements: Sequence[ast.stmt]) -> None:
        for stmt in statements:
            if self.hot(stmt) or not self.fold(stmt):
                self.visit(list(_children(stmt)))

    def reduced(self) -> Reduced:
        pieces: List[str] = []
        kept: Dict[str, str] = {}
        folded: List[Tuple[int, int]] = []
        prefix = _PLACEHOLDER
        while any(prefix in line for line in self.lines):
            prefix += "x_"
        position = gone = 0
        for first, last, indent in sorted(self.folds):
            pieces.extend(self.lines[position:first])
            text = "".join(self.lines[first:last + 1])[len(indent):]
            body = text.rstrip("\r\n")
            name = f"{prefix}{len(kept)}__"
            kept[name] = body
            pieces.append(indent + name + text[len(body):])
            folded.append((first - gone + 1, last - first))
            gone += last - first
            position = last + 1
        pieces.extend(self.lines[position:])
        return Reduced("".join(pieces), tuple(self.units), self.counts, prefix, kept,
                       tuple(folded))


def reduce_source(text: str, fold: bool = True) -> Optional[Reduced]:
    """Plan the port of *text* with :mod:`ast`; with *fold*, leave out what needs no port.

    Returns None when the running Python cannot parse *text* (newer syntax, or
    a lone carriage return as a line break): the caller then gives LibCST the
    whole file and visits all of it.
    """
    if re.search(r"\r(?!\n)", text):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    reducer = _Reducer(text, tree)
    for index, stmt in enumerate(tree.body):
        hot = reducer.hot(stmt)
        if hot:
            reducer.units[index] = reducer.units[index]._replace(interesting=True)
        # Not the first statement: it may be the docstring that new imports follow.
        if fold and (hot or index == 0 or not reducer.fold(stmt)):
            reducer.visit(list(_children(stmt)))
    return reducer.reduced()
