"""What ``legacy-coro port`` shows LibCST: the file with what needs no port folded away.

LibCST builds a Python object for every token, parses about ten times slower
than :mod:`ast`, and a transform rebuilds every node it visits.  Most of a file
has nothing to port.  The analysis walk marks the lines that hold something to
port; here every other statement that fills whole lines is replaced by one
placeholder line of the same indentation.  LibCST parses and transforms the
shorter text; :meth:`Reduced.restore` puts the original lines back, byte for
byte.
"""

import ast
import bisect
import re
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from legacy_coro.port._analyse import Unit, Walk, children

__all__ = ["Reduced", "fold_statements"]

_PLACEHOLDER = "__legacy_coro_kept_"


class Reduced(NamedTuple):
    """The text LibCST gets, and how to map its results back to the original."""

    text: str  #: the source with the placeholders in
    units: Tuple[Unit, ...]  #: one per top-level statement of the original, in order
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


def _first_line(stmt: ast.stmt) -> int:
    decorators: Sequence[ast.expr] = getattr(stmt, "decorator_list", ())
    return min([stmt.lineno] + [d.lineno for d in decorators])


class _Folder:
    """Decide which statements LibCST must see; build the text with placeholders."""

    def __init__(self, walk: Walk) -> None:
        self.lines = walk.lines
        self.hot_upto = [0]  # hot_upto[n]: how many of lines 1..n hold something to port
        for flag in walk.hot[1:]:
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
        end_col = getattr(stmt, "end_col_offset", None) or 0
        tail = self.lines[last].encode("utf-8")[end_col:].decode("utf-8", "replace").strip()
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
                self.visit(children(stmt))

    def reduced(self, units: Tuple[Unit, ...]) -> Reduced:
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
        return Reduced("".join(pieces), units, prefix, kept, tuple(folded))


def fold_statements(walk: Walk, body: Sequence[ast.stmt], fold: bool = True) -> Reduced:
    """Flag the top-level statements that hold something to port; fold the rest (with *fold*).

    The first statement is never folded: it may be the docstring that new
    imports follow.
    """
    folder = _Folder(walk)
    units = list(walk.units)
    for index, stmt in enumerate(body):
        hot = folder.hot(stmt)
        if hot:
            units[index] = units[index]._replace(interesting=True)
        if fold and (hot or index == 0 or not folder.fold(stmt)):
            folder.visit(children(stmt))
    return folder.reduced(tuple(units))
