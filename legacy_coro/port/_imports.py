"""The module's imports during a transform: what names import, what goes, what comes.

LibCST has codemod visitors for this (``AddImportsVisitor``,
``RemoveImportsVisitor``); the port keeps its own because:

* the transform sees a folded module (:mod:`._fold`): the statements that need
  no port are placeholders, so LibCST's scope analysis, which
  ``RemoveImportsVisitor`` decides by, does not see the names they use and
  would drop imports they still need.  The port counts uses with the analysis
  of the whole file instead (:attr:`Context.counts`), and takes off the uses it
  removed itself;
* run on the whole module instead, the scope and qualified-name metadata cost
  more than the whole port of a typical file (``benchmarks/port_speed.py``);
* ``RemoveImportsVisitor`` drops a removed statement's comments with it; the
  port moves them to the next statement.
"""

from typing import Any, Dict, List, Optional, Sequence, Set

import libcst as cst

from legacy_coro.port._context import Context, Ledger
from legacy_coro.port._cst import dotted, remove_from, root_name
from legacy_coro.port._names import absolute_module

__all__ = ["Imports", "import_position"]

_LEGACY_DECORATORS = frozenset({"legacy_coro.coroutine"})


class Imports:
    """The imports of the module being transformed (a service of the Transformer)."""

    def __init__(self, ctx: Context, out: Ledger) -> None:
        self.ctx = ctx
        self.out = out
        self.bindings: Dict[str, str] = {}  # local name -> dotted qualified name
        self.shadowed: Set[str] = set()  # rebound by a module-level def or class so far
        self.asyncio_name: Optional[str] = None  # what the module calls asyncio
        self.legacy_ref: Optional[cst.BaseExpression] = None  # what it calls legacy's decorator

    # -- reading ---------------------------------------------------------------

    def read(self, module: cst.Module) -> None:
        """Learn the module's imports (at module level, and two deep in ``if`` / ``try``)."""
        self._bind_imports(module.body)
        for local, qualified in self.bindings.items():
            if qualified == "asyncio" and self.asyncio_name is None:
                self.asyncio_name = local
            if qualified in _LEGACY_DECORATORS and self.legacy_ref is None:
                self.legacy_ref = cst.Name(local)
            if qualified == "legacy_coro" and self.legacy_ref is None:
                self.legacy_ref = cst.Attribute(cst.Name(local), cst.Name("coroutine"))

    def _bind_imports(self, statements: Sequence[cst.CSTNode], depth: int = 0) -> None:
        versions = self.ctx.scopes.versions
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._bind(small)
            elif depth < 2 and isinstance(stmt, (cst.If, cst.Try)):
                outcome = None
                if isinstance(stmt, cst.If) and versions:
                    line = self.ctx.line_of(stmt)
                    outcome = versions.get(line) if line is not None else None
                blocks: List[cst.CSTNode] = [stmt.body] if outcome is not False else []
                if isinstance(stmt, cst.Try):
                    blocks.extend(h.body for h in stmt.handlers)
                if stmt.orelse is not None and outcome is not True:
                    blocks.append(stmt.orelse.body if isinstance(stmt.orelse, cst.Else)
                                  else stmt.orelse)
                for block in blocks:
                    body = getattr(block, "body", ())
                    self._bind_imports(list(body) if isinstance(body, (list, tuple)) else [block],
                                       depth + 1)

    def _bind(self, small: cst.CSTNode) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                parts = dotted(alias.name) or []
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.bindings[alias.asname.name.value] = ".".join(parts)
                elif parts:
                    self.bindings[parts[0]] = parts[0]
        elif isinstance(small, cst.ImportFrom):
            module = ".".join(dotted(small.module) or []) if small.module is not None else ""
            if small.relative:  # `from .coroutines import coroutine` inside a package
                scopes = self.ctx.scopes
                module = absolute_module(scopes.module, scopes.package, module,
                                         len(small.relative))
            if not module or isinstance(small.names, cst.ImportStar):
                return
            aliases = self.ctx.scopes.aliases
            for alias in small.names:
                if not isinstance(alias.name, cst.Name):
                    continue
                local = alias.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self.bindings[local] = aliases.get(local) or f"{module}.{alias.name.value}"

    def binding(self, name: str) -> Optional[str]:
        """The qualified name module-level *name* imports here (None: not an import's)."""
        if name in self.shadowed:
            return None
        return self.bindings.get(name)

    def shadow(self, name: str) -> None:
        """From here on, module-level *name* is a def or class, not what it imported."""
        self.shadowed.add(name)

    # -- what the fixes need ---------------------------------------------------------

    def asyncio(self, attr: str) -> cst.Attribute:
        """``asyncio.ATTR`` under the module's name for asyncio (imported if needed)."""
        self.out.needs.add("asyncio")  # kept, or imported
        return cst.Attribute(cst.Name(self.asyncio_name or "asyncio"), cst.Name(attr))

    def module(self, name: str) -> cst.Name:
        """The module-level name of the standard module *name* (``import NAME`` if needed)."""
        local = next((local for local, qualified in self.bindings.items()
                      if qualified == name and local not in self.shadowed), None)
        if local is None:
            self.out.needs.add("module:" + name)
            local = name
        return cst.Name(local)

    def legacy_decorator(self) -> cst.BaseExpression:
        """Return the expression naming legacy_coro.coroutine, importing it if needed."""
        if self.legacy_ref is None:
            self.out.needs.add("legacy")
            free = "coroutine" not in self.bindings and self.ctx.counts.get("coroutine", 0) <= 0
            self.legacy_ref = (cst.Name("coroutine") if free else
                               cst.Attribute(cst.Name("legacy_coro"), cst.Name("coroutine")))
        root = root_name(self.legacy_ref)
        if root:
            self.out.removed[root] -= 1
        return self.legacy_ref

    # -- the end: imports left unused go, imports needed come --------------------------

    def finish(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        out = self.out
        counts = self.ctx.counts
        drop = {name for name, count in out.removed.items()
                if count > 0 and name in self.bindings
                and counts.get(name, 0) - out.removed[name] <= 0}
        if "asyncio" in out.needs and self.asyncio_name:
            drop.discard(self.asyncio_name)
        statements: List[cst.BaseStatement] = list(updated.body)
        additions: List[str] = []
        if "asyncio" in out.needs and not self.asyncio_name:
            additions.append("import asyncio")
        additions += [f"import {need[7:]}" for need in sorted(out.needs)
                      if need.startswith("module:")]
        if "legacy" in out.needs:
            additions.append("from legacy_coro import coroutine"
                             if isinstance(self.legacy_ref, cst.Name) else "import legacy_coro")
        position = import_position(statements)
        statements[position:position] = [cst.parse_statement(line) for line in additions]
        body = _without(statements, drop) if drop else statements
        if body == list(updated.body):
            return updated
        return updated.with_changes(body=body)


def _without(statements: List[Any], drop: Set[str]) -> List[cst.BaseStatement]:
    """*statements* without the imports of the names in *drop*; their comments stay."""
    body: List[cst.BaseStatement] = []
    carried: List[cst.EmptyLine] = []
    dropped_first = False
    for stmt in statements:
        if isinstance(stmt, cst.SimpleStatementLine):
            new_stmt = _drop_imports(stmt, drop)
            if new_stmt is None:
                carried.extend(stmt.leading_lines)
                dropped_first = dropped_first or not body
                continue
            stmt = new_stmt
        if dropped_first and not body:
            # The new first statement does not start with the blank lines
            # that separated it from the import that went.
            leading = list(stmt.leading_lines)
            while leading and leading[0].comment is None:
                leading.pop(0)
            stmt = stmt.with_changes(leading_lines=leading)
        if carried:
            stmt = stmt.with_changes(leading_lines=carried + list(stmt.leading_lines))
            carried = []
        body.append(stmt)
    return body


def import_position(body: Sequence[cst.CSTNode]) -> int:
    """Return where new imports go: after the leading docstring and imports."""
    position = 0
    for index, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            break
        if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            position = index + 1
        elif index == 0 and isinstance(stmt.body[0], cst.Expr) and isinstance(
                stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
            position = 1
        else:
            break
    return position


def _drop_imports(line: cst.SimpleStatementLine,
                  drop: Set[str]) -> Optional[cst.SimpleStatementLine]:
    statements: List[cst.BaseSmallStatement] = []
    for small in line.body:
        if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                small.names, cst.ImportStar):
            gone = [a for a in small.names if _alias_local(a) in drop]
            if gone:
                names = remove_from(small.names, gone)
                if not names:
                    continue
                small = small.with_changes(names=names)
        statements.append(small)
    if len(statements) == len(line.body) and all(
            a is b for a, b in zip(statements, line.body)):
        return line
    if not statements:
        return None
    last = statements[-1]
    if last is not line.body[-1]:
        statements[-1] = last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return line.with_changes(body=statements)


def _alias_local(alias: cst.ImportAlias) -> Optional[str]:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    parts = dotted(alias.name)
    return parts[0] if parts else None
