"""What the port adds to a module: a helper the rewritten code calls, after the imports.

A fix that rewrites a construct into a call of a small helper (the result
helper, the event loop helper...) names a base name on its
:class:`~legacy_coro.port._registry.Fix` (``helper=``); the analysis finds a
module-level name for it that is free in the module, or the port's own helper
already there from an earlier port (``Scopes.helpers``); the fix says it used
it (:func:`use`) and, at the end of the module, :func:`add` puts it in once.
"""

from typing import TYPE_CHECKING, Any, List

import libcst as cst

from legacy_coro.port._cst import code_of
from legacy_coro.port._imports import import_position

if TYPE_CHECKING:
    from legacy_coro.port._transform import Transformer

__all__ = ["add", "inside", "name_of", "use"]


def name_of(t: "Transformer", base: str) -> str:
    """The module's name for the helper *base*."""
    return t.ctx.scopes.helpers.get(base, (base, False))[0]


def inside(t: "Transformer") -> bool:
    """Whether the node being walked is in one of the port's own helpers (ported before)."""
    if not t.frames:
        return False
    own = {name for name, defined in t.ctx.scopes.helpers.values() if defined}
    return t.frames[0].path[0] in own


def use(t: "Transformer", base: str) -> str:
    """Say the module needs the helper *base*; return its name there."""
    t.out.needs.add("helper:" + base)
    return name_of(t, base)


def add(t: "Transformer", updated: cst.Module, base: str, code: str) -> cst.Module:
    """Add the helper *base* (its source *code*, ``{name}`` for its name) if it was used.

    After the last module-level import before the first statement that uses
    it: it is defined before anything can call it.  Its comment lines (those
    before ``def`` or ``class``) go above it; two blank lines around it.
    """
    name, defined = t.ctx.scopes.helpers.get(base, (base, False))
    if "helper:" + base not in t.out.needs or defined:
        return updated
    statements: List[Any] = list(updated.body)
    imports_end = import_position(statements)
    needle = name + "("
    first = next((i for i, stmt in enumerate(statements) if needle in code_of(stmt)),
                 len(statements))
    position = imports_end
    for index in range(imports_end, first):
        stmt = statements[index]
        if isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body):
            position = index + 1
    following = statements[position] if position < len(statements) else None
    if following is not None:
        # A def or class now comes before it: two blank lines after it.
        leading = list(following.leading_lines)
        blank = next((i for i, line in enumerate(leading) if line.comment is not None),
                     len(leading))
        if blank < 2:
            statements[position] = following.with_changes(leading_lines=[
                cst.EmptyLine(indent=False)] * (2 - blank) + leading)
    statements.insert(position, _statement(code.format(name=name)))
    return updated.with_changes(body=statements)


def _statement(code: str) -> cst.BaseStatement:
    """The helper's statement, two blank lines and its comment above it."""
    lines = code.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    statement = cst.parse_statement("".join(lines[start:]))
    leading = [cst.EmptyLine(indent=False), cst.EmptyLine(indent=False)]
    leading += [cst.EmptyLine(indent=False, comment=cst.Comment(line.rstrip("\r\n")))
                for line in lines[:start]]
    return statement.with_changes(leading_lines=leading)
