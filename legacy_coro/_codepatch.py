"""Recompile an asyncio function from its own source with a few lines put in front.

Why not a wrapper: a Python wrapper around ``asyncio.sleep`` adds a frame to
every call, costs native code 10-50 % on a ``sleep(0)`` loop, and shows up in
every traceback through it.  Instead the function keeps its identity (every
``from asyncio import sleep`` done before sees the change) and its own
frame: its ``__code__`` is replaced by one compiled from asyncio's source file
with a *prelude* -- a handful of statements at the top of the body, at the
``def`` line -- and, where needed, one more keyword-only parameter (``loop``).
Every other line keeps its number, so tracebacks, ``inspect`` and the
profiler read asyncio's own file.  The old ``__code__`` and ``__kwdefaults__``
are saved and put back by ``uninstall()``.

A prelude reaches legacy_coro's helpers through one global added to the
function's module under a name no source can spell (:data:`HELPERS`).
"""

import ast
import inspect
import types
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["H", "HELPERS", "Edit", "first_parameter", "recompile"]

#: The module global through which preludes reach legacy_coro's helpers.
HELPERS = "@legacy_coro"
#: How a prelude's source spells it (renamed to HELPERS once parsed).
H = "__legacy_coro_helpers__"

#: An edit: given the function's ``def`` node, return the prelude's source
#: (statements, indented at zero) and whether to add a ``loop=None`` keyword.
Edit = Callable[[ast.FunctionDef], Tuple[str, bool]]


class CannotPatch(RuntimeError):
    """The function's source cannot be read or does not match its code."""


def first_parameter(node: ast.FunctionDef) -> str:
    """Return the name of the first positional parameter after ``self``, or of ``*args``."""
    args = node.args
    positional: List[ast.arg] = [*getattr(args, "posonlyargs", []), *args.args]
    if positional and positional[0].arg == "self":
        positional = positional[1:]
    if positional:
        return positional[0].arg
    if args.vararg is not None:
        return args.vararg.arg
    raise CannotPatch(f"{node.name}() takes no positional parameter")


def _has_parameter(node: ast.FunctionDef, name: str) -> bool:
    args = node.args
    every = [*getattr(args, "posonlyargs", []), *args.args, *args.kwonlyargs]
    return any(arg.arg == name for arg in every)


def _place(statements: List[ast.stmt], line: int, start: int, end: int) -> None:
    """Put every node of *statements* on *line*, spanning columns *start* to *end*.

    The span is the whole statement already on that line, so a traceback
    through the prelude shows that line with no carets under part of it.
    """
    for statement in statements:
        for node in ast.walk(statement):
            if "lineno" in node._attributes:
                node.lineno = node.end_lineno = line  # type: ignore[attr-defined]
                node.col_offset = start  # type: ignore[attr-defined]
                node.end_col_offset = end  # type: ignore[attr-defined]


def _docstring_end(body: List[ast.stmt]) -> int:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        return 1
    return 0


def _find(code: types.CodeType, name: str, line: int) -> Optional[types.CodeType]:
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_name == name and const.co_firstlineno == line:
                return const
            found = _find(const, name, line)
            if found is not None:
                return found
    return None


def recompile(func: types.FunctionType, edits: List[Edit]) -> Tuple[types.CodeType, Dict[str, Any]]:
    """Return *func*'s code recompiled with the *edits*' preludes, and its new kwdefaults.

    Raises:
        CannotPatch: the source is missing or does not compile to *func*'s shape.
    """
    code = func.__code__
    if set(code.co_freevars) - {"__class__"}:
        raise CannotPatch(f"{func.__qualname__} is a closure")
    try:
        lines, start = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        raise CannotPatch(f"cannot read the source of {func.__module__}.{func.__qualname__}: "
                          f"{exc}") from None
    indented = lines[0][:1].isspace()
    # A method is compiled inside a class so that super() gets its __class__ cell.
    text = ("class _:\n" if indented or code.co_freevars else "") + "".join(lines)
    tree = ast.parse(text)
    node = tree.body[0]
    if isinstance(node, ast.ClassDef):
        node = node.body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != code.co_name:
        raise CannotPatch(f"the source of {func.__qualname__} is not its def")
    ast.increment_lineno(tree, start - 1 - (text.count("\n") - "".join(lines).count("\n")))
    kwdefaults = dict(func.__kwdefaults__ or {})
    prelude: List[ast.stmt] = []
    for edit in edits:
        source, add_loop = edit(node)  # type: ignore[arg-type]
        if add_loop and not _has_parameter(node, "loop"):  # type: ignore[arg-type]
            node.args.kwonlyargs.append(ast.arg("loop"))
            node.args.kw_defaults.append(ast.Constant(None))
            kwdefaults["loop"] = None
        statements = ast.parse(source).body
        for statement in statements:
            for name in ast.walk(statement):
                if isinstance(name, ast.Name) and name.id == H:
                    name.id = HELPERS
        prelude.extend(statements)
    at = _docstring_end(node.body)
    anchor = node.body[min(at, len(node.body) - 1)]
    text = lines[anchor.lineno - start].rstrip()
    _place(prelude, anchor.lineno, anchor.col_offset, len(text.encode("utf-8")))
    node.body[at:at] = prelude
    ast.fix_missing_locations(tree)
    module_code = compile(tree, code.co_filename, "exec", dont_inherit=True)
    new = _find(module_code, code.co_name, code.co_firstlineno)
    if new is None or new.co_freevars != code.co_freevars or (
            new.co_flags ^ code.co_flags) & (inspect.CO_COROUTINE | inspect.CO_GENERATOR):
        raise CannotPatch(f"{func.__qualname__} did not recompile to the same kind of function")
    return new, kwdefaults
